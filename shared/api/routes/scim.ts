import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import type { RouteDefinition } from '../../http/route';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import { opaqueText } from '../../text';
import { SCIM_CONTENT_TYPE, SCIM_MAX_RESULTS } from '../../scim/scim-resources';
import { scimGroupInput, scimPatchInput, scimUserInput } from '../../scim/scim-schemas';

const scimPath = tenantPath();
const userPath = tenantPath({ userId: idSchema('user') });
const groupPath = tenantPath({ groupId: idSchema('group') });

const wholeNumber = (min: number) =>
  z.optional(
    z.coerce
      .number()
      .check(z.gte(min), z.refine(Number.isInteger, 'must be a whole number'), z.meta({ type: 'integer' })),
  );

const listQuery = z.strictObject({
  filter: z.optional(
    z
      .string()
      .check(
        z.maxLength(2_048),
        z.describe('An RFC 7644 filter, e.g. `userName eq "ada@northwind.example"`.'),
      ),
  ),
  startIndex: wholeNumber(1),
  count: wholeNumber(0),
  // Accepted as directories send them; the answer is the resource whole (except `members`, below).
  attributes: z.optional(opaqueText(1_024)),
  excludedAttributes: z.optional(opaqueText(1_024)),
});
const oneQuery = z.strictObject({
  attributes: z.optional(opaqueText(1_024)),
  excludedAttributes: z.optional(opaqueText(1_024)),
});

const meta = z.object({
  resourceType: z.enum(['User', 'Group']),
  created: z.string(),
  lastModified: z.string(),
  location: z.string(),
  version: z.string(),
});

const scimUser = component(
  'ScimUser',
  z.object({
    schemas: z.array(z.string()),
    id: z.string(),
    externalId: z.optional(z.string()),
    userName: z.string(),
    name: z.optional(
      z.object({
        givenName: z.optional(z.string()),
        familyName: z.optional(z.string()),
        formatted: z.optional(z.string()),
      }),
    ),
    displayName: z.optional(z.string()),
    active: z.boolean(),
    emails: z.array(z.object({ value: z.string(), type: z.string(), primary: z.boolean() })),
    roles: z.array(z.object({ value: z.string(), primary: z.boolean() })),
    meta,
  }),
);

const scimGroup = component(
  'ScimGroup',
  z.object({
    schemas: z.array(z.string()),
    id: z.string(),
    externalId: z.optional(z.string()),
    displayName: z.string(),
    members: z.array(z.object({ value: z.string(), $ref: z.string(), display: z.optional(z.string()) })),
    meta,
  }),
);

const listOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({
    schemas: z.array(z.string()),
    totalResults: z.number(),
    startIndex: z.number(),
    itemsPerPage: z.number(),
    Resources: z.array(item),
  });

const scimCommon = {
  function: 'sso',
  auth: 'tenant',
  permission: 'directory:sync',
  feature: 'sso',
} as const;

const scimJson = { contentType: SCIM_CONTENT_TYPE } as const;
const located = { headers: { Location: 'The created resource’s URL.' } } as const;

const userExample = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'ada@northwind.example',
  externalId: '00u1ada',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  displayName: 'Ada Lovelace',
  active: true,
};
const patchExample = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'active', value: false }],
};

const WHO =
  'Called by the tenant’s directory (Okta, Entra ID, …) with an API key scoped to `directory:sync` alone, its SCIM bearer token. Errors are in SCIM’s format (`application/scim+json`, `schemas`, `status`, `scimType`, `detail`).';

/**
 * SCIM 2.0 (RFC 7643, RFC 7644): the tenant's directory provisions its people and groups. The base
 * URL a directory is given is `/v1/tenants/{tenantId}/scim/v2`.
 */
export const SCIM_ROUTES = [
  {
    ...scimCommon,
    id: 'scim.config',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/scim/v2/ServiceProviderConfig',
    summary: 'SCIM service provider configuration',
    description: `What this SCIM service supports (RFC 7643 §5): PATCH and filters, no bulk, no sorting, no change of password, bearer tokens. ${WHO}`,
    request: { path: scimPath },
    responses: {
      200: {
        description: 'The configuration.',
        ...scimJson,
        schema: z.looseObject({ schemas: z.array(z.string()), patch: z.object({ supported: z.boolean() }) }),
      },
    },
    errors: [],
  },
  {
    ...scimCommon,
    id: 'scim.users.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/scim/v2/Users',
    summary: 'List users (SCIM)',
    description: `The tenant’s members as SCIM users, filtered (\`filter\`, RFC 7644 §3.4.2.2) and paged (\`startIndex\` from 1, \`count\` at most ${SCIM_MAX_RESULTS}). ${WHO}`,
    request: { path: scimPath, query: listQuery },
    responses: { 200: { description: 'A page of users.', ...scimJson, schema: listOf(scimUser) } },
    errors: ['scim_filter_invalid'],
  },
  {
    ...scimCommon,
    id: 'scim.users.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/scim/v2/Users',
    summary: 'Provision a user (SCIM)',
    description: `Makes the person an active member with the tenant’s default role (\`active: false\`: disabled), counted in \`users\`. \`userName\` is their email address, in a domain the tenant has captured and verified. They sign in through the tenant’s provider; one who already has a password sign-in keeps it. ${WHO}`,
    request: { path: scimPath, body: scimUserInput, example: userExample },
    responses: { 201: { description: 'The user.', ...scimJson, ...located, schema: scimUser } },
    errors: ['scim_value_invalid', 'scim_domain_not_captured', 'scim_user_exists', 'quota_exceeded'],
  },
  {
    ...scimCommon,
    id: 'scim.users.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/scim/v2/Users/{userId}',
    summary: 'Get a user (SCIM)',
    description: `One member as a SCIM user. ${WHO}`,
    request: { path: userPath, query: oneQuery },
    responses: { 200: { description: 'The user.', ...scimJson, schema: scimUser } },
    errors: ['user_not_found'],
  },
  {
    ...scimCommon,
    id: 'scim.users.replace',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/scim/v2/Users/{userId}',
    summary: 'Replace a user (SCIM)',
    description: `The user as the directory has it now: name, display name, external id, and \`active\` (false disables the membership and ends the person’s sessions in the tenant; true enables it again). \`userName\` cannot change. ${WHO}`,
    request: { path: userPath, body: scimUserInput, example: userExample },
    responses: { 200: { description: 'The user.', ...scimJson, schema: scimUser } },
    errors: [
      'user_not_found',
      'scim_value_invalid',
      'scim_mutability',
      'last_owner',
      'concurrent_modification',
    ],
  },
  {
    ...scimCommon,
    id: 'scim.users.patch',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/scim/v2/Users/{userId}',
    summary: 'Change a user (SCIM PATCH)',
    description: `RFC 7644 §3.5.2 operations (\`add\`, \`remove\`, \`replace\`; with or without a \`path\`), applied as a whole or not at all; \`replace active false\` deactivates. ${WHO}`,
    request: { path: userPath, body: scimPatchInput, example: patchExample },
    responses: { 200: { description: 'The user after the operations.', ...scimJson, schema: scimUser } },
    errors: [
      'user_not_found',
      'scim_patch_invalid',
      'scim_value_invalid',
      'scim_mutability',
      'last_owner',
      'concurrent_modification',
    ],
  },
  {
    ...scimCommon,
    id: 'scim.users.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/scim/v2/Users/{userId}',
    summary: 'Deprovision a user (SCIM)',
    description: `Removes the membership (as an admin’s removal does; the last owner stays) and ends the person’s sessions in the tenant. ${WHO}`,
    request: { path: userPath },
    responses: { 204: { description: 'Deprovisioned.' } },
    errors: ['user_not_found', 'last_owner', 'concurrent_modification'],
  },
  {
    ...scimCommon,
    id: 'scim.groups.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/scim/v2/Groups',
    summary: 'List groups (SCIM)',
    description: `The directory’s groups, filtered and paged as users are; \`excludedAttributes=members\` leaves the members out. ${WHO}`,
    request: { path: scimPath, query: listQuery },
    responses: { 200: { description: 'A page of groups.', ...scimJson, schema: listOf(scimGroup) } },
    errors: ['scim_filter_invalid'],
  },
  {
    ...scimCommon,
    id: 'scim.groups.create',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/scim/v2/Groups',
    summary: 'Create a group (SCIM)',
    description: `A group of the tenant’s users. Where the tenant’s role mapping names the group, its members’ roles follow it (never an owner’s). ${WHO}`,
    request: {
      path: scimPath,
      body: scimGroupInput,
      example: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'tenantry-admins',
        members: [{ value: 'usr_01JB8ZK7Q8W3N4M5P6R7S8T9V0' }],
      },
    },
    responses: { 201: { description: 'The group.', ...scimJson, ...located, schema: scimGroup } },
    errors: ['scim_value_invalid'],
  },
  {
    ...scimCommon,
    id: 'scim.groups.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/scim/v2/Groups/{groupId}',
    summary: 'Get a group (SCIM)',
    description: `One group with its members. ${WHO}`,
    request: { path: groupPath, query: oneQuery },
    responses: { 200: { description: 'The group.', ...scimJson, schema: scimGroup } },
    errors: ['scim_group_not_found'],
  },
  {
    ...scimCommon,
    id: 'scim.groups.replace',
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/scim/v2/Groups/{groupId}',
    summary: 'Replace a group (SCIM)',
    description: `The group as the directory has it now, members included. ${WHO}`,
    request: {
      path: groupPath,
      body: scimGroupInput,
      example: { displayName: 'tenantry-admins', members: [] },
    },
    responses: { 200: { description: 'The group.', ...scimJson, schema: scimGroup } },
    errors: ['scim_group_not_found', 'scim_value_invalid', 'concurrent_modification'],
  },
  {
    ...scimCommon,
    id: 'scim.groups.patch',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/scim/v2/Groups/{groupId}',
    summary: 'Change a group (SCIM PATCH)',
    description: `Members added (\`add members\`) and removed (\`remove members[value eq "usr_…"]\`), or the name replaced. ${WHO}`,
    request: {
      path: groupPath,
      body: scimPatchInput,
      example: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: 'usr_01JB8ZK7Q8W3N4M5P6R7S8T9V0' }] }],
      },
    },
    responses: { 200: { description: 'The group after the operations.', ...scimJson, schema: scimGroup } },
    errors: ['scim_group_not_found', 'scim_patch_invalid', 'scim_value_invalid', 'concurrent_modification'],
  },
  {
    ...scimCommon,
    id: 'scim.groups.delete',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/scim/v2/Groups/{groupId}',
    summary: 'Delete a group (SCIM)',
    description: `The group goes; its members’ roles follow the groups they are left in. ${WHO}`,
    request: { path: groupPath },
    responses: { 204: { description: 'Deleted.' } },
    errors: ['scim_group_not_found', 'concurrent_modification'],
  },
] as const satisfies readonly RouteDefinition[];
