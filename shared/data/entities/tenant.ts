import { Entity, type EntityItem } from '../electrodb-entity';
import { TENANT_ID_ATTRIBUTE, RECORD_TIMESTAMPS } from './record-attributes';
import { PLAN_IDS } from '../../model/plans';
import { TENANT_STATUSES } from '../../model/tenant-status';
import { TENANT_PARTITION_KEY } from '../table-definition';
import { TABLE_NAME, tenantDocumentClient } from '../clients';

/**
 * The tenant record. gsi1 is the platform listing index: `PLATFORM#TENANTS#<shard>` spreads tenants
 * over a few partitions (no hot key), sorted by `<status>#<tenantId>` so a status filter is a key
 * condition. It is a platform index: its partition key carries no tenant prefix, and only the
 * platform client queries it.
 */
export const TenantEntity = new Entity(
  {
    model: { entity: 'tenant', version: '1', service: 'tenantry' },
    attributes: {
      ...TENANT_ID_ATTRIBUTE,
      name: { type: 'string', required: true },
      slug: { type: 'string', required: true, readOnly: true },
      plan: { type: PLAN_IDS, required: true },
      status: { type: TENANT_STATUSES, required: true },
      /** The partner tenant that created it, if one did (a partner's child). */
      parentId: { type: 'string', readOnly: true },
      /** Its ancestors, the root first and the parent last: each lists it from its own partition. */
      ancestorIds: { type: 'list', items: { type: 'string' }, readOnly: true },
      statusReason: { type: 'string' },
      /** The typed settings it set (`setting-registry.ts`): by key, the value, who set it and when. */
      typedSettings: { type: 'any' },
      /** What suspended it, when not a person: a quota policy (sustained overage), lifted by itself. */
      suspendedBy: { type: ['quota_policy'] as const },
      /** A platform admin's note on the suspension, shown to platform admins only (never audited in the tenant). */
      internalNote: { type: 'string' },
      trialEndsAt: { type: 'string' },
      /**
       * Active owners, kept in step with owner memberships so "the last owner stays" is one
       * conditional update; pending owners do not count. Absent on tenants made before it existed,
       * until their first owner change recounts it.
       */
      activeOwnerCount: { type: 'number' },
      settings: {
        type: 'map',
        properties: {
          mfaRequired: { type: 'boolean' },
          defaultLocale: { type: 'string' },
          timezone: { type: 'string' },
          /** CIDR blocks a member's request must come from (none: any address). */
          ipAllowlist: { type: 'list', items: { type: 'string' } },
        },
      },
      /**
       * What the tenant says of itself (shared/tenants/tenant-profile.ts): the name people see, how to
       * reach it, the colour of its branding. Its logo is an item of its own (read only where shown).
       */
      profile: {
        type: 'map',
        properties: {
          displayName: { type: 'string' },
          contactEmail: { type: 'string' },
          billingEmail: { type: 'string' },
          phone: { type: 'string' },
          company: { type: 'string' },
          primaryColor: { type: 'string' },
        },
      },
      /** Per-tenant limit overrides (validated at the edge; `null` = unlimited). */
      limitOverrides: { type: 'any' },
      /** The slices of its limits its parent (a partner) gave it: its limit for each resource named. */
      allocation: { type: 'any' },
      /** The monthly resources it draws from its parent’s pool (runs, tokens), instead of its own limits. */
      pooled: { type: 'list', items: { type: 'string' } },
      /** What it (a partner) gave its children, by resource: taken off its own limits. */
      allocatedToChildren: { type: 'any' },
      /** Moves with every change of `allocatedToChildren`: the condition two allocations race on. */
      allocationVersion: { type: 'number' },
      /** The partner that pays for it (its plan and overage on the partner's invoice); absent: it pays. */
      billedTo: { type: 'string' },
      /** The tenant's Stripe customer, made by the billing outbox after the tenant is created. */
      stripeCustomerId: { type: 'string' },
      /** The subscription the plan follows, as Stripe last said it (re-read at every webhook). */
      subscriptionId: { type: 'string' },
      subscriptionStatus: { type: 'string' },
      billingPeriodEnd: { type: 'string' },
      /** When a payment first failed, for the grace before suspension; cleared when one is paid. */
      pastDueSince: { type: 'string' },
      /** Set while deleted: when, by whom, the status it had, and when its data is purged. */
      deletedAt: { type: 'string' },
      deletedBy: { type: 'string' },
      statusBeforeDeletion: { type: ['active', 'suspended'] as const },
      /** The paid plan a deletion's cancelled subscription was for: offered again after a restore. */
      planBeforeDeletion: { type: PLAN_IDS },
      purgeAfter: { type: 'string' },
      /**
       * Its identity provider is required for the addresses of the domains it has captured (a password
       * session of such an address is refused), but for the break-glass owner named here.
       */
      ssoRequired: { type: 'boolean' },
      ssoBreakGlassUserId: { type: 'string' },
      shard: { type: 'number', required: true, readOnly: true },
      ...RECORD_TIMESTAMPS,
    },
    indexes: {
      byId: {
        pk: TENANT_PARTITION_KEY,
        sk: { field: 'sk', composite: [], template: 'TENANT', casing: 'none' },
      },
      platformListing: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', composite: ['shard'], template: 'PLATFORM#TENANTS#${shard}', casing: 'none' },
        sk: {
          field: 'gsi1sk',
          composite: ['status', 'tenantId'],
          template: '${status}#${tenantId}',
          casing: 'none',
        },
      },
    },
  },
  { table: TABLE_NAME, client: tenantDocumentClient },
);

export type TenantItem = EntityItem<typeof TenantEntity>;
