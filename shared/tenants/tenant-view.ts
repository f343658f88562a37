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
  settings: NonNullable<TenantItem['settings']>;
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
    settings: item.settings ?? {},
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
