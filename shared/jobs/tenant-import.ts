import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { writeAudited } from '../audit/audited-transaction';
import type { TenantContext } from '../context/tenant-context';
import { isConditionalFailure } from '../data/dynamo-errors';
import { ProjectEntity } from '../data/entities/project';
import { AgentEntity } from '../data/entities/agent';
import { MemoryItemEntity } from '../data/entities/memory-item';
import { RunEntity } from '../data/entities/run';
import { TenantEntity } from '../data/entities/tenant';
import { TenantLogoEntity } from '../data/entities/tenant-logo';
import { forgetTenant } from '../data/cached-records';
import { ConflictError, ValidationError } from '../errors';
import { EXPORT_FORMAT } from '../exports/export-writer';
import { ID_PREFIXES } from '../ids';
import { memorySize } from '../memory/memory-service';
import { reconcileQuotas } from '../quotas/reconciliation';

/**
 * Loads a tenant's data from a file into a new or an empty tenant, idempotently. Two formats:
 * - this project's export (`tenantry-export/1`, the first line its header): agents, runs, memory, the
 *   logo, and the tenant's settings and profile come back under the same ids; what an export leaves
 *   out or cannot carry (API keys without their hash, secrets, webhook secrets, memberships, audit
 *   history, custom domains, which must be verified again) is counted as skipped, by type;
 * - `tenantry-import/1`, for data from a single-tenant system: a header line, then one object a line,
 *   `{"type":"agent","ref":…,"name":…,"model":…}` and `{"type":"memory","agent":<ref>,"kind":"text"|"json","content":…}`
 *   (docs/operations.md). Ids come from the refs, so importing the file again changes nothing.
 * Every item is written only where absent (a rerun after a failure finishes the job); the counters are
 * then set from the items, and one audit event records what came in.
 */
export const IMPORT_FORMAT = 'tenantry-import/1';

export interface ImportReport {
  format: string;
  imported: Record<string, number>;
  alreadyThere: Record<string, number>;
  skipped: Record<string, number>;
}

type ImportItem =
  | { type: 'project'; data: Record<string, unknown> }
  | { type: 'agent'; data: Record<string, unknown> }
  | { type: 'run'; data: Record<string, unknown> }
  | { type: 'memoryItem'; data: Record<string, unknown> }
  | { type: 'tenantLogo'; data: Record<string, unknown> }
  | { type: 'tenant'; data: Record<string, unknown> };

const IMPORTED_TYPES = new Set(['project', 'agent', 'run', 'memoryItem', 'tenantLogo', 'tenant']);

/** How the items of each type are made: only where absent (ElectroDB's `create`). */
const CREATES: Record<
  Exclude<ImportItem['type'], 'tenant'>,
  { create(item: never): { go(options: { response: 'none' }): Promise<unknown> } }
> = {
  project: ProjectEntity,
  agent: AgentEntity,
  memoryItem: MemoryItemEntity,
  run: RunEntity,
  tenantLogo: TenantLogoEntity,
};

/** Writes of one type in flight at once. */
const IMPORT_CONCURRENCY = 16;

const refSchema = z.string().check(z.minLength(1), z.maxLength(200));
const simpleLine = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('agent'),
    ref: refSchema,
    name: z.string().check(z.minLength(1), z.maxLength(100)),
    model: z.string().check(z.minLength(1), z.maxLength(100)),
    description: z.optional(z.string().check(z.maxLength(1000))),
    instructions: z.optional(z.string().check(z.maxLength(20_000))),
  }),
  z.strictObject({
    type: z.literal('memory'),
    ref: refSchema,
    agent: refSchema,
    kind: z.enum(['text', 'json']),
    content: z.unknown(),
  }),
]);

/** A ULID-shaped id derived from the target and a ref: the same line imports as the same item. */
function derivedId(kind: 'agent' | 'memory', tenantId: string, ref: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const digest = createHash('sha256').update(`${tenantId}\n${kind}\n${ref}`).digest();
  const body = Array.from({ length: 26 }, (_, index) => alphabet[(digest[index] ?? 0) % 32]).join('');
  // The first character of a ULID is at most 7 (48-bit time).
  return `${ID_PREFIXES[kind]}_${String((digest[26] ?? 0) % 8)}${body.slice(1)}`;
}

function invalid(line: number, message: string): never {
  throw new ValidationError(
    `Line ${line} of the file: ${message}`,
    [{ path: 'file', message: `line ${line}: ${message}` }],
    'import_invalid',
  );
}

/** The file's items for `tenantId`, checked line by line (a bad line names its number; nothing is written). */
export function parseImport(
  text: string,
  tenantId: string,
  actorId: string,
  now: Date,
): { format: string; items: ImportItem[]; skipped: Record<string, number> } {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const parse = (line: string, number: number): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      return invalid(number, 'not JSON');
    }
  };
  const header = parse(lines[0] ?? '', 1) as { format?: unknown };
  const skipped: Record<string, number> = {};
  const items: ImportItem[] = [];
  if (header.format === EXPORT_FORMAT) {
    lines.slice(1).forEach((line, index) => {
      const entry = parse(line, index + 2) as { type?: unknown; data?: unknown };
      if (typeof entry.type !== 'string' || typeof entry.data !== 'object' || entry.data === null) {
        invalid(index + 2, 'an export line is {"type": …, "data": {…}}');
      }
      if (!IMPORTED_TYPES.has(entry.type)) skipped[entry.type] = (skipped[entry.type] ?? 0) + 1;
      else items.push({ type: entry.type, data: entry.data as Record<string, unknown> } as ImportItem);
    });
    return { format: EXPORT_FORMAT, items: withProjectCounts(items), skipped };
  }
  if (header.format !== IMPORT_FORMAT) {
    invalid(
      1,
      `the first line names the format: {"format":"${EXPORT_FORMAT}"} or {"format":"${IMPORT_FORMAT}"}`,
    );
  }
  const agents = new Map<string, string>();
  const at = now.toISOString();
  lines.slice(1).forEach((line, index) => {
    const parsed = z.safeParse(simpleLine, parse(line, index + 2));
    if (!parsed.success) invalid(index + 2, z.prettifyError(parsed.error).replace(/\n/g, ' '));
    const entry = parsed.data;
    if (entry.type === 'agent') {
      const agentId = derivedId('agent', tenantId, entry.ref);
      agents.set(entry.ref, agentId);
      const { type: _type, ref: _ref, ...fields } = entry;
      items.push({ type: 'agent', data: { ...fields, agentId, createdBy: actorId, createdAt: at } });
    } else {
      const agentId = agents.get(entry.agent);
      if (!agentId) invalid(index + 2, `no agent with ref ${entry.agent} comes before it`);
      items.push({
        type: 'memoryItem',
        data: {
          agentId,
          memoryId: derivedId('memory', tenantId, entry.ref),
          kind: entry.kind,
          content: entry.content,
          sizeBytes: memorySize(entry.kind, entry.content),
          createdBy: actorId,
          createdAt: at,
        },
      });
    }
  });
  return { format: IMPORT_FORMAT, items, skipped };
}

/** Puts an item where it is absent: `true` when written, `false` when it was there already. */
/**
 * An export's projects with their agent counts taken from the agents the file holds (not from the
 * count the export read, which another request may have moved), and an agent whose project the file
 * lacks imported outside any project: no agent points at a project that is not there.
 */
function withProjectCounts(items: ImportItem[]): ImportItem[] {
  const projects = new Set(
    items.filter((item) => item.type === 'project').map((item) => String(item.data.projectId)),
  );
  const counts = new Map<string, number>();
  const kept = items.map((item) => {
    if (item.type !== 'agent' || item.data.projectId === undefined) return item;
    const projectId = String(item.data.projectId);
    if (!projects.has(projectId)) {
      const { projectId: _dropped, ...data } = item.data;
      return { type: item.type, data };
    }
    counts.set(projectId, (counts.get(projectId) ?? 0) + 1);
    return item;
  });
  return kept.map((item) =>
    item.type === 'project'
      ? { type: item.type, data: { ...item.data, agentCount: counts.get(String(item.data.projectId)) ?? 0 } }
      : item,
  );
}

async function putOnce(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/**
 * Imports the file's items into the context's tenant (a new one, or one with none of its own agents:
 * `409 import_target_not_empty` otherwise), within its plan's agent limit (`409 import_exceeds_plan`).
 */
export async function importIntoTenant(ctx: TenantContext, text: string, now: Date): Promise<ImportReport> {
  const { format, items, skipped } = parseImport(text, ctx.tenantId, `system:import`, now);
  const importedAgents = new Set(
    items.filter((item) => item.type === 'agent').map((item) => String(item.data.agentId)),
  );
  const existing = await AgentEntity.query
    .byTenant({ tenantId: ctx.tenantId })
    .go({ pages: 'all', attributes: ['agentId'], consistent: true });
  const own = existing.data.filter((agent) => !importedAgents.has(agent.agentId));
  if (own.length > 0) {
    throw new ConflictError(
      `The tenant has ${own.length} agent${own.length === 1 ? '' : 's'} of its own: import into a new or an empty tenant.`,
      'import_target_not_empty',
    );
  }
  const limit = ctx.limits.agents;
  if (limit !== null && importedAgents.size > limit) {
    throw new ConflictError(
      `The file has ${importedAgents.size} agents; the tenant's plan allows ${limit}.`,
      'import_exceeds_plan',
    );
  }
  const projectLimit = ctx.limits.projects;
  const importedProjects = items.filter((item) => item.type === 'project').length;
  if (projectLimit !== null && importedProjects > projectLimit) {
    throw new ConflictError(
      `The file has ${importedProjects} projects; the tenant's plan allows ${projectLimit}.`,
      'import_exceeds_plan',
    );
  }
  const report: ImportReport = { format, imported: {}, alreadyThere: {}, skipped };
  const tally = (type: string, written: boolean) => {
    const bucket = written ? report.imported : report.alreadyThere;
    bucket[type] = (bucket[type] ?? 0) + 1;
  };
  const tenantId = ctx.tenantId;
  // The tenant's own record first, then projects before the agents in them, and agents before the
  // memory and runs that name them; within a
  // type, a few writes at a time.
  for (const type of ['tenant', 'tenantLogo', 'project', 'agent', 'memoryItem', 'run'] as const) {
    const ofType = items.filter((item) => item.type === type);
    for (let start = 0; start < ofType.length; start += IMPORT_CONCURRENCY) {
      await Promise.all(
        ofType.slice(start, start + IMPORT_CONCURRENCY).map(async (item) => {
          if (item.type === 'tenant') {
            // What the tenant said of itself and its settings; never its plan, status, slug or billing.
            const { settings, profile } = item.data as { settings?: object; profile?: object };
            await TenantEntity.patch({ tenantId })
              .set({ ...(settings ? { settings } : {}), ...(profile ? { profile } : {}) })
              .go({ response: 'none' });
            forgetTenant(tenantId);
            tally(item.type, true);
            return;
          }
          const data = { ...item.data, tenantId } as never;
          tally(item.type, await putOnce(() => CREATES[item.type].create(data).go({ response: 'none' })));
        }),
      );
    }
  }
  // The counters from the items, whatever they held (nothing else writes to a tenant being imported).
  await reconcileQuotas(ctx, now, { quiet: false });
  await writeAudited(
    ctx,
    { action: 'tenant.imported', targetType: 'tenant', targetId: tenantId, after: { ...report } },
    () => ({}),
    { now },
  );
  return report;
}
