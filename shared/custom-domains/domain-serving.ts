import { createHash } from 'node:crypto';
import {
  CloudFrontClient,
  CreateDistributionTenantCommand,
  DeleteDistributionTenantCommand,
  GetDistributionTenantCommand,
  GetManagedCertificateDetailsCommand,
  UpdateDistributionTenantCommand,
} from '@aws-sdk/client-cloudfront';
import { getConfig } from '../config';

/**
 * What serves a verified custom domain over TLS. In AWS: one distribution tenant per domain on the
 * stack's multi-tenant CloudFront distribution, in its connection group (whose routing endpoint is
 * the CNAME target), with a CloudFront-managed certificate validated over HTTP once the CNAME points
 * there. One distribution holds the tenants of every domain, so 10,000 tenants need no per-domain API
 * Gateway domain (about 120 per region) nor a certificate of the account's own (ACM's 2,500): see
 * docs/operations.md. On the twin the gateway already answers any host, so serving is immediate.
 */
export interface DomainServing {
  readonly kind: 'cloudfront' | 'local' | 'none';
  /** Makes (or finds again, after a crash) the serving resource; its id is kept with the domain. */
  provision(input: { tenantId: string; domain: string }): Promise<{ servingId: string }>;
  /** Whether the host is served over TLS now, and if not, why, in words. */
  status(servingId: string): Promise<{ ready: boolean; detail: string }>;
  /** Takes the resource down: `true` once it is gone (CloudFront disables first, then deletes). */
  release(servingId: string): Promise<boolean>;
}

/** Serving could not be set up for a reason the tenant or the operators can act on. */
export class ServingRefused extends Error {}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? '';
}

/** A distribution tenant's name: unique per account, readable, stable for a domain (retries find it). */
export function distributionTenantName(domain: string): string {
  const hash = createHash('sha256').update(domain).digest('hex').slice(0, 10);
  return `${domain.replace(/[^a-z0-9]+/g, '-').slice(0, 100)}-${hash}`;
}

export function cloudFrontServing(
  client: CloudFrontClient,
  settings: { distributionId: string; connectionGroupId: string | undefined },
): DomainServing {
  return {
    kind: 'cloudfront',
    async provision({ tenantId, domain }) {
      const name = distributionTenantName(domain);
      try {
        const created = await client.send(
          new CreateDistributionTenantCommand({
            DistributionId: settings.distributionId,
            Name: name,
            Domains: [{ Domain: domain }],
            ...(settings.connectionGroupId ? { ConnectionGroupId: settings.connectionGroupId } : {}),
            Enabled: true,
            ManagedCertificateRequest: {
              ValidationTokenHost: 'cloudfront',
              PrimaryDomainName: domain,
              CertificateTransparencyLoggingPreference: 'enabled',
            },
            Tags: { Items: [{ Key: 'tenantry:tenant', Value: tenantId }] },
          }),
        );
        const id = created.DistributionTenant?.Id;
        if (!id) throw new Error('CloudFront made a distribution tenant without an id');
        return { servingId: id };
      } catch (error) {
        if (errorName(error) === 'EntityAlreadyExists') {
          // Made by an earlier check that did not get to record it: the name finds it again.
          const found = await client.send(new GetDistributionTenantCommand({ Identifier: name }));
          const id = found.DistributionTenant?.Id;
          if (id) return { servingId: id };
        }
        if (errorName(error) === 'CNAMEAlreadyExists') {
          throw new ServingRefused(
            `CloudFront serves ${domain} elsewhere already (a distribution outside this deployment, or one being taken down); it is tried again at the next check.`,
          );
        }
        throw error;
      }
    },
    async status(servingId) {
      const [tenant, certificate] = await Promise.all([
        client.send(new GetDistributionTenantCommand({ Identifier: servingId })),
        client.send(new GetManagedCertificateDetailsCommand({ Identifier: servingId })),
      ]);
      const deployed = tenant.DistributionTenant?.Status === 'Deployed';
      const domainsActive = (tenant.DistributionTenant?.Domains ?? []).every(
        (domain) => domain.Status === 'active',
      );
      const certificateStatus = certificate.ManagedCertificateDetails?.CertificateStatus ?? 'unknown';
      const ready = deployed && domainsActive && certificateStatus === 'issued';
      const detail = ready
        ? 'served by CloudFront with an issued certificate.'
        : [
            certificateStatus === 'issued'
              ? null
              : certificateStatus === 'pending-validation'
                ? 'the certificate waits for validation (CloudFront answers its HTTP token once the CNAME points at the target).'
                : `the certificate is ${certificateStatus}: check the CNAME and CAA records, then remove and add the domain again.`,
            deployed ? null : 'the distribution tenant is deploying (minutes).',
            domainsActive ? null : 'CloudFront has not activated the domain yet.',
          ]
            .filter(Boolean)
            .join(' ');
      return { ready, detail };
    },
    async release(servingId) {
      let current;
      try {
        current = await client.send(new GetDistributionTenantCommand({ Identifier: servingId }));
      } catch (error) {
        if (errorName(error) === 'EntityNotFound' || errorName(error) === 'NoSuchResource') return true;
        throw error;
      }
      const tenant = current.DistributionTenant;
      if (tenant?.Enabled !== false) {
        await client.send(
          new UpdateDistributionTenantCommand({ Id: servingId, IfMatch: current.ETag, Enabled: false }),
        );
        return false;
      }
      if (tenant.Status !== 'Deployed') return false;
      await client.send(new DeleteDistributionTenantCommand({ Id: servingId, IfMatch: current.ETag }));
      return true;
    },
  };
}

/** The twin's: its gateway answers every host already (a CNAME to it in the local DNS is the proof). */
export const localServing: DomainServing = {
  kind: 'local',
  provision: ({ domain }) => Promise.resolve({ servingId: `local:${domain}` }),
  status: () => Promise.resolve({ ready: true, detail: 'served by the twin’s gateway.' }),
  release: () => Promise.resolve(true),
};

/** A deployment that serves no custom domains yet: domains verify, and wait there. */
export const noServing: DomainServing = {
  kind: 'none',
  provision: () =>
    Promise.reject(
      new ServingRefused('This deployment serves no custom domains yet (CUSTOM_DOMAIN_SERVING).'),
    ),
  status: () => Promise.resolve({ ready: false, detail: 'This deployment serves no custom domains yet.' }),
  release: () => Promise.resolve(true),
};

let configured: DomainServing | undefined;

/** The serving the configuration names (CUSTOM_DOMAIN_SERVING), made once per instance. */
export function configuredServing(): DomainServing {
  if (configured) return configured;
  const { serving, cloudFront } = getConfig().customDomains;
  if (serving === 'cloudfront') {
    if (!cloudFront.distributionId)
      throw new Error('CUSTOM_DOMAIN_SERVING=cloudfront needs CLOUDFRONT_DISTRIBUTION_ID');
    configured = cloudFrontServing(new CloudFrontClient({ region: 'us-east-1' }), {
      distributionId: cloudFront.distributionId,
      connectionGroupId: cloudFront.connectionGroupId,
    });
  } else configured = serving === 'local' ? localServing : noServing;
  return configured;
}
