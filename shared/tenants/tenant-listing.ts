import { getConfig } from '../config';
import { platformDocumentClient } from '../data/clients';
import {
  checkedCursor,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  openSealedCursor,
  sealCursor,
} from '../data/cursor';
import { TenantEntity } from '../data/entities/tenant';
import type { PlanId } from '../model/plans';
import type { TenantStatus } from '../model/tenant-status';
import { toTenantView, type TenantView } from './tenant-view';

const config = getConfig();

export interface ListTenantsQuery {
  search?: string | undefined;
  status?: TenantStatus | undefined;
  plan?: PlanId | undefined;
  limit: number;
  cursor?: string | undefined;
}

interface ListCursor {
  s: number;
  c: string | null;
}

/** A listing's cursors belong to its status filter: the status is part of the key condition. */
function listingOf(query: ListTenantsQuery): string {
  return `tenants:${query.status ?? '*'}`;
}

function parseListCursor(list: string, cursor: string | undefined): ListCursor {
  const sealed = openSealedCursor(list, cursor);
  if (sealed === null) return { s: 0, c: null };
  const value = decodeCursor(sealed) as Partial<ListCursor> | null;
  const shard = value?.s;
  if (
    typeof shard !== 'number' ||
    !Number.isInteger(shard) ||
    shard < 0 ||
    shard >= config.tenants.platformShards
  ) {
    throw invalidCursor();
  }
  const inner = value?.c ?? null;
  if (inner !== null && typeof inner !== 'string') {
    throw invalidCursor();
  }
  return {
    s: shard,
    c: inner === null ? null : checkedCursor(inner, { gsi1pk: `PLATFORM#TENANTS#${shard}` }),
  };
}

/**
 * Platform listing through the sharded index: shards are read in turn, each with a key condition on
 * status when one is asked for (never a Scan). The cursor carries the shard and its position.
 */
export async function listTenants(
  query: ListTenantsQuery,
): Promise<{ items: TenantView[]; nextCursor: string | null }> {
  const list = listingOf(query);
  let position = parseListCursor(list, query.cursor);
  const items: TenantView[] = [];
  while (items.length < query.limit && position.s < config.tenants.platformShards) {
    const keys = query.status ? { shard: position.s, status: query.status } : { shard: position.s };
    const result = await TenantEntity.query
      .platformListing(keys)
      .where((attr, op) => {
        const conditions = [
          query.plan ? op.eq(attr.plan, query.plan) : '',
          query.search
            ? `(${op.contains(attr.slug, query.search.toLowerCase())} OR ${op.contains(attr.name, query.search)} OR ${op.eq(attr.tenantId, query.search)})`
            : '',
        ].filter(Boolean);
        return conditions.join(' AND ');
      })
      .go({ client: platformDocumentClient, count: query.limit - items.length, cursor: position.c });
    items.push(...result.data.map((item) => toTenantView(item, { internal: true })));
    position = result.cursor ? { s: position.s, c: result.cursor } : { s: position.s + 1, c: null };
  }
  const nextCursor =
    position.s < config.tenants.platformShards ? sealCursor(list, encodeCursor(position)) : null;
  return { items, nextCursor };
}
