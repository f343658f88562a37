import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import type { RouteDefinition } from '../../http/route';
import { component } from '../schemas/components';
import { timestamp } from '../schemas/common';
import { DOMAIN_STATES } from '../../model/domain-states';

const domainsPath = tenantPath();
const domainPath = tenantPath({
  domain: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(253),
      z.describe('The host, as added (its Unicode or punycode form).'),
    ),
});

const lookupPart = {
  found: z.array(z.string()),
  ok: z.boolean(),
  error: z.nullable(z.string().check(z.describe('Why the lookup failed (it is retried), if it did.'))),
};
const findingsView = component(
  'CustomDomainFindings',
  z.object({
    checkedAt: timestamp,
    txt: z.object({ name: z.string(), expected: z.string(), ...lookupPart }),
    cname: z.object({ expected: z.nullable(z.string()), ...lookupPart }),
    caa: z.object({
      at: z.nullable(
        z
          .string()
          .check(z.describe('The name whose CAA records apply: the host’s, or its closest parent’s.')),
      ),
      issuers: z.array(z.string()),
      allowed: z.array(z.string()),
      ok: z.boolean(),
      error: z.nullable(z.string()),
    }),
    heldByAnotherTenant: z.boolean(),
    serving: z.nullable(z.object({ ready: z.boolean(), detail: z.string() })),
    actions: z.array(z.string()).check(z.describe('What to change, in words; never a bare “pending”.')),
  }),
);
const domainView = component(
  'CustomDomain',
  z.object({
    domain: z.string().check(z.describe('The host, ASCII (punycode for an internationalized name).')),
    displayName: z.string().check(z.describe('The host as people read it.')),
    state: z
      .enum(DOMAIN_STATES)
      .check(
        z.describe(
          '`claimed` (added, not checked) → `verifying` (the TXT record is not there yet) → `verified` (control proven; the domain is this tenant’s alone) → `provisioning` (certificate and serving being made) → `active` (the host names the tenant). A daily re-check moves an active domain whose TXT record is gone to `at_risk` (still served), then `suspended` (the host names no one), then releases it. `releasing`: removed, serving being taken down.',
        ),
      ),
    verification: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }),
    routing: z.object({ type: z.literal('CNAME'), name: z.string(), value: z.nullable(z.string()) }),
    findings: z.nullable(findingsView),
    lastCheckedAt: z.nullable(timestamp),
    verifiedAt: z.nullable(timestamp),
    activeAt: z.nullable(timestamp),
    missingSince: z.nullable(timestamp),
    createdBy: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);

const common = {
  function: 'domains',
  auth: 'tenant',
  permission: 'domains:manage',
  feature: 'customDomains',
} as const;

export const DOMAIN_ROUTES = [
  {
    ...common,
    id: 'domains.add',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/domains',
    summary: 'Add a custom domain',
    description:
      'A host the tenant owns (`app.acme.com`), in `claimed`. The answer names the TXT record that proves control (`_tenantry-challenge.<host>`, a token that stays the same across retries) and the CNAME that routes the host here; then `check` moves it on. Refused: IP addresses, wildcards, single labels, over-long labels or names, the platform’s own domains, names that never reach the internet, and internationalized names that can pass for another. A domain another tenant has verified is refused; an unverified claim elsewhere is no hold (whoever proves control first takes it). At most 20.',
    request: {
      path: domainsPath,
      body: z.strictObject({ domain: z.string().check(z.minLength(1), z.maxLength(300)) }),
      example: { domain: 'app.acme.example' },
    },
    responses: { 201: { description: 'The domain, with the records to add.', schema: domainView } },
    errors: [
      'domain_invalid',
      'domain_not_allowed',
      'domain_confusable',
      'domain_exists',
      'domain_taken',
      'domain_limit',
    ],
  },
  {
    ...common,
    id: 'domains.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/domains',
    summary: "List the tenant's custom domains",
    description: 'Every domain with its state, the records to add and the last check’s findings.',
    request: { path: domainsPath },
    responses: { 200: { description: 'The domains.', schema: z.object({ items: z.array(domainView) }) } },
    errors: [],
  },
  {
    ...common,
    id: 'domains.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/domains/{domain}',
    summary: 'Get a custom domain',
    description: 'One domain, its records and the last check’s findings.',
    request: { path: domainPath },
    responses: { 200: { description: 'The domain.', schema: domainView } },
    errors: ['domain_not_found'],
  },
  {
    ...common,
    id: 'domains.check',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/domains/{domain}/check',
    summary: 'Check a custom domain now',
    description:
      'Asks DNS now: the TXT values at the challenge name, the host’s CNAME, the CAA records that decide who may issue its certificate. Records what was found and what to change, and moves the domain as far as that allows (from `claimed` to `active` in one check where everything is in place). Pending domains are also checked hourly, active ones daily.',
    request: { path: domainPath, bodyOptional: true, body: z.strictObject({}) },
    responses: { 200: { description: 'The domain after the check.', schema: domainView } },
    errors: ['domain_not_found'],
  },
  {
    ...common,
    id: 'domains.remove',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/domains/{domain}',
    summary: 'Remove a custom domain',
    description:
      'The host stops naming the tenant at once and its serving is taken down. 204 when that is done; 202 with the domain in `releasing` while the CDN takes its resource down (minutes in AWS), after which the domain may be added again, by any tenant.',
    request: { path: domainPath },
    responses: {
      202: { description: 'Removed; serving is being taken down.', schema: domainView },
      204: { description: 'Removed.' },
    },
    errors: ['domain_not_found'],
  },
] as const satisfies readonly RouteDefinition[];
