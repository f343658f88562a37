import { platformDocumentClient } from '../data/clients';
import { TenantEntity } from '../data/entities/tenant';
import { tenantOfSsoProvider } from '../model/sso';
import {
  deleteFederatedProvider,
  listFederatedProviderNames,
  offerClientProviders,
} from './cognito-federation';
import { readSsoConnectionAsPlatform } from './sso-service';

/**
 * How long a tenant's provider setting must have stood before the reconcile takes its provider off the
 * app client: saving a provider changes the client first and records the setting after, so a setting
 * younger than this may be one whose save is still under way.
 */
export const SETTLED_AFTER_MS = 5 * 60_000;

/** How many tenants' settings are read at once. */
const READ_CONCURRENCY = 10;

export interface ProviderReconcileResult {
  /** The tenants' identity providers the pool has. */
  providers: number;
  /** Those the app client offers now (enabled by their tenant). */
  offered: number;
  /** Added to the app client by this run (a deploy or a crash had left them out). */
  added: string[];
  /** Taken off the app client by this run (the tenant turned its provider off, or it is gone). */
  removed: string[];
  /** Deleted from the pool by this run: providers of tenants purged (the purge leaves them). */
  deleted: string[];
}

/**
 * Makes the app client offer exactly the tenants' identity providers their tenants have enabled. A
 * deploy that changes the app client resets its `SupportedIdentityProviders` to what the template
 * says (`COGNITO`), and a save that crashed half-way can leave a provider on or off; this puts each
 * back. It runs after every deploy that changes the client (a custom resource) and daily.
 *
 * A provider whose tenant has no setting is left as it is (a save may be under way; the sign-in
 * trigger refuses its sign-ins all the same), unless the tenant itself is gone: a purged tenant's
 * provider is taken off and deleted from the pool (it counts against the pool's quota of providers).
 * COGNITO and any provider operators added are kept.
 */
export async function reconcileFederatedProviders(now: Date = new Date()): Promise<ProviderReconcileResult> {
  const names = (await listFederatedProviderNames()).filter((name) => tenantOfSsoProvider(name) !== null);
  const offered: string[] = [];
  const settledOff = new Set<string>();
  const orphaned = new Set<string>();
  for (let start = 0; start < names.length; start += READ_CONCURRENCY) {
    await Promise.all(
      names.slice(start, start + READ_CONCURRENCY).map(async (name) => {
        const tenantId = tenantOfSsoProvider(name) as string;
        const [connection, tenant] = await Promise.all([
          readSsoConnectionAsPlatform(tenantId),
          TenantEntity.get({ tenantId }).go({ client: platformDocumentClient, consistent: true }),
        ]);
        if (!tenant.data) {
          orphaned.add(name);
          return;
        }
        if (!connection) return;
        if (connection.enabled) offered.push(name);
        else if (now.getTime() - Date.parse(connection.updatedAt) >= SETTLED_AFTER_MS) settledOff.add(name);
      }),
    );
  }
  const existing = new Set(names);
  const { before, after } = await offerClientProviders(
    offered,
    // A tenant's provider the pool no longer has, one its tenant turned off a while ago, or a purged one's.
    (name) =>
      tenantOfSsoProvider(name) !== null &&
      (!existing.has(name) || settledOff.has(name) || orphaned.has(name)),
  );
  // Off the client first, then deleted: the client never names a provider the pool lacks.
  for (const name of orphaned) await deleteFederatedProvider(name);
  return {
    providers: names.length,
    offered: offered.length,
    added: after.filter((name) => !before.includes(name)),
    removed: before.filter((name) => !after.includes(name)),
    deleted: [...orphaned],
  };
}
