import { describe, expect, it } from 'vitest';
import { runAt, runInRequestSlot } from '../../../shared/context/tenant-context';
import { AgentEntity } from '../../../shared/data/entities/agent';
import { MemoryItemEntity } from '../../../shared/data/entities/memory-item';

const at = new Date('2026-03-04T05:06:07.890Z');
const key = { tenantId: 'ten_1', agentId: 'agt_1' };
const agent = { ...key, name: 'a', model: 'm', createdBy: 'usr_1' };

type PutParams = { Item: Record<string, unknown> };
type UpdateParams = { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> };

function stampOf(params: UpdateParams): unknown {
  const name = Object.keys(params.ExpressionAttributeValues).find((value) => value.startsWith(':updatedAt'));
  return name ? params.ExpressionAttributeValues[name] : undefined;
}

describe('record timestamps, carried by ElectroDB', () => {
  it('stamps a new record with the time of the write: a request’s, a job’s', () => {
    const made = runInRequestSlot(at, () => AgentEntity.create(agent).params<PutParams>());
    expect(made.Item).toMatchObject({ createdAt: at.toISOString(), updatedAt: at.toISOString() });
    const later = new Date(at.getTime() + 60_000);
    const job = runAt(later, () =>
      MemoryItemEntity.create({
        ...key,
        memoryId: 'mem_1',
        kind: 'text',
        content: 'c',
        sizeBytes: 1,
      }).params<PutParams>(),
    );
    expect(job.Item.createdAt).toBe(later.toISOString());
  });

  it('stamps updatedAt on every update, whatever it changes, and never createdAt', () => {
    runInRequestSlot(at, () => {
      const set = AgentEntity.patch(key).set({ name: 'b' }).params<UpdateParams>();
      const removed = AgentEntity.patch(key).remove(['description']).params<UpdateParams>();
      for (const params of [set, removed]) {
        expect(stampOf(params)).toBe(at.toISOString());
        expect(params.UpdateExpression).not.toContain('createdAt');
      }
    });
  });

  it('keeps a time the writer names (a record copied as it was)', () => {
    const given = '2020-01-01T00:00:00.000Z';
    const put = runInRequestSlot(at, () =>
      AgentEntity.put({ ...agent, createdAt: given, updatedAt: given }).params<PutParams>(),
    );
    expect(put.Item).toMatchObject({ createdAt: given, updatedAt: given });
  });

  it('uses the clock outside a request or a job', () => {
    const before = Date.now();
    const made = AgentEntity.create(agent).params<PutParams>();
    expect(Date.parse(String(made.Item.createdAt))).toBeGreaterThanOrEqual(before);
  });
});
