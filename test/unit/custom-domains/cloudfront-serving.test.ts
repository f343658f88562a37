import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFrontClient,
  CNAMEAlreadyExists,
  CreateDistributionTenantCommand,
  DeleteDistributionTenantCommand,
  EntityAlreadyExists,
  EntityNotFound,
  GetDistributionTenantCommand,
  GetManagedCertificateDetailsCommand,
  UpdateDistributionTenantCommand,
} from '@aws-sdk/client-cloudfront';
import {
  cloudFrontServing,
  distributionTenantName,
  ServingRefused,
} from '../../../shared/custom-domains/domain-serving';

const cloudFront = mockClient(CloudFrontClient);
const serving = cloudFrontServing(new CloudFrontClient({ region: 'us-east-1' }), {
  distributionId: 'E2MULTITENANT',
  connectionGroupId: 'cg_123',
});
const meta = { $metadata: {}, message: 'x' };

describe('serving custom domains with CloudFront distribution tenants', () => {
  beforeEach(() => cloudFront.reset());

  it('makes one distribution tenant per domain, in the connection group, with a managed certificate', async () => {
    cloudFront.on(CreateDistributionTenantCommand).resolves({ DistributionTenant: { Id: 'dt_1' } });
    expect(await serving.provision({ tenantId: 'ten_A', domain: 'app.acme.example' })).toEqual({
      servingId: 'dt_1',
    });
    const [call] = cloudFront.commandCalls(CreateDistributionTenantCommand);
    expect(call?.args[0].input).toEqual({
      DistributionId: 'E2MULTITENANT',
      Name: distributionTenantName('app.acme.example'),
      Domains: [{ Domain: 'app.acme.example' }],
      ConnectionGroupId: 'cg_123',
      Enabled: true,
      ManagedCertificateRequest: {
        ValidationTokenHost: 'cloudfront',
        PrimaryDomainName: 'app.acme.example',
        CertificateTransparencyLoggingPreference: 'enabled',
      },
      Tags: { Items: [{ Key: 'tenantry:tenant', Value: 'ten_A' }] },
    });
    expect(distributionTenantName('app.acme.example')).toMatch(/^app-acme-example-[0-9a-f]{10}$/);
  });

  it('finds the tenant an interrupted check made, and refuses a domain CloudFront serves elsewhere', async () => {
    cloudFront
      .on(CreateDistributionTenantCommand)
      .rejects(new EntityAlreadyExists(meta))
      .on(GetDistributionTenantCommand)
      .resolves({ DistributionTenant: { Id: 'dt_earlier' } });
    expect(await serving.provision({ tenantId: 'ten_A', domain: 'app.acme.example' })).toEqual({
      servingId: 'dt_earlier',
    });
    expect(cloudFront.commandCalls(GetDistributionTenantCommand)[0]?.args[0].input).toEqual({
      Identifier: distributionTenantName('app.acme.example'),
    });
    cloudFront.reset();
    cloudFront.on(CreateDistributionTenantCommand).rejects(new CNAMEAlreadyExists(meta));
    await expect(serving.provision({ tenantId: 'ten_A', domain: 'app.acme.example' })).rejects.toBeInstanceOf(
      ServingRefused,
    );
  });

  it('is ready only when deployed, the domain active and the certificate issued; says what it waits for', async () => {
    cloudFront
      .on(GetDistributionTenantCommand)
      .resolves({
        DistributionTenant: {
          Id: 'dt_1',
          Status: 'InProgress',
          Domains: [{ Domain: 'a', Status: 'inactive' }],
        },
      })
      .on(GetManagedCertificateDetailsCommand)
      .resolves({ ManagedCertificateDetails: { CertificateStatus: 'pending-validation' } });
    const waiting = await serving.status('dt_1');
    expect(waiting.ready).toBe(false);
    expect(waiting.detail).toContain('waits for validation');
    expect(waiting.detail).toContain('deploying');
    cloudFront.reset();
    cloudFront
      .on(GetDistributionTenantCommand)
      .resolves({
        DistributionTenant: { Id: 'dt_1', Status: 'Deployed', Domains: [{ Domain: 'a', Status: 'active' }] },
      })
      .on(GetManagedCertificateDetailsCommand)
      .resolves({ ManagedCertificateDetails: { CertificateStatus: 'issued' } });
    expect(await serving.status('dt_1')).toEqual({
      ready: true,
      detail: 'served by CloudFront with an issued certificate.',
    });
  });

  it('takes a tenant down as CloudFront allows: disable, wait for the deployment, delete with its ETag', async () => {
    cloudFront
      .on(GetDistributionTenantCommand)
      .resolvesOnce({ DistributionTenant: { Id: 'dt_1', Enabled: true, Status: 'Deployed' }, ETag: 'E1' })
      .resolvesOnce({ DistributionTenant: { Id: 'dt_1', Enabled: false, Status: 'InProgress' }, ETag: 'E2' })
      .resolvesOnce({ DistributionTenant: { Id: 'dt_1', Enabled: false, Status: 'Deployed' }, ETag: 'E3' })
      .rejects(new EntityNotFound(meta));
    expect(await serving.release('dt_1')).toBe(false);
    expect(cloudFront.commandCalls(UpdateDistributionTenantCommand)[0]?.args[0].input).toEqual({
      Id: 'dt_1',
      IfMatch: 'E1',
      Enabled: false,
    });
    expect(await serving.release('dt_1')).toBe(false);
    expect(cloudFront.commandCalls(DeleteDistributionTenantCommand)).toHaveLength(0);
    expect(await serving.release('dt_1')).toBe(true);
    expect(cloudFront.commandCalls(DeleteDistributionTenantCommand)[0]?.args[0].input).toEqual({
      Id: 'dt_1',
      IfMatch: 'E3',
    });
    // Gone already (deleted by an earlier try): released.
    expect(await serving.release('dt_1')).toBe(true);
  });
});
