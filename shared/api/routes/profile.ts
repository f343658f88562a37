import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import type { RouteDefinition } from '../../http/route';
import { emailAddress, timestamp } from '../schemas/common';
import { singleLineText } from '../../text';
import { idSchema } from '../../ids';

const profilePath = tenantPath();
const color = z
  .string()
  .check(
    z.regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #1d4ed8'),
    z.describe('`#rrggbb`, dark enough for white text on it (WCAG AA, 4.5:1).'),
  );
const phone = z
  .string()
  .check(z.regex(/^\+[1-9][0-9 ()-]{5,24}$/, 'an international number such as +44 20 7946 0000'));
const cleared = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));
const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

const logoView = component(
  'TenantLogo',
  z.object({
    contentType: z.enum(LOGO_TYPES),
    bytes: z.int().check(z.gte(0)),
    width: z.int().check(z.gte(0)),
    height: z.int().check(z.gte(0)),
    dataUrl: z.string().check(z.describe('`data:<type>;base64,…`, for an image element.')),
    updatedAt: timestamp,
  }),
);
const profileView = component(
  'TenantProfile',
  z.object({
    displayName: z.string().check(z.describe('The name people see: the profile’s, else the tenant’s name.')),
    contactEmail: z.nullable(z.string()),
    billingEmail: z.nullable(z.string().check(z.describe('Also the email of the tenant’s Stripe customer.'))),
    phone: z.nullable(z.string()),
    company: z.nullable(z.string()),
    primaryColor: z.nullable(z.string()),
    locale: z.nullable(z.string().check(z.describe('The tenant’s `settings.defaultLocale`.'))),
    timeZone: z.nullable(z.string().check(z.describe('The tenant’s `settings.timezone`.'))),
    logo: z.nullable(logoView),
  }),
);

export const PROFILE_ROUTES = [
  {
    id: 'tenants.profile.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/profile',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:read',
    summary: "Get the tenant's profile and branding",
    description:
      'The name people see, contact and billing email, phone, company, locale and time zone, primary colour and logo.',
    request: { path: profilePath },
    responses: { 200: { description: 'The profile.', schema: profileView } },
    errors: [],
  },
  {
    id: 'tenants.profile.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/profile',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: "Change the tenant's profile",
    description:
      'The fields given change; `null` clears one. The billing email and the name people see are also set on the tenant’s Stripe customer (through the billing outbox, retried while Stripe is away). A primary colour must be dark enough for white text (4.5:1). Audited with the fields that changed. Locale and time zone are settings (`PATCH /v1/tenants/{tenantId}`).',
    request: {
      path: profilePath,
      body: z
        .strictObject({
          displayName: cleared(singleLineText(100)),
          contactEmail: cleared(emailAddress),
          billingEmail: cleared(emailAddress),
          phone: cleared(phone),
          company: cleared(singleLineText(200)),
          primaryColor: cleared(color),
        })
        .check(z.refine((body) => Object.keys(body).length > 0, 'at least one field is required')),
      example: {
        displayName: 'Acme Robotics',
        billingEmail: 'billing@acme.example',
        primaryColor: '#1d4ed8',
      },
    },
    responses: { 200: { description: 'The profile.', schema: profileView } },
    errors: ['concurrent_modification'],
  },
  {
    id: 'tenants.logo.set',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/profile/logo',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: "Set the tenant's logo",
    description:
      'A PNG, JPEG or WebP image, base64, of at most 64 KB and 16 to 1,024 pixels a side, whose bytes must be the type given. Shown on the console’s sign-in at the tenant’s host and in its emails. Audited.',
    request: {
      path: profilePath,
      body: z.strictObject({
        contentType: z.enum(LOGO_TYPES),
        data: z.string().check(z.minLength(4), z.maxLength(90_000), z.describe('The image, base64.')),
      }),
      maxBodyBytes: 96 * 1024,
      example: { contentType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAA…' },
    },
    responses: { 200: { description: 'The logo.', schema: logoView } },
    errors: ['logo_invalid'],
  },
  {
    id: 'tenants.logo.remove',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/profile/logo',
    function: 'tenants',
    auth: 'tenant',
    permission: 'tenant:update',
    summary: "Remove the tenant's logo",
    description: 'Audited.',
    request: { path: profilePath },
    responses: { 204: { description: 'Removed.' } },
    errors: [],
  },
  {
    id: 'branding.get',
    method: 'GET',
    path: '/v1/branding',
    function: 'tenants',
    auth: 'public',
    summary: 'The branding at this host',
    description:
      'For the console’s sign-in at a tenant’s host (its `<slug>.<base domain>` or an active custom domain): the name people see, the primary colour and the logo. Anyone may read it: it is what the tenant shows the world. A host that names no tenant is `404 tenant_host_unknown`.',
    request: { raw: true },
    responses: {
      200: {
        description: 'The branding.',
        schema: component(
          'PublicBranding',
          z.object({
            tenantId: idSchema('tenant'),
            displayName: z.string(),
            primaryColor: z.nullable(z.string()),
            logo: z.nullable(z.string().check(z.describe('A `data:` URL.'))),
          }),
        ),
      },
    },
    errors: ['tenant_host_unknown'],
  },
] as const satisfies readonly RouteDefinition[];
