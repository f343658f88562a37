import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  CreateIdentityProviderCommand,
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ulid } from 'ulid';
import { handler } from '../../functions/jobs/sso-reconcile';
import { cognitoClient } from '../../shared/identity/user-directory';
import { ssoProviderName } from '../../shared/model/sso';
import { setClientSupportsProvider } from '../../shared/sso/cognito-federation';
import { reconcileFederatedProviders, SETTLED_AFTER_MS } from '../../shared/sso/provider-reconcile';
import { addPerson, discoverAndSignIn, ssoTenant, twinOidcProvider } from '../helpers/sso-sign-in';
import { call, twin, type TestTenant } from '../helpers/twin-api';

/**
 * The provider reconcile on the twin's pool: a deploy that changes the app client (or a save that
 * crashed half-way) leaves a tenant's enabled provider off the client, and nobody can sign in through
 * it; the reconcile offers it again, takes off one its tenant turned off a while ago, and keeps
 * COGNITO. Run as the daily job and as CloudFormation's custom resource after a deploy.
 *
 * Other tests' providers share the pool's one client, so this one takes only its own tenants' off.
 */
async function offered(): Promise<string[]> {
  const { UserPoolClient } = await cognitoClient.send(
    new DescribeUserPoolClientCommand({ UserPoolId: twin.userPoolId, ClientId: twin.clientId }),
  );
  return UserPoolClient?.SupportedIdentityProviders ?? [];
}

describe('the SSO provider reconcile', () => {
  let enabled: { tenant: TestTenant; domain: string };
  let disabled: { tenant: TestTenant; domain: string };
  let server: Server;
  let responseUrl: string;
  const answers: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    [enabled, disabled] = await Promise.all([ssoTenant(), ssoTenant()]);
    const off = await call('PUT', `/v1/tenants/${disabled.tenant.id}/sso`, {
      token: disabled.tenant.owner.token,
      body: twinOidcProvider(twin.oidcIdp, { enabled: false }),
    });
    expect(off.status, off.text).toBe(200);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        answers.push({ method: req.method, ...(JSON.parse(body) as Record<string, unknown>) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    responseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/response`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const signIn = async (domain: string) => {
    const email = `ada@${domain}`;
    await addPerson(email, ['staff']);
    return discoverAndSignIn(email);
  };

  it('offers an enabled provider the client lost again, so its people sign in (the daily job)', async () => {
    const name = ssoProviderName(enabled.tenant.id);
    expect(await offered()).toContain(name);
    // What a deploy of the client (or a crash) leaves: the provider is not on the client.
    await setClientSupportsProvider(name, false);
    const refused = await signIn(enabled.domain);
    expect(refused.error).toBe('invalid_request');
    expect(refused.errorDescription).toMatch(/does not offer/);

    const result = await handler({ job: 'sso-reconcile' });
    expect(result?.added).toContain(name);
    const now = await offered();
    expect(now).toContain(name);
    expect(now).toContain('COGNITO');
    expect(now).not.toContain(ssoProviderName(disabled.tenant.id));
    const back = await signIn(enabled.domain);
    expect(back.error, back.errorDescription).toBeUndefined();
    expect(back.tokens?.id_token).toBeTruthy();
    // Run again, it changes nothing.
    expect((await reconcileFederatedProviders()).added).toEqual([]);
  });

  it('takes off a provider its tenant turned off a while ago, and leaves one turned off just now', async () => {
    const name = ssoProviderName(disabled.tenant.id);
    // A crash left the disabled provider on the client.
    await setClientSupportsProvider(name, true);
    // Just turned off: perhaps a save under way; left as it is.
    expect((await reconcileFederatedProviders()).removed).not.toContain(name);
    expect(await offered()).toContain(name);
    // Settled: taken off.
    const later = new Date(Date.now() + SETTLED_AFTER_MS + 1000);
    expect((await reconcileFederatedProviders(later)).removed).toContain(name);
    expect(await offered()).not.toContain(name);
    expect(await offered()).toContain(ssoProviderName(enabled.tenant.id));
  });

  it('takes off and deletes the provider of a tenant that is gone (purged), and keeps its positive control', async () => {
    // A purged tenant's provider: its tenant and setting went with the purge, the provider stayed.
    const name = ssoProviderName(`ten_${ulid()}`);
    await cognitoClient.send(
      new CreateIdentityProviderCommand({
        UserPoolId: twin.userPoolId,
        ProviderName: name,
        ProviderType: 'OIDC',
        ProviderDetails: {
          client_id: twin.oidcIdp.clientId,
          client_secret: twin.oidcIdp.clientSecret,
          authorize_scopes: 'openid email',
          oidc_issuer: twin.oidcIdp.issuer,
        },
      }),
    );
    await setClientSupportsProvider(name, true);
    const result = await reconcileFederatedProviders();
    expect(result.deleted).toContain(name);
    expect(result.removed).toContain(name);
    expect(await offered()).not.toContain(name);
    const gone = await cognitoClient
      .send(new DescribeIdentityProviderCommand({ UserPoolId: twin.userPoolId, ProviderName: name }))
      .then(() => 'still there')
      .catch((error: { name: string }) => error.name);
    expect(gone).toBe('ResourceNotFoundException');
    // A tenant that exists keeps its provider, on the client and in the pool.
    const kept = ssoProviderName(enabled.tenant.id);
    expect(result.deleted).not.toContain(kept);
    expect(await offered()).toContain(kept);
  });

  it('runs as CloudFormation’s custom resource after a deploy, and always answers it', async () => {
    const name = ssoProviderName(enabled.tenant.id);
    await setClientSupportsProvider(name, false);
    const event = (type: 'Create' | 'Update' | 'Delete') =>
      ({
        RequestType: type,
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:reconcile',
        ResponseURL: responseUrl,
        StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Tenantry/1',
        RequestId: `request-${type}`,
        LogicalResourceId: 'JobsSsoReconcileAfterDeploy',
        ResourceType: 'Custom::SsoProviderReconcile',
        ResourceProperties: { ServiceToken: 'x', clientSettings: 'digest' },
        ...(type === 'Create'
          ? {}
          : { PhysicalResourceId: 'tenantry-sso-provider-reconcile', OldResourceProperties: {} }),
      }) as unknown as CloudFormationCustomResourceEvent;
    await handler(event('Update'));
    expect(await offered()).toContain(name);
    expect(answers.at(-1)).toMatchObject({
      method: 'PUT',
      Status: 'SUCCESS',
      RequestId: 'request-Update',
      LogicalResourceId: 'JobsSsoReconcileAfterDeploy',
      PhysicalResourceId: 'tenantry-sso-provider-reconcile',
      Reason: expect.stringMatching(/^Offered \d+ of \d+ tenant providers \(added 1/),
    });
    // Deleting the stack's resource changes nothing on the client; CloudFormation is still answered.
    await setClientSupportsProvider(name, false);
    await handler(event('Delete'));
    expect(await offered()).not.toContain(name);
    expect(answers.at(-1)).toMatchObject({ Status: 'SUCCESS', RequestId: 'request-Delete' });
    await handler({ job: 'sso-reconcile' });
    expect(await offered()).toContain(name);
    // A reconcile that would outlast the function's time: CloudFormation is answered before it is up.
    await handler(event('Update'), { getRemainingTimeInMillis: () => 15_000 });
    expect(answers.at(-1)).toMatchObject({
      Status: 'SUCCESS',
      RequestId: 'request-Update',
      Reason: expect.stringMatching(/daily run repairs it\): it ran out of time/),
    });
  });
});
