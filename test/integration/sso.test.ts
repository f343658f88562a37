import { beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  addUser,
  call,
  cognito,
  createTenant,
  storedAuditEvents,
  twin,
  unique,
  type TestTenant,
  type TestUser,
} from '../helpers/twin-api';
import { idpMetadata, signingCertificate } from '../helpers/saml-metadata';
import { addRecord } from '../../infra/local/dns-local';
import { twinOidcProvider } from '../helpers/sso-sign-in';

/**
 * A tenant's identity provider on the twin: the sso function checks it (OIDC discovery at the twin's
 * stand-in OpenID provider; SAML metadata), then makes it a Cognito identity provider offered by the
 * app client through the real SDK, against cognito-local's stand-in of Cognito's identity-provider API.
 */
interface SsoView {
  type: string;
  enabled: boolean;
  providerName: string;
  oidc: {
    issuer: string;
    clientId: string;
    clientSecretSet: boolean;
    endpoints: { authorization: string };
  } | null;
  saml: {
    entityId: string;
    certificates: Array<{ subject: string; expired: boolean; expiresInDays: number }>;
  } | null;
  serviceProvider: { redirectUri: string; acsUrl: string; entityId: string };
  defaultRole: string;
  roleMapping: unknown;
}

const providerIn = async (name: string) =>
  cognito
    .send(new DescribeIdentityProviderCommand({ UserPoolId: twin.userPoolId, ProviderName: name }))
    .then((answer) => answer.IdentityProvider)
    .catch((error: { name: string }) => error.name);
const clientProviders = async () =>
  (
    await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: twin.userPoolId, ClientId: twin.clientId }),
    )
  ).UserPoolClient?.SupportedIdentityProviders ?? [];

describe('a tenant’s identity provider', () => {
  let tenant: TestTenant;
  let admin: TestUser;
  const path = () => `/v1/tenants/${tenant.id}/sso`;
  const oidc = (extra: Record<string, unknown> = {}) => twinOidcProvider(twin.oidcIdp, extra);

  beforeAll(async () => {
    tenant = await createTenant({ plan: 'enterprise' });
    admin = await addUser(tenant, 'admin');
  });

  it('sets an OIDC provider: discovery checked, a Cognito provider made and offered by the app client', async () => {
    const saved = await call<SsoView>('PUT', path(), {
      token: tenant.owner.token,
      body: oidc({
        roleMapping: { attribute: 'groups', rules: [{ value: 'tenantry-admins', role: 'admin' }] },
      }),
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({
      type: 'oidc',
      enabled: true,
      providerName: `ten-${tenant.id.slice(4)}`,
      oidc: {
        issuer: twin.oidcIdp.issuer,
        clientId: twin.oidcIdp.clientId,
        clientSecretSet: true,
        endpoints: { authorization: `${twin.oidcIdp.issuer}/auth` },
      },
      serviceProvider: { redirectUri: `${twin.cognitoEndpoint}/oauth2/idpresponse` },
      defaultRole: 'member',
    });
    expect(saved.text).not.toContain(twin.oidcIdp.clientSecret);

    const provider = await providerIn(saved.body.providerName);
    expect(provider).toMatchObject({
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: twin.oidcIdp.clientId,
        oidc_issuer: twin.oidcIdp.issuer,
        authorize_scopes: 'openid email profile',
        authorize_url: `${twin.oidcIdp.issuer}/auth`,
      },
      AttributeMapping: { email: 'email', 'custom:ssoGroups': 'groups' },
    });
    expect(await clientProviders()).toContain(saved.body.providerName);

    const read = await call<SsoView>('GET', path(), { token: tenant.owner.token });
    expect(read.body).toEqual(saved.body);
    const audit = (await storedAuditEvents(tenant.id)).find((event) => event.action === 'sso.configured');
    expect(audit).toMatchObject({ targetType: 'sso', targetId: saved.body.providerName });
    expect(JSON.stringify(audit)).not.toContain(twin.oidcIdp.clientSecret);
  });

  it('keeps the client secret when the same issuer and client are saved again without it', async () => {
    const again = await call<SsoView>('PUT', path(), {
      token: tenant.owner.token,
      body: {
        type: 'oidc',
        oidc: { issuer: twin.oidcIdp.issuer, clientId: twin.oidcIdp.clientId },
        defaultRole: 'viewer',
      },
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({
      defaultRole: 'viewer',
      roleMapping: null,
      oidc: { clientSecretSet: true },
    });
    const provider = await providerIn(again.body.providerName);
    expect((provider as { ProviderDetails: Record<string, string> }).ProviderDetails.client_secret).toBe(
      twin.oidcIdp.clientSecret,
    );
    // A new client id needs its secret.
    const newClient = await call('PUT', path(), {
      token: tenant.owner.token,
      body: { type: 'oidc', oidc: { issuer: twin.oidcIdp.issuer, clientId: 'another-client' } },
    });
    expect(newClient.status).toBe(400);
    expect(newClient.body).toMatchObject({ code: 'validation_failed' });
  });

  it('refuses an issuer whose discovery fails or that the platform may not call, and changes nothing', async () => {
    const before = await call<SsoView>('GET', path(), { token: tenant.owner.token });
    const wrongIssuer = await call('PUT', path(), {
      token: tenant.owner.token,
      // The stand-in's discovery document names it without the path: not this issuer.
      body: twinOidcProvider({ ...twin.oidcIdp, issuer: `${twin.oidcIdp.issuer}/elsewhere` }),
    });
    expect(wrongIssuer.status, wrongIssuer.text).toBe(422);
    expect(wrongIssuer.body).toMatchObject({ code: 'sso_discovery_failed' });
    const privateAddress = await call('PUT', path(), {
      token: tenant.owner.token,
      body: twinOidcProvider({ ...twin.oidcIdp, issuer: 'https://10.0.0.8/idp' }),
    });
    expect(privateAddress.status).toBe(422);
    expect(privateAddress.body).toMatchObject({ code: 'sso_unreachable' });
    expect((await call('GET', path(), { token: tenant.owner.token })).body).toEqual(before.body);
  });

  it('sets a SAML provider from its metadata, showing each certificate’s expiry', async () => {
    const saml = await createTenant({ plan: 'enterprise' });
    const certificate = await signingCertificate('idp.northwind.example', {
      notAfterDate: new Date(Date.now() + 40 * 86_400_000),
    });
    const xml = idpMetadata({
      entityId: 'https://idp.northwind.example/saml',
      ssoUrl: 'https://idp.northwind.example/sso',
      certificates: [certificate.base64],
    });
    const saved = await call<SsoView>('PUT', `/v1/tenants/${saml.id}/sso`, {
      token: saml.owner.token,
      body: { type: 'saml', saml: { metadataXml: xml } },
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.saml).toMatchObject({
      entityId: 'https://idp.northwind.example/saml',
      certificates: [{ subject: 'CN=idp.northwind.example', expired: false, expiresInDays: 39 }],
    });
    expect(saved.body.serviceProvider).toEqual({
      redirectUri: `${twin.cognitoEndpoint}/oauth2/idpresponse`,
      acsUrl: `${twin.cognitoEndpoint}/saml2/idpresponse`,
      entityId: `urn:amazon:cognito:sp:${twin.userPoolId}`,
    });
    expect(await providerIn(saved.body.providerName)).toMatchObject({
      ProviderType: 'SAML',
      ProviderDetails: { MetadataFile: xml },
    });
    const broken = await call('PUT', `/v1/tenants/${saml.id}/sso`, {
      token: saml.owner.token,
      body: { type: 'saml', saml: { metadataXml: '<md:EntityDescriptor entityID="x"/>' } },
    });
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ code: 'sso_metadata_invalid' });
  });

  it('is the owners’ alone, and sold on Enterprise only (each refusal beside the rightful caller)', async () => {
    const byAdmin = await call('GET', path(), { token: admin.token });
    expect(byAdmin.status).toBe(403);
    expect((await call('GET', path(), { token: tenant.owner.token })).status).toBe(200);
    const professional = await createTenant({ plan: 'professional' });
    const unsold = await call('PUT', `/v1/tenants/${professional.id}/sso`, {
      token: professional.owner.token,
      body: oidc(),
    });
    expect(unsold.status).toBe(403);
    expect(unsold.body).toMatchObject({ code: 'feature_not_in_plan' });
    expect(await providerIn(`ten-${professional.id.slice(4)}`)).toBe('ResourceNotFoundException');
  });

  it('removes the provider: gone from the record, the app client and Cognito', async () => {
    const name = `ten-${tenant.id.slice(4)}`;
    const removed = await call('DELETE', path(), { token: tenant.owner.token });
    expect(removed.status, removed.text).toBe(204);
    expect(await clientProviders()).not.toContain(name);
    expect(await providerIn(name)).toBe('ResourceNotFoundException');
    const gone = await call('GET', path(), { token: tenant.owner.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'sso_not_configured' });
    const actions = (await storedAuditEvents(tenant.id)).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['sso.configured', 'sso.updated', 'sso.removed']));
  });
});

interface SsoDomainView {
  domain: string;
  state: string;
  verification: { name: string; value: string };
  verifiedBy: string | null;
  found: string[];
}

interface Discovery {
  sso: boolean;
  providerName: string | null;
  tenantId: string | null;
  authorizeUrl: string | null;
}

describe('email domains captured for a tenant’s provider, and home realm discovery', () => {
  let tenant: TestTenant;
  let rival: TestTenant;
  const domains = (t: TestTenant) => `/v1/tenants/${t.id}/sso/domains`;
  const discover = (email: string) => call<Discovery>('POST', '/v1/sso/discover', { body: { email } });

  beforeAll(async () => {
    [tenant, rival] = await Promise.all([
      createTenant({ plan: 'enterprise' }),
      createTenant({ plan: 'enterprise' }),
    ]);
    for (const t of [tenant, rival]) {
      const set = await call('PUT', `/v1/tenants/${t.id}/sso`, {
        token: t.owner.token,
        body: twinOidcProvider(twin.oidcIdp),
      });
      expect(set.status, set.text).toBe(200);
    }
  });

  it('verifies a domain by its TXT record, then sends its addresses to the tenant’s provider', async () => {
    const domain = `${unique('nw').toLowerCase()}.example`;
    const added = await call<SsoDomainView>('POST', domains(tenant), {
      token: tenant.owner.token,
      body: { domain },
    });
    expect(added.status, added.text).toBe(201);
    expect(added.body).toMatchObject({
      domain,
      state: 'pending',
      verification: { name: `_tenantry-sso.${domain}` },
    });
    // Not proven yet: still pending, and addresses there sign in with a password.
    const early = await call<SsoDomainView>('POST', `${domains(tenant)}/${domain}/check`, {
      token: tenant.owner.token,
      body: {},
    });
    expect(early.body).toMatchObject({ state: 'pending', found: [] });
    expect((await discover(`ada@${domain}`)).body).toMatchObject({ sso: false });

    addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
    const checked = await call<SsoDomainView>('POST', `${domains(tenant)}/${domain}/check`, {
      token: tenant.owner.token,
      body: {},
    });
    expect(checked.body).toMatchObject({ state: 'verified', verifiedBy: 'dns' });

    const found = await discover(`Ada@${domain.toUpperCase()}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      sso: true,
      tenantId: tenant.id,
      providerName: `ten-${tenant.id.slice(4)}`,
    });
    const authorize = new URL(found.body.authorizeUrl ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${twin.cognitoEndpoint}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      identity_provider: `ten-${tenant.id.slice(4)}`,
      client_id: twin.clientId,
      response_type: 'code',
      redirect_uri: `${twin.apiUrl}/sso/callback`,
    });
    // Another domain, and an address with none, still sign in with a password.
    expect((await discover(`ada@other-${domain}`)).body).toMatchObject({ sso: false, authorizeUrl: null });

    // One tenant's alone: the rival can neither add nor verify it.
    const rivalAdd = await call('POST', domains(rival), { token: rival.owner.token, body: { domain } });
    expect(rivalAdd.status).toBe(409);
    expect(rivalAdd.body).toMatchObject({ code: 'sso_domain_taken' });

    // Removed: the address signs in with a password again, and the rival may capture the domain.
    const removed = await call('DELETE', `${domains(tenant)}/${domain}`, { token: tenant.owner.token });
    expect(removed.status).toBe(204);
    expect((await discover(`ada@${domain}`)).body).toMatchObject({ sso: false });
    const rivalAgain = await call<SsoDomainView>('POST', domains(rival), {
      token: rival.owner.token,
      body: { domain },
    });
    expect(rivalAgain.status, rivalAgain.text).toBe(201);
  });

  it('lets two tenants race to verify one domain: exactly one holds it', async () => {
    const domain = `${unique('race').toLowerCase()}.example`;
    const [mine, theirs] = await Promise.all(
      [tenant, rival].map((t) =>
        call<SsoDomainView>('POST', domains(t), { token: t.owner.token, body: { domain } }),
      ),
    );
    // Both proved control (a shared zone), and both check at once.
    for (const added of [mine, theirs])
      addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added!.body.verification });
    const checks = await Promise.all(
      [tenant, rival].map((t) =>
        call<SsoDomainView>('POST', `${domains(t)}/${domain}/check`, { token: t.owner.token, body: {} }),
      ),
    );
    expect(checks.map((check) => check.status).sort()).toEqual([200, 409]);
    const winner = checks[0]?.status === 200 ? tenant : rival;
    expect((await discover(`grace@${domain}`)).body).toMatchObject({ sso: true, tenantId: winner.id });
  });

  it('takes a domain verified as the tenant’s custom domain at once', async () => {
    const domain = `${unique('cd').toLowerCase()}.example`;
    const custom = await call<{ verification: { name: string; value: string } }>(
      'POST',
      `/v1/tenants/${tenant.id}/domains`,
      { token: tenant.owner.token, body: { domain } },
    );
    addRecord(twin.dnsRecordsFile, { type: 'TXT', ...custom.body.verification });
    await call('POST', `/v1/tenants/${tenant.id}/domains/${domain}/check`, {
      token: tenant.owner.token,
      body: {},
    });
    const added = await call<SsoDomainView>('POST', domains(tenant), {
      token: tenant.owner.token,
      body: { domain },
    });
    expect(added.body).toMatchObject({ state: 'verified', verifiedBy: 'customDomain' });
  });

  it('sends no one to a provider that is disabled, or of a tenant whose plan no longer sells SSO', async () => {
    const domain = `${unique('off').toLowerCase()}.example`;
    const added = await call<SsoDomainView>('POST', domains(rival), {
      token: rival.owner.token,
      body: { domain },
    });
    addRecord(twin.dnsRecordsFile, { type: 'TXT', ...added.body.verification });
    await call('POST', `${domains(rival)}/${domain}/check`, { token: rival.owner.token, body: {} });
    expect((await discover(`linus@${domain}`)).body).toMatchObject({ sso: true });
    const disabled = await call('PUT', `/v1/tenants/${rival.id}/sso`, {
      token: rival.owner.token,
      body: {
        type: 'oidc',
        oidc: { issuer: twin.oidcIdp.issuer, clientId: twin.oidcIdp.clientId },
        enabled: false,
      },
    });
    expect(disabled.status, disabled.text).toBe(200);
    expect(await clientProviders()).not.toContain(`ten-${rival.id.slice(4)}`);
    expect((await discover(`linus@${domain}`)).body).toMatchObject({ sso: false });
  });
});
