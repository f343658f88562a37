import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { pageOf, timestamp } from '../schemas/common';
import { multiLineText } from '../../text';
import { DELEGATED_ROLES, DELEGATION_STATES, MAX_DELEGATION_DAYS } from '../../model/delegations';

const delegationsPath = tenantPath();
const delegationPath = tenantPath({
  counterpartId: idSchema('tenant').check(
    z.describe(
      'The other tenant of the delegation: the partner, seen from the child; the child, seen from the partner.',
    ),
  ),
});

const tenantRef = z.object({ id: idSchema('tenant'), name: z.string() });

const delegationView = component(
  'Delegation',
  z.object({
    id: idSchema('delegation'),
    side: z
      .enum(['granted', 'held'])
      .check(
        z.describe(
          '`granted`: this tenant (the child) let a partner in; `held`: this tenant (the partner) may act in a child.',
        ),
      ),
    partner: tenantRef,
    child: tenantRef,
    role: z
      .enum(DELEGATED_ROLES)
      .check(
        z.describe(
          'The highest role the partner’s people act under in the child; each acts under no more than their own role in the partner. Never `owner`; API keys and the child’s delegations are never open through one.',
        ),
      ),
    durationDays: z.int().check(z.gte(1), z.lte(MAX_DELEGATION_DAYS)),
    reason: z.nullable(z.string()),
    status: z
      .enum([...DELEGATION_STATES, 'expired'])
      .check(
        z.describe(
          '`pending` until the child’s owner approves; `active` from then until `expiresAt` (then `expired`); `declined` or `withdrawn` before approval, `revoked` after, by either side.',
        ),
      ),
    requestedBy: z.object({ id: z.string(), email: z.nullable(z.string()) }),
    requestedAt: timestamp,
    approvedBy: z.nullable(z.string()),
    approvedAt: z.nullable(timestamp),
    expiresAt: z.nullable(timestamp),
    endedBy: z.nullable(z.string()),
    endedAt: z.nullable(timestamp),
  }),
);

const oneDelegation = { description: 'The delegation.', schema: delegationView };

/**
 * Delegations: a partner's access to a tenant below it, asked for by the partner, approved by the
 * child's owner, ended by either. Served by the tenants function, beside the children's routes.
 */
export const DELEGATION_ROUTES = [
  {
    id: 'delegations.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/delegations',
    function: 'tenants',
    auth: 'tenant',
    permission: 'delegations:read',
    allowWhenSuspended: true,
    summary: 'List delegations (partner and child)',
    description:
      'The delegations the tenant granted to partners above it (`side: granted`) and those it holds over tenants below it (`side: held`), a page at a time; `side` filters.',
    request: {
      path: delegationsPath,
      query: z.strictObject({
        side: z.optional(z.enum(['granted', 'held'])),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of delegations.', schema: pageOf(delegationView) } },
    errors: ['invalid_cursor'],
  },
  {
    id: 'delegations.request',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/delegations',
    function: 'tenants',
    auth: 'tenant',
    permission: 'delegations:manage',
    feature: 'partners',
    summary: 'Ask for access to a tenant below (partner)',
    description: `A partner asks for its people to act in a tenant below it (\`childId\`), under \`role\` at most, for \`durationDays\` (at most ${MAX_DELEGATION_DAYS}) from the child owner’s approval. Pending until an owner of the child approves it; the child’s owners are emailed. Audited in both tenants. Refused while another delegation between the two is pending or in force (409 \`delegation_exists\`).`,
    request: {
      path: delegationsPath,
      body: z.strictObject({
        childId: idSchema('tenant'),
        role: z.enum(DELEGATED_ROLES),
        durationDays: z.int().check(z.gte(1), z.lte(MAX_DELEGATION_DAYS)),
        reason: z.optional(multiLineText(500)),
      }),
      example: {
        childId: 'ten_01JF3Z9G7Q5W8R2T6Y4B1N0M3P',
        role: 'admin',
        durationDays: 90,
        reason: 'Set up the agents for the December launch',
      },
    },
    responses: { 201: { description: 'The pending delegation.', schema: delegationView } },
    errors: ['child_not_found', 'tenant_deleted', 'delegation_exists'],
  },
  {
    id: 'delegations.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/delegations/{counterpartId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'delegations:read',
    allowWhenSuspended: true,
    summary: 'Get the delegation with another tenant',
    description:
      'The delegation between this tenant and the one named (its partner, or its child), in any state.',
    request: { path: delegationPath },
    responses: { 200: oneDelegation },
    errors: ['delegation_not_found'],
  },
  {
    id: 'delegations.approve',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/delegations/{counterpartId}/approve',
    function: 'tenants',
    auth: 'tenant',
    permission: 'delegations:approve',
    summary: 'Approve a partner’s delegation (child’s owner)',
    description:
      'An owner of the child approves the pending delegation its partner (`counterpartId`) asked for, named by `delegationId` (the one the owner was shown): the partner’s people may act in the tenant under its role from now for its duration. Audited in both tenants; the partner’s owners are emailed.',
    request: {
      path: delegationPath,
      body: z.strictObject({ delegationId: idSchema('delegation') }),
      example: { delegationId: 'dlg_01JF3Z9G7Q5W8R2T6Y4B1N0M3K' },
    },
    responses: { 200: oneDelegation },
    errors: ['delegation_not_found', 'delegation_not_pending', 'concurrent_modification'],
  },
  {
    id: 'delegations.end',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/delegations/{counterpartId}',
    function: 'tenants',
    auth: 'tenant',
    permission: 'delegations:manage',
    allowWhenSuspended: true,
    summary: 'End a delegation (either side)',
    description:
      'Either side ends the delegation: the child declines a pending one or revokes one in force, the partner withdraws its request or gives one up. Access ends at once (within a few seconds of cache on other functions). Audited in both tenants; the other side’s owners are emailed. An ended delegation is answered as it is.',
    request: { path: delegationPath },
    responses: { 200: oneDelegation },
    errors: ['delegation_not_found', 'concurrent_modification'],
  },
] as const satisfies readonly RouteDefinition[];
