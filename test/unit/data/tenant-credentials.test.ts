import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ownerContext } from '../../helpers/tenant-context';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::123456789012:role/tenant-data';
const A = 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA';
const B = 'ten_01BBBBBBBBBBBBBBBBBBBBBBBB';

/** Loads the data clients with a tenant role configured, as in AWS. */
async function withTenantRole() {
  vi.stubEnv('TENANT_ROLE_ARN', ROLE);
  vi.resetModules();
  sts.on(AssumeRoleCommand).callsFake((input: { Tags: Array<{ Value: string }> }) => ({
    Credentials: {
      AccessKeyId: `AKIA-${input.Tags[0]?.Value}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }));
  return import('../../../shared/data/clients');
}

describe('tenant-scoped credentials', () => {
  afterEach(() => {
    sts.reset();
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('signs each tenant’s client with the tenant role assumed under that tenant’s session tag', async () => {
    const { tenantClientFor } = await withTenantRole();
    const credentials = tenantClientFor(A).config.credentials as () => Promise<{ accessKeyId: string }>;
    expect((await credentials()).accessKeyId).toBe(`AKIA-${A}`);
    const [call] = sts.commandCalls(AssumeRoleCommand);
    expect(call?.args[0].input).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: `tenant-${A}`,
      Tags: [{ Key: 'tenantId', Value: A }],
    });
  });

  it('gives another tenant its own client and its own credentials', async () => {
    const { tenantClientFor } = await withTenantRole();
    expect(tenantClientFor(A)).toBe(tenantClientFor(A));
    expect(tenantClientFor(B)).not.toBe(tenantClientFor(A));
    const credentials = tenantClientFor(B).config.credentials as () => Promise<{ accessKeyId: string }>;
    expect((await credentials()).accessKeyId).toBe(`AKIA-${B}`);
  });

  it('uses the process’s own credentials where no tenant role is configured (the twin)', async () => {
    vi.resetModules();
    const { tenantCredentials } = await import('../../../shared/data/tenant-credentials');
    expect(tenantCredentials(A)).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('sends nothing when no tenant is in scope', async () => {
    const { tenantDocumentClient } = await withTenantRole();
    await expect(
      tenantDocumentClient.send(new GetCommand({ TableName: 't', Key: { pk: `TENANT#${A}`, sk: 'TENANT' } })),
    ).rejects.toMatchObject({ code: 'tenant_isolation_violation' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('routes a command to the client of the tenant in scope (positive control)', async () => {
    const { tenantDocumentClient, tenantClientFor } = await withTenantRole();
    const { runWithTenantContext } = await import('../../../shared/context/tenant-context');
    const send = vi.spyOn(tenantClientFor(A), 'send').mockResolvedValue({} as never);
    const ctx = ownerContext(A, 'usr_01CCCCCCCCCCCCCCCCCCCCCCCC', 'professional');
    await runWithTenantContext(ctx, () =>
      tenantDocumentClient.send(new GetCommand({ TableName: 't', Key: { pk: `TENANT#${A}`, sk: 'TENANT' } })),
    );
    expect(send).toHaveBeenCalledOnce();
  });
});
