import { Service } from 'electrodb';
import { TABLE_NAME } from './clients';
import { AgentEntity } from './entities/agent';
import { ApiKeyEntity } from './entities/api-key';
import { ApiKeyLookupEntity } from './entities/api-key-lookup';
import { AuditEventEntity } from './entities/audit-event';
import { BillingCustomerEntity } from './entities/billing-customer';
import { BillingEventEntity } from './entities/billing-event';
import { BillingOutboxEntity } from './entities/billing-outbox';
import { BillingPeriodEntity } from './entities/billing-period';
import { CustomDomainEntity } from './entities/custom-domain';
import { DomainClaimEntity } from './entities/domain-claim';
import { TenantLogoEntity } from './entities/tenant-logo';
import { SsoConnectionEntity } from './entities/sso-connection';
import { SsoDomainEntity } from './entities/sso-domain';
import { SsoDomainClaimEntity } from './entities/sso-domain-claim';
import { ScimGroupEntity } from './entities/scim-group';
import { PersonSessionEntity, PersonSignOutEntity } from './entities/person-session';
import { MembershipEntity } from './entities/membership';
import { MemoryItemEntity } from './entities/memory-item';
import { ProjectEntity } from './entities/project';
import { ChildTenantEntity } from './entities/child-tenant';
import { DelegationEntity } from './entities/delegation';
import { ProjectUsageEntity } from './entities/project-usage';
import { PlatformAdminEntity } from './entities/platform-admin';
import { PlatformAdminCountEntity } from './entities/platform-admin-count';
import { PlatformAuditEventEntity } from './entities/platform-audit-event';
import { QuotaCounterEntity } from './entities/quota-counter';
import { RateWindowEntity } from './entities/rate-window';
import { RunEntity } from './entities/run';
import { SecretSettingEntity } from './entities/secret-setting';
import { SlugClaimEntity } from './entities/slug-claim';
import { TenantEntity } from './entities/tenant';
import { TenantExportEntity } from './entities/tenant-export';
import { UsageBucketEntity } from './entities/usage-bucket';
import { WebhookEndpointEntity } from './entities/webhook-endpoint';

/**
 * The ElectroDB service over the one table, for transactions that span entities. Tenant code passes
 * the tenant-guarded client to each transaction; provisioning passes the platform client. Made at
 * the first transaction, not at load: ElectroDB tells each entity from a model by running its model
 * check on it (about 10 ms for the 21 entities), which a function serving only reads never needs.
 */
const makeService = () =>
  new Service(
    {
      tenant: TenantEntity,
      membership: MembershipEntity,
      auditEvent: AuditEventEntity,
      slugClaim: SlugClaimEntity,
      quotaCounter: QuotaCounterEntity,
      usageBucket: UsageBucketEntity,
      agent: AgentEntity,
      run: RunEntity,
      memoryItem: MemoryItemEntity,
      secretSetting: SecretSettingEntity,
      apiKey: ApiKeyEntity,
      apiKeyLookup: ApiKeyLookupEntity,
      billingOutbox: BillingOutboxEntity,
      billingPeriod: BillingPeriodEntity,
      billingEvent: BillingEventEntity,
      billingCustomer: BillingCustomerEntity,
      platformAdmin: PlatformAdminEntity,
      platformAdminCount: PlatformAdminCountEntity,
      platformAuditEvent: PlatformAuditEventEntity,
      tenantExport: TenantExportEntity,
      webhookEndpoint: WebhookEndpointEntity,
      rateWindow: RateWindowEntity,
      customDomain: CustomDomainEntity,
      domainClaim: DomainClaimEntity,
      tenantLogo: TenantLogoEntity,
      ssoConnection: SsoConnectionEntity,
      ssoDomain: SsoDomainEntity,
      ssoDomainClaim: SsoDomainClaimEntity,
      scimGroup: ScimGroupEntity,
      personSession: PersonSessionEntity,
      personSignOut: PersonSignOutEntity,
      project: ProjectEntity,
      projectUsage: ProjectUsageEntity,
      childTenant: ChildTenantEntity,
      delegation: DelegationEntity,
    },
    // No client here: a Service would impose it on every entity. Each transaction names its client.
    { table: TABLE_NAME },
  );

let service: ReturnType<typeof makeService> | undefined;

export function tenantryService(): ReturnType<typeof makeService> {
  service ??= makeService();
  return service;
}

type TenantryService = ReturnType<typeof makeService>;

/** The entities a transaction callback receives, to type helpers that build one transaction item. */
export type TransactionEntities = Parameters<Parameters<TenantryService['transaction']['write']>[0]>[0];

/** One item of a write transaction, as an ElectroDB entity's `.commit()` builds it. */
export type TransactionItem = ReturnType<Parameters<TenantryService['transaction']['write']>[0]>[number];
