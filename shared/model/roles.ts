/**
 * Roles and what they may do. A role is read from the membership record, never from the token, and
 * every route names the one permission it needs (the route manifest, shared/api/manifest.ts).
 */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'tenant:read',
  'tenant:update',
  'tenant:delete',
  'tenant:export',
  'tenant:health',
  'users:read',
  'users:invite',
  'users:update',
  'users:remove',
  'audit:read',
  'agents:read',
  'agents:write',
  'projects:read',
  'projects:manage',
  'children:read',
  'children:manage',
  'delegations:read',
  'delegations:manage',
  'delegations:approve',
  'runs:read',
  'runs:write',
  'usage:read',
  'usage:write',
  'billing:manage',
  'apiKeys:manage',
  'webhooks:manage',
  'domains:manage',
  'sso:manage',
  'directory:sync',
  'platform:tenants:read',
  'platform:tenants:manage',
  'platform:admins:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['tenant:read', 'users:read', 'agents:read', 'projects:read', 'runs:read'];
const MEMBER: Permission[] = [...VIEWER, 'agents:write', 'runs:write'];
const ADMIN: Permission[] = [
  ...MEMBER,
  'tenant:update',
  'users:invite',
  'users:update',
  'users:remove',
  'audit:read',
  'apiKeys:manage',
  'tenant:export',
  'tenant:health',
  'webhooks:manage',
  'domains:manage',
  'projects:manage',
  // A partner's customers' tenants: seeing the subtree and creating in it.
  'children:read',
  'children:manage',
  // Delegations: a partner asks for access to its children, either side ends one.
  'delegations:read',
  'delegations:manage',
  // The usage API (`docs/usage-api.md`): held in practice by the platform's services' API keys, which
  // only someone holding the scope can make.
  'usage:read',
  'usage:write',
];
/**
 * `directory:sync` is SCIM provisioning (members made, changed and ended by the tenant's directory):
 * an owner's, held in practice by an API key scoped to it alone, the directory's bearer token.
 */
const OWNER: Permission[] = [
  ...ADMIN,
  'billing:manage',
  'tenant:delete',
  'sso:manage',
  'directory:sync',
  // Letting a partner's people in is the owner's decision.
  'delegations:approve',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  viewer: new Set(VIEWER),
  member: new Set(MEMBER),
  admin: new Set(ADMIN),
  owner: new Set(OWNER),
};

/**
 * What an API key may be scoped to: the tenant permissions (never a platform one), and only those
 * its creator holds. A key's scopes are its permissions.
 */
export const API_KEY_SCOPES = PERMISSIONS.filter(
  (permission): permission is Exclude<Permission, `platform:${string}`> =>
    !permission.startsWith('platform:'),
);
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * The scopes a key limited to one project may hold: those of the routes that keep it to its project
 * (projects, agents, their memory and runs); any other would open nothing.
 */
export const PROJECT_KEY_SCOPES: readonly ApiKeyScope[] = [
  'projects:read',
  'agents:read',
  'agents:write',
  'runs:read',
  'runs:write',
];

/**
 * What a partner's person acting in a child through a delegation never holds, whatever the role it
 * caps: making API keys (a key would outlive the delegation) and the child's own delegations (a
 * partner does not manage its access from inside).
 */
const NEVER_DELEGATED: ReadonlySet<Permission> = new Set<Permission>([
  'apiKeys:manage',
  'delegations:manage',
  'delegations:approve',
]);

/** The permissions of a role held through a delegation: the role's, less {@link NEVER_DELEGATED}. */
export function delegatedPermissions(role: Role): ReadonlySet<Permission> {
  return new Set([...ROLE_PERMISSIONS[role]].filter((permission) => !NEVER_DELEGATED.has(permission)));
}

/** Platform admins are apart from tenant roles: everything, on any tenant, always audited. */
export const PLATFORM_ADMIN_PERMISSIONS: ReadonlySet<Permission> = new Set(PERMISSIONS);

const RANK: Readonly<Record<Role, number>> = { viewer: 1, member: 2, admin: 3, owner: 4 };

/** owner > admin > member > viewer. */
export function roleRank(role: Role): number {
  return RANK[role];
}

/**
 * What a partner's person acts as in a child through a delegation: the lower of the delegation's
 * role and their own in the partner (the delegation's where theirs is not known).
 */
export function delegatedRole(delegated: Role, own: Role | undefined): Role {
  return own && roleRank(own) < roleRank(delegated) ? own : delegated;
}
