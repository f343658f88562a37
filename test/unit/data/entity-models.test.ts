import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Entity as ElectroEntity } from 'electrodb';
import { describe, expect, it, vi } from 'vitest';
import { Entity } from '../../../shared/data/electrodb-entity';

/** ElectroDB's own model check, the one the functions no longer run at load (electrodb-entity.ts). */
const validations = createRequire(import.meta.url)('electrodb/src/validations') as {
  model: (model: unknown) => void;
};

const ENTITIES_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'entities');

async function everyEntity(): Promise<Array<[string, { schema: unknown }]>> {
  const found: Array<[string, { schema: unknown }]> = [];
  for (const file of readdirSync(ENTITIES_DIR).filter((name) => name.endsWith('.ts'))) {
    const module = (await import(join(ENTITIES_DIR, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (value instanceof Entity) found.push([`${file}: ${name}`, value as unknown as { schema: unknown }]);
    }
  }
  return found;
}

describe('the entity models', () => {
  it('every entity of the table passes ElectroDB’s model check', async () => {
    const entities = await everyEntity();
    expect(entities.length).toBeGreaterThanOrEqual(30);
    for (const [name, entity] of entities) {
      expect(() => validations.model(entity.schema), name).not.toThrow();
    }
  });

  it('the check is real: a broken model fails it, and construction no longer runs it', () => {
    const broken = {
      model: { entity: 'broken', version: '1', service: 'tenantry' },
      attributes: { id: { type: 'string', required: 'yes' } },
      indexes: { primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } } },
    };
    expect(() => validations.model(broken)).toThrow();
    const prototype = Entity.prototype as unknown as { _validateModel: (model: unknown) => unknown };
    expect(prototype._validateModel(broken)).toBeUndefined();
  });

  it('builds an entity at its first use, once, not when its module loads', () => {
    const model = {
      model: { entity: 'lazy', version: '1', service: 'tenantry' },
      attributes: { id: { type: 'string', required: true } },
      indexes: { primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } } },
    } as const;
    const parse = vi.spyOn(
      ElectroEntity.prototype as unknown as { _parseModel: () => unknown },
      '_parseModel',
    );
    try {
      const lazy = new Entity(model, { table: 'tenantry' });
      expect(parse).not.toHaveBeenCalled();
      expect(lazy).toBeInstanceOf(Entity);
      // The first use builds it; the rest use what was built.
      expect(lazy.get({ id: 'a' }).params()).toMatchObject({ Key: { pk: expect.any(String) } });
      expect(lazy.schema).toBe(model);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});
