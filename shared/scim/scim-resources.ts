import { filter as filterOf, parse, type Filter } from 'scim2-parse-filter';
import { scimPatch, ScimError } from 'scim-patch';
import type { ScimPatchInput } from './scim-schemas';
import { ValidationError } from '../errors';
import type { MembershipItem } from '../data/entities/membership';
import type { ScimGroupItem } from '../data/entities/scim-group';

/**
 * SCIM 2.0 resources (RFC 7643) as the tenant's directory sees them: a User is a membership of the
 * tenant (its id the person's `usr_` id, its `userName` their address), a Group one of the
 * directory's groups. Lists are filtered (RFC 7644 §3.4.2.2, by scim2-parse-filter) and paged by
 * `startIndex` and `count` here, over the tenant's items.
 */
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** A page holds at most this many resources, whatever `count` asks (RFC 7644 §3.4.2.4). */
export const SCIM_MAX_RESULTS = 200;

export interface ScimMeta {
  resourceType: 'User' | 'Group';
  created: string;
  lastModified: string;
  location: string;
  version: string;
}

export interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  displayName?: string;
  active: boolean;
  emails: Array<{ value: string; type: string; primary: boolean }>;
  roles: Array<{ value: string; primary: boolean }>;
  meta: ScimMeta;
}

export interface ScimGroup {
  schemas: string[];
  id: string;
  externalId?: string;
  displayName: string;
  members: Array<{ value: string; $ref: string; display?: string }>;
  meta: ScimMeta;
}

/** The base of a tenant's SCIM resources: `/v1/tenants/<id>/scim/v2`. */
export function scimBase(tenantId: string): string {
  return `/v1/tenants/${tenantId}/scim/v2`;
}

/** A weak ETag of the record's last write. */
function versionOf(updatedAt: string): string {
  return `W/"${Date.parse(updatedAt).toString(36)}"`;
}

export function toScimUser(item: MembershipItem): ScimUser {
  const formatted = [item.givenName, item.familyName].filter(Boolean).join(' ');
  const name =
    item.givenName || item.familyName
      ? {
          ...(item.givenName ? { givenName: item.givenName } : {}),
          ...(item.familyName ? { familyName: item.familyName } : {}),
          formatted,
        }
      : undefined;
  return {
    schemas: [SCIM_USER_SCHEMA],
    id: item.userId,
    ...(item.externalId ? { externalId: item.externalId } : {}),
    userName: item.email,
    ...(name ? { name } : {}),
    ...(item.name ? { displayName: item.name } : {}),
    active: item.status !== 'disabled',
    emails: [{ value: item.email, type: 'work', primary: true }],
    roles: [{ value: item.role, primary: true }],
    meta: {
      resourceType: 'User',
      created: item.createdAt,
      lastModified: item.updatedAt,
      location: `${scimBase(item.tenantId)}/Users/${item.userId}`,
      version: versionOf(item.updatedAt),
    },
  };
}

export function toScimGroup(item: ScimGroupItem, names?: ReadonlyMap<string, string>): ScimGroup {
  const base = scimBase(item.tenantId);
  return {
    schemas: [SCIM_GROUP_SCHEMA],
    id: item.groupId,
    ...(item.externalId ? { externalId: item.externalId } : {}),
    displayName: item.displayName,
    members: [...(item.members ?? [])].sort().map((userId) => ({
      value: userId,
      $ref: `${base}/Users/${userId}`,
      ...(names?.get(userId) ? { display: names.get(userId) } : {}),
    })),
    meta: {
      resourceType: 'Group',
      created: item.createdAt,
      lastModified: item.updatedAt,
      location: `${base}/Groups/${item.groupId}`,
      version: versionOf(item.updatedAt),
    },
  };
}

/** Attributes compared exactly (RFC 7643: `caseExact`); every other string is compared ignoring case. */
const CASE_EXACT = new Set(['id', 'externalid', 'meta.version', 'members.value']);

/** The canonical spelling of each attribute a filter may name (attribute names ignore case). */
const ATTRIBUTES = [
  'id',
  'externalId',
  'userName',
  'displayName',
  'active',
  'name',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'roles',
  'roles.value',
  'members',
  'members.value',
  'members.display',
  'meta',
  'meta.created',
  'meta.lastModified',
  'meta.resourceType',
  'meta.version',
];
const CANONICAL = new Map(ATTRIBUTES.map((name) => [name.toLowerCase(), name]));
const SCHEMA_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i;

function canonicalPath(path: string, parent?: string): string {
  const bare = path.replace(SCHEMA_PREFIX, '');
  const full = parent ? `${parent}.${bare}` : bare;
  const known = CANONICAL.get(full.toLowerCase());
  if (!known)
    throw new ValidationError(
      `The filter names ${path}, which is not an attribute here.`,
      [{ path: 'filter', message: `names ${path}, which is not an attribute here` }],
      'scim_filter_invalid',
    );
  return parent ? known.slice(parent.length + 1) : known;
}

/** The filter with attribute names in their canonical case and values lowered where case is ignored. */
function normalized(node: Filter, parent?: string): Filter {
  switch (node.op) {
    case 'and':
    case 'or':
      return { ...node, filters: node.filters.map((child) => normalized(child, parent)) };
    case 'not':
      return { ...node, filter: normalized(node.filter, parent) };
    case '[]': {
      const attrPath = canonicalPath(node.attrPath, parent);
      const full = parent ? `${parent}.${attrPath}` : attrPath;
      return { ...node, attrPath, valFilter: normalized(node.valFilter, full) };
    }
    case 'pr':
      return { ...node, attrPath: canonicalPath(node.attrPath, parent) };
    default: {
      const attrPath = canonicalPath(node.attrPath, parent);
      const full = (parent ? `${parent}.${attrPath}` : attrPath).toLowerCase();
      const compValue =
        typeof node.compValue === 'string' && !CASE_EXACT.has(full)
          ? node.compValue.toLowerCase()
          : node.compValue;
      return { ...node, attrPath, compValue };
    }
  }
}

/** The resource as filters compare it: strings lowered except the case-exact attributes. */
function comparable(value: unknown, path: string): unknown {
  if (typeof value === 'string') return CASE_EXACT.has(path.toLowerCase()) ? value : value.toLowerCase();
  if (Array.isArray(value)) return value.map((entry) => comparable(entry, path));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, comparable(entry, path ? `${path}.${key}` : key)]),
    );
  }
  return value;
}

/** A filter's test over resources, or a 400 `invalidFilter` naming what is wrong with it. */
export function scimFilter(text: string | undefined): (resource: object) => boolean {
  if (!text?.trim()) return () => true;
  let parsed: Filter;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new ValidationError(
      `The filter is not valid SCIM filter syntax: ${error instanceof Error ? error.message : String(error)}`,
      [{ path: 'filter', message: 'is not RFC 7644 filter syntax' }],
      'scim_filter_invalid',
    );
  }
  const test = filterOf(normalized(parsed));
  return (resource) => test(comparable(resource, ''));
}

export interface ScimListQuery {
  filter?: string | undefined;
  startIndex?: number | undefined;
  count?: number | undefined;
}

export interface ScimListResponse<T> {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** One page of the resources the filter keeps, in a stable order (by id). */
export function scimPage<T extends { id: string }>(
  resources: T[],
  query: ScimListQuery,
): ScimListResponse<T> {
  const kept = resources
    .filter(scimFilter(query.filter))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const startIndex = Math.max(1, query.startIndex ?? 1);
  const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, query.count ?? SCIM_MAX_RESULTS));
  const page = kept.slice(startIndex - 1, startIndex - 1 + count);
  return {
    schemas: [SCIM_LIST_SCHEMA],
    totalResults: kept.length,
    startIndex,
    itemsPerPage: page.length,
    Resources: page,
  };
}

/** RFC 7643 §5: what this service supports, for directories that ask. */
export function serviceProviderConfig(tenantId: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: '/docs/reference',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'An API key of the tenant scoped to directory:sync.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${scimBase(tenantId)}/ServiceProviderConfig` },
  };
}

/** A patch applied to a copy of the resource; an operation scim-patch refuses is a 400 with its scimType. */
export function applyPatch<T extends { meta: object; schemas: string[] }>(
  resource: T,
  patch: ScimPatchInput,
): T {
  const document = JSON.parse(JSON.stringify(resource)) as T;
  try {
    return scimPatch(document as never, patch.Operations as never, {
      mutateDocument: true,
      treatMissingAsAdd: true,
    });
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    const refused = new ValidationError(error.message, [], 'scim_patch_invalid');
    if (error.scimCode) refused.extensions.scimType = error.scimCode;
    throw refused;
  }
}
