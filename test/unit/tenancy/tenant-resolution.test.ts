import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../shared/context/tenant-context';
import {
  hostName,
  RESOLUTION_STRATEGIES,
  resolveTenant,
  slugOfHost,
  type ResolutionConfig,
  type ResolutionInput,
} from '../../../shared/tenancy/tenant-resolution';

const A = 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3A';
const B = 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3B';
const HOME = 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3H';
const DEFAULT = 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3D';

const config: ResolutionConfig = {
  order: RESOLUTION_STRATEGIES,
  header: 'x-tenant-id',
  queryParameter: 'tenant',
  baseDomains: ['tenants.example.com', 'localhost'],
  defaultTenantId: DEFAULT,
  platformDomains: ['api.example.com'],
  singleTenant: false,
  forwardedHostHeader: undefined,
};
const person = { type: 'user', userId: 'usr_1', homeTenantId: HOME, isPlatformAdmin: false } as Principal;
const key = { type: 'apiKey', keyId: 'key_1', tenantId: A, isPlatformAdmin: false } as Principal;
const slugs: Record<string, string> = { acme: A, globex: B };
let reads = 0;
const tenantOfSlug = async (slug: string) => {
  reads += 1;
  return slugs[slug] ?? null;
};
const customDomains: Record<string, { tenantId: string; serving: boolean }> = {
  'shop.acme.test': { tenantId: A, serving: true },
  'old.acme.test': { tenantId: A, serving: false },
  'xn--bcher-kva.test': { tenantId: B, serving: true },
};
let domainReads = 0;
const tenantOfDomain = async (domain: string) => {
  domainReads += 1;
  return customDomains[domain] ?? null;
};
const request = (over: Partial<ResolutionInput> = {}): ResolutionInput => ({
  pathTenantId: undefined,
  headers: {},
  query: undefined,
  host: 'api.example.com',
  principal: person,
  ...over,
});
const resolve = (over: Partial<ResolutionInput> = {}, with_: Partial<ResolutionConfig> = {}) =>
  resolveTenant(request(over), { ...config, ...with_ }, { tenantOfSlug, tenantOfDomain });

describe('tenant resolution', () => {
  it('names the tenant by each strategy, and says which', async () => {
    expect(await resolve({ pathTenantId: A })).toEqual({ tenantId: A, resolvedBy: 'path' });
    expect(await resolve({ headers: { 'x-tenant-id': A } })).toEqual({ tenantId: A, resolvedBy: 'header' });
    expect(await resolve({ host: 'acme.tenants.example.com' })).toEqual({ tenantId: A, resolvedBy: 'host' });
    expect(await resolve({ host: 'globex.localhost:3000' })).toEqual({ tenantId: B, resolvedBy: 'host' });
    expect(await resolve({ query: { tenant: B } })).toEqual({ tenantId: B, resolvedBy: 'query' });
    expect(await resolve()).toEqual({ tenantId: HOME, resolvedBy: 'credential' });
    expect(await resolve({ principal: key })).toEqual({ tenantId: A, resolvedBy: 'credential' });
    expect(await resolve({}, { order: ['path', 'default'] })).toEqual({
      tenantId: DEFAULT,
      resolvedBy: 'default',
    });
  });

  it('refuses two explicit strategies that name different tenants, and names the first in order', async () => {
    await expect(resolve({ pathTenantId: A, headers: { 'x-tenant-id': B } })).rejects.toMatchObject({
      statusCode: 403,
      code: 'tenant_mismatch',
      message: "The request's path and x-tenant-id header name different tenants.",
    });
    await expect(resolve({ pathTenantId: A, host: 'globex.localhost' })).rejects.toMatchObject({
      code: 'tenant_mismatch',
    });
    await expect(resolve({ host: 'acme.localhost', query: { tenant: B } })).rejects.toMatchObject({
      code: 'tenant_mismatch',
    });
    // The positive control: agreeing strategies resolve, by the first in the configured order.
    expect(await resolve({ pathTenantId: A, host: 'acme.localhost', headers: { 'x-tenant-id': A } })).toEqual(
      {
        tenantId: A,
        resolvedBy: 'path',
      },
    );
    expect(
      await resolve({ pathTenantId: A, host: 'acme.localhost' }, { order: ['host', 'path', 'credential'] }),
    ).toEqual({ tenantId: A, resolvedBy: 'host' });
    // A person's default tenant is a fallback, never a conflict: the host wins over it.
    expect(await resolve({ host: 'globex.localhost' })).toEqual({ tenantId: B, resolvedBy: 'host' });
  });

  it('uses only the configured strategies', async () => {
    // No query parameter configured: the parameter names nothing.
    expect(await resolve({ query: { tenant: B } }, { queryParameter: undefined })).toEqual({
      tenantId: HOME,
      resolvedBy: 'credential',
    });
    expect(await resolve({ host: 'acme.localhost' }, { order: ['path', 'header', 'credential'] })).toEqual({
      tenantId: HOME,
      resolvedBy: 'credential',
    });
    expect(await resolve({ headers: { 'x-acme-tenant': A } }, { header: 'x-acme-tenant' })).toEqual({
      tenantId: A,
      resolvedBy: 'header',
    });
    expect(await resolve({}, { order: ['path'] })).toBeUndefined();
  });

  it('answers an unknown or impossible host with 404, never another tenant', async () => {
    for (const host of [
      'initech.localhost',
      'a.b.localhost',
      '-acme.localhost',
      'acme-.localhost',
      'xn--cme-8ya.localhost',
      `${'a'.repeat(64)}.localhost`,
      'ACME_.tenants.example.com',
    ]) {
      const before = reads;
      await expect(resolve({ host }), host).rejects.toMatchObject({
        statusCode: 404,
        code: 'tenant_host_unknown',
      });
      // A malformed label is refused before anything is read for it.
      if (!host.startsWith('initech') && !host.startsWith('xn--')) expect(reads, host).toBe(before);
    }
    // A look-alike of a base domain is no tenant's custom domain either.
    await expect(resolve({ host: 'acme.localhost.evil.test' })).rejects.toMatchObject({
      code: 'tenant_host_unknown',
    });
    // The platform's own hosts name nothing: the API's own host, an IP literal, localhost.
    for (const host of ['api.example.com', '127.0.0.1:3000', '[::1]:3000', 'localhost']) {
      expect(await resolve({ host }), host).toEqual({ tenantId: HOME, resolvedBy: 'credential' });
    }
  });

  it('names the tenant of an active custom domain, and no one at a domain not served now', async () => {
    expect(await resolve({ host: 'Shop.Acme.Test:443' })).toEqual({ tenantId: A, resolvedBy: 'host' });
    expect(await resolve({ host: 'xn--bcher-kva.test' })).toEqual({ tenantId: B, resolvedBy: 'host' });
    // Verified but not served (not yet active, or suspended): 404, never the caller's own tenant.
    await expect(resolve({ host: 'old.acme.test' })).rejects.toMatchObject({
      statusCode: 404,
      code: 'tenant_host_unknown',
    });
    // A host no tenant holds is no one's: 404 too, not the caller's default tenant.
    await expect(resolve({ host: 'nobody.test' })).rejects.toMatchObject({ code: 'tenant_host_unknown' });
    // A custom domain and a path naming another tenant disagree.
    await expect(resolve({ host: 'shop.acme.test', pathTenantId: B })).rejects.toMatchObject({
      code: 'tenant_mismatch',
    });
    // Behind the deployment's CDN the host asked for arrives in the forwarded header.
    expect(
      await resolve(
        {
          host: 'abc123.execute-api.us-east-1.amazonaws.com',
          headers: { 'x-forwarded-host': 'shop.acme.test' },
        },
        { forwardedHostHeader: 'x-forwarded-host' },
      ),
    ).toEqual({ tenantId: A, resolvedBy: 'host' });
    // The positive control of the header: unset, the header names nothing.
    expect(
      await resolve({
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        headers: { 'x-forwarded-host': 'shop.acme.test' },
      }),
    ).toEqual({ tenantId: HOME, resolvedBy: 'credential' });
  });

  it('never looks up the platform’s own hosts, IP literals or local names as custom domains', async () => {
    const before = domainReads;
    for (const host of [
      'api.example.com',
      'v2.api.example.com',
      '127.0.0.1:3000',
      '[::1]:3000',
      'localhost:3000',
      'abc123.execute-api.us-east-1.amazonaws.com',
      'd111111abcdef8.cloudfront.net',
    ]) {
      expect(await resolve({ host }), host).toEqual({ tenantId: HOME, resolvedBy: 'credential' });
    }
    expect(domainReads).toBe(before);
    // The positive control: a host that may be a tenant's is looked up.
    await resolve({ host: 'shop.acme.test' });
    expect(domainReads).toBe(before + 1);
  });

  it('in single-tenant mode acts on the one tenant and refuses any other named', async () => {
    const single = { singleTenant: true, defaultTenantId: DEFAULT };
    expect(await resolve({}, single)).toEqual({ tenantId: DEFAULT, resolvedBy: 'default' });
    expect(await resolve({ principal: key }, single)).toEqual({ tenantId: DEFAULT, resolvedBy: 'default' });
    expect(await resolve({ pathTenantId: DEFAULT }, single)).toEqual({
      tenantId: DEFAULT,
      resolvedBy: 'path',
    });
    await expect(resolve({ pathTenantId: A }, single)).rejects.toMatchObject({
      code: 'tenant_mismatch',
      message: "This deployment serves one tenant; the request's path names another.",
    });
    await expect(resolve({ host: 'acme.localhost' }, single)).rejects.toMatchObject({
      code: 'tenant_mismatch',
    });
    // The positive control: the same request with the mode off is the caller's own tenant.
    expect(await resolve({ pathTenantId: A })).toEqual({ tenantId: A, resolvedBy: 'path' });
  });

  it('refuses a malformed tenant id wherever it is named, before anything is read', async () => {
    for (const over of [
      { pathTenantId: 'nope' },
      { headers: { 'x-tenant-id': 'TENANT#x' } },
      { query: { tenant: 'ten_' } },
    ]) {
      await expect(resolve(over)).rejects.toMatchObject({ statusCode: 400 });
    }
  });

  it('reads a host the way API Gateway and browsers send it', () => {
    expect(hostName('Acme.LocalHost:3000')).toBe('acme.localhost');
    expect(hostName('acme.tenants.example.com.')).toBe('acme.tenants.example.com');
    expect(hostName('[::1]:443')).toBe('[::1]');
    expect(slugOfHost('ACME.localhost:8080', ['localhost'])).toBe('acme');
    expect(slugOfHost('localhost:8080', ['localhost'])).toBeUndefined();
  });
});
