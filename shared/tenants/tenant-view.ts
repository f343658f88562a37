import type { TenantItem } from '../data/entities/tenant';

/** A tenant as the API shows it. */
export interface TenantView {
  id: string;
  name: string;
  slug: string;
  plan: TenantItem['plan'];
  status: TenantItem['status'];
  statusReason: string | null;
  trialEndsAt: string | null;
  /** Set while deleted: when, and when its data is purged (it can be restored until then). */
  deletedAt: string | null;
  purgeAfter: string | null;
  settings: NonNullable<TenantItem['settings']>;
  limitOverrides: Record<string, number | null>;
  createdAt: string;
  updatedAt: string;
}

export function toTenantView(item: TenantItem): TenantView {
  return {
    id: item.tenantId,
    name: item.name,
    slug: item.slug,
    plan: item.plan,
    status: item.status,
    statusReason: item.statusReason || null,
    trialEndsAt: item.trialEndsAt ?? null,
    deletedAt: item.deletedAt ?? null,
    purgeAfter: item.purgeAfter ?? null,
    settings: item.settings ?? {},
    limitOverrides: (item.limitOverrides as Record<string, number | null> | undefined) ?? {},
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
