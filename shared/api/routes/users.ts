import * as z from 'zod/mini';
import { tenantPath } from '../schemas/tenant-path';
import { component } from '../schemas/components';
import { MEMBERSHIP_STATUSES } from '../../model/membership-status';
import { idSchema } from '../../ids';
import type { RouteDefinition } from '../../http/route';
import { cursorParam, limitParam } from '../../http/validation';
import { ROLES } from '../../model/roles';
import { TENANT_STATUSES } from '../../model/tenant-status';
import { emailAddress, pageOf, timestamp } from '../schemas/common';
import { singleLineText } from '../../text';

const sessionId = z
  .string()
  .check(
    z.regex(/^ses_\d{1,12}$/, 'must be a session id (ses_…)'),
    z.describe('A session’s id, from the list.'),
  );
const sessionView = component(
  'Session',
  z.object({
    id: z.string(),
    signedInAt: timestamp,
    via: z.enum(['password', 'sso']),
    userAgent: z.nullable(z.string()),
    sourceIp: z.nullable(z.string()),
    tenants: z.array(z.string()),
    current: z.boolean(),
  }),
);

const usersPath = tenantPath();
const userPath = tenantPath({ userId: idSchema('user') });

export const userView = component(
  'User',
  z.object({
    id: idSchema('user'),
    email: z.string(),
    name: z.nullable(z.string()),
    role: z.enum(ROLES),
    status: z.enum(MEMBERSHIP_STATUSES),
    invitedBy: z.nullable(z.string()),
    invitationExpiresAt: z.nullable(timestamp),
    lastSignInAt: z
      .nullable(timestamp)
      .check(
        z.describe(
          'The person’s last sign-in that reached this tenant (`null`: none since it was recorded).',
        ),
      ),
    signInCount: z
      .int()
      .check(
        z.describe(
          'Sign-ins that reached this tenant: a session is one, however often its tokens are refreshed.',
        ),
      ),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);

const oneUser = { description: 'The user.', schema: userView };

const meView = component(
  'Me',
  z.object({
    user: z.object({
      id: idSchema('user'),
      email: z.nullable(z.string()),
      defaultTenantId: z.nullable(idSchema('tenant')),
      platformAdmin: z.boolean(),
      mfaEnrolled: z.boolean(),
    }),
    memberships: z.array(
      z.object({
        tenantId: idSchema('tenant'),
        tenantName: z.string(),
        tenantSlug: z.string(),
        tenantStatus: z.enum(TENANT_STATUSES),
        role: z.enum(ROLES),
        status: z.enum(MEMBERSHIP_STATUSES),
      }),
    ),
  }),
);

export const USER_ROUTES = [
  {
    id: 'users.me',
    method: 'GET',
    path: '/v1/me',
    function: 'users',
    auth: 'user',
    summary: 'The signed-in person',
    description:
      'The caller’s profile and every tenant they belong to, with their role and membership status there (for a tenant switcher). Names no tenant, and shows nothing of tenants the caller is not a member of.',
    request: {},
    responses: { 200: { description: 'The caller and their memberships.', schema: meView } },
    errors: [],
  },
  {
    id: 'users.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/users',
    function: 'users',
    auth: 'tenant',
    permission: 'users:read',
    summary: "List the tenant's users",
    description:
      'Members and invitations, optionally of one role or status (`status=invited` lists the pending invitations, with when each expires), a page at a time. Invitations are listed only to callers who may invite (`users:invite`); others see members only, and `status=invited` is a 403 for them.',
    request: {
      path: usersPath,
      query: z.strictObject({
        role: z.optional(z.enum(ROLES)),
        status: z.optional(z.enum(MEMBERSHIP_STATUSES)),
        limit: limitParam,
        cursor: cursorParam,
      }),
    },
    responses: { 200: { description: 'A page of users.', schema: pageOf(userView) } },
    errors: ['invalid_cursor'],
  },
  {
    id: 'users.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/users/{userId}',
    function: 'users',
    auth: 'tenant',
    permission: 'users:read',
    summary: 'Get a user',
    description:
      'One member (or invitation) of the tenant. A pending invitation is a 404 to callers who may not invite (`users:invite`).',
    request: { path: userPath },
    responses: { 200: oneUser },
    errors: ['user_not_found'],
  },
  {
    id: 'users.invite',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/users',
    function: 'users',
    auth: 'tenant',
    permission: 'users:invite',
    rateLimit: 'invitations',
    summary: 'Invite a user',
    description:
      'Invites a person with a role no higher than the caller’s own. Cognito emails a temporary password; the membership turns active on their first request. Invitations count against the `users` quota.',
    request: {
      path: usersPath,
      body: z.strictObject({
        email: emailAddress,
        role: z.enum(ROLES),
        name: z.optional(singleLineText(100)),
      }),
      example: { email: 'grace@acme.example', role: 'member', name: 'Grace' },
    },
    responses: { 201: { description: 'The invited user.', schema: userView } },
    errors: [
      'role_above_own',
      'quota_exceeded',
      'already_member',
      'already_invited',
      'email_taken',
      'invalid_user',
    ],
  },
  {
    id: 'users.changeRole',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/users/{userId}',
    function: 'users',
    auth: 'tenant',
    permission: 'users:update',
    summary: "Change a user's role",
    description:
      'Nobody grants a role above their own or changes a member ranked above them; the last owner stays.',
    request: { path: userPath, body: z.strictObject({ role: z.enum(ROLES) }), example: { role: 'admin' } },
    responses: { 200: oneUser },
    errors: ['user_not_found', 'role_above_own', 'last_owner', 'concurrent_modification'],
  },
  {
    id: 'users.remove',
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/users/{userId}',
    function: 'users',
    auth: 'tenant',
    permission: 'users:remove',
    summary: 'Remove a user',
    description:
      'Ends the membership at once (and gives the `users` quota back), then disables the person’s sign-in.',
    request: { path: userPath },
    responses: { 204: { description: 'Removed.' } },
    errors: ['user_not_found', 'role_above_own', 'last_owner', 'concurrent_modification'],
  },
  {
    id: 'users.resendInvitation',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/users/{userId}/resend-invitation',
    function: 'users',
    auth: 'tenant',
    permission: 'users:invite',
    rateLimit: 'invitations',
    summary: 'Resend an invitation',
    description:
      'Starts a pending invitation’s expiry over, and sends Cognito’s temporary password again to a person who has never signed in. Revoke an invitation by removing the user.',
    request: { path: userPath },
    responses: { 200: { description: 'The invited user.', schema: userView } },
    errors: ['user_not_found', 'role_above_own', 'not_invited', 'concurrent_modification'],
  },
  {
    id: 'users.sessions.list',
    method: 'GET',
    path: '/v1/me/sessions',
    function: 'users',
    auth: 'user',
    summary: 'Where you are signed in',
    description:
      'Your open sessions, newest first: each sign-in (password or single sign-on), the browser and address it was first used from, the tenants it reached, and which one this request came with. A session lasts as long as its refresh token (30 days) unless it is signed out.',
    request: {},
    responses: {
      200: { description: 'Your open sessions.', schema: z.object({ items: z.array(sessionView) }) },
    },
    errors: [],
  },
  {
    id: 'users.sessions.signOutEverywhere',
    method: 'DELETE',
    path: '/v1/me/sessions',
    function: 'users',
    auth: 'user',
    summary: 'Sign out everywhere',
    description:
      'Ends every session of yours, this one included: the tokens they hold are refused from now on (not at their expiry), and Cognito revokes their refresh tokens.',
    request: {},
    responses: { 204: { description: 'Signed out everywhere.' } },
    errors: [],
  },
  {
    id: 'users.sessions.end',
    method: 'DELETE',
    path: '/v1/me/sessions/{sessionId}',
    function: 'users',
    auth: 'user',
    summary: 'End one session',
    description:
      'Ends one of your sessions (a lost laptop): its tokens are refused from now on; the others go on.',
    request: { path: z.strictObject({ sessionId: sessionId }) },
    responses: { 204: { description: 'Ended.' } },
    errors: ['session_not_found'],
  },
  {
    id: 'users.signOut',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/users/{userId}/sign-out',
    function: 'users',
    auth: 'tenant',
    permission: 'users:remove',
    summary: 'Sign a member out',
    description:
      'Ends the member’s sessions in this tenant: the tokens they hold are refused here from now on, and they sign in again to come back. Their other tenants are not touched. Nobody signs out a member ranked above them.',
    request: { path: userPath, body: z.strictObject({}), bodyOptional: true },
    responses: { 204: { description: 'Signed out of the tenant.' } },
    errors: ['user_not_found', 'role_above_own'],
  },
] as const satisfies readonly RouteDefinition[];
