import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as tenantsHandler } from '../../../functions/tenants/handler';
import { apiEvent, lambdaContext } from '../../helpers/api-event';
import type { Principal } from '../../../shared/context/tenant-context';
import type { ApiKeyItem } from '../../../shared/data/entities/api-key';
import type { MembershipItem } from '../../../shared/data/entities/membership';
import type { TenantRequest } from '../../../shared/http/admitted-request';
import { admissionEffectsOf } from '../../../shared/http/admission/admission-effects';

const TENANT = 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA';
const OTHER = 'ten_01BBBBBBBBBBBBBBBBBBBBBBBB';
const USER = 'usr_01CCCCCCCCCCCCCCCCCCCCCCCC';

const dynamo = mockClient(DynamoDBDocumentClient);

let tenantCounter = 0;

/** Each test gets its own tenant id, so the in-process caches never carry one test into the next. */
function freshTenantId(): string {
  tenantCounter += 1;
  return `ten_01AAAAAAAAAAAAAAAAAAAA${String(tenantCounter).padStart(4, '0')}`;
}

function tenantItem(tenantId: string, status: 'active' | 'suspended' | 'deleted' = 'active') {
  return {
    pk: `TENANT#${tenantId}`,
    sk: 'TENANT',
    __edb_e__: 'tenant',
    __edb_v__: '1',
    tenantId,
    name: 'Acme',
    slug: 'acme',
    plan: 'free',
    status,
    activeOwnerCount: 1,
    shard: 0,
    settings: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function membershipItem(tenantId: string, role: string, status = 'active') {
  return {
    pk: `TENANT#${tenantId}`,
    sk: `USER#${USER}`,
    __edb_e__: 'membership',
    __edb_v__: '1',
    tenantId,
    userId: USER,
    email: 'ada@example.test',
    role,
    status,
    cognitoUsername: 'ada',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    // Invited just now, so an invitation is still open.
    invitedAt: new Date().toISOString(),
  };
}

function given(
  tenantId: string,
  tenant: ReturnType<typeof tenantItem> | undefined,
  membership?: ReturnType<typeof membershipItem>,
) {
  dynamo.on(GetCommand, { Key: { pk: `TENANT#${tenantId}`, sk: 'TENANT' } }).resolves({ Item: tenant });
  dynamo
    .on(GetCommand, { Key: { pk: `TENANT#${tenantId}`, sk: `USER#${USER}` } })
    .resolves({ Item: membership });
}

/** The platform-admin record that, with the group claim, makes USER a platform admin. */
function recordedPlatformAdmin() {
  dynamo.on(GetCommand, { Key: { pk: 'PLATFORM#ADMINS', sk: `USER#${USER}` } }).resolves({
    Item: {
      pk: 'PLATFORM#ADMINS',
      sk: `USER#${USER}`,
      userId: USER,
      grantedBy: 'x',
      grantedAt: 'x',
      __edb_e__: 'platformAdmin',
      __edb_v__: '1',
    },
  });
}

const identity = (tenantId: string | undefined, groups = '') => ({
  principalType: 'user',
  sub: 'sub-1',
  userId: USER,
  ...(tenantId ? { tenantId } : {}),
  groups,
});

const getCurrent = (tenantId: string | undefined, headers: Record<string, string> = {}, groups = '') =>
  tenantsHandler(
    apiEvent({
      routeKey: 'GET /v1/tenants/current',
      path: '/v1/tenants/current',
      authorizer: identity(tenantId, groups),
      headers,
    }),
    lambdaContext,
  );

const update = (tenantId: string, body: unknown) =>
  tenantsHandler(
    apiEvent({
      routeKey: 'PATCH /v1/tenants/{tenantId}',
      path: `/v1/tenants/${tenantId}`,
      pathParameters: { tenantId },
      authorizer: identity(tenantId),
      body,
    }),
    lambdaContext,
  );

function problem(result: { body?: string }) {
  return JSON.parse(result.body ?? '{}') as { code?: string; detail?: string; status?: number };
}

describe('tenant context middleware', () => {
  beforeEach(() => {
    // DynamoDB answers a read of a missing item with no Item; the tests give the items that exist.
    dynamo.on(GetCommand).resolves({});
    // No tenant has granted a delegation unless a test says so.
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(UpdateCommand).resolves({ Attributes: { used: 1 } });
  });
  afterEach(() => {
    dynamo.reset();
  });

  it('serves a member of an active tenant', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id), membershipItem(id, 'viewer'));
    const result = await getCurrent(id);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({ id, status: 'active' });
  });

  /** A person of their own (the sign-out marker is cached per person) reading the tenant by its path. */
  const freshPersonReads = async (tenantId: string, pathTenantId: string | undefined) => {
    tenantCounter += 1;
    const userId = `usr_01DDDDDDDDDDDDDDDDDDDD${String(tenantCounter).padStart(4, '0')}`;
    dynamo
      .on(GetCommand, { Key: { pk: `TENANT#${tenantId}`, sk: 'TENANT' } })
      .resolves({ Item: tenantItem(tenantId) });
    dynamo
      .on(GetCommand, { Key: { pk: `TENANT#${tenantId}`, sk: `USER#${userId}` } })
      .resolves({ Item: { ...membershipItem(tenantId, 'viewer'), sk: `USER#${userId}`, userId } });
    const result = await tenantsHandler(
      apiEvent({
        routeKey: 'GET /v1/tenants/{tenantId}',
        path: `/v1/tenants/${pathTenantId ?? 'current'}`,
        ...(pathTenantId ? { pathParameters: { tenantId: pathTenantId } } : {}),
        authorizer: { ...identity(tenantId), userId },
      }),
      lambdaContext,
    );
    const reads = dynamo.commandCalls(GetCommand).map((call) => {
      const key = call.args[0].input.Key as { pk: string; sk: string };
      return `${key.pk} ${key.sk}`;
    });
    return {
      result,
      reads,
      membership: `TENANT#${tenantId} USER#${userId}`,
      signOut: `PERSON#${userId} SIGNOUT`,
    };
  };

  it('starts the likely membership’s read beside the sign-out marker’s, and reads it once', async () => {
    const id = freshTenantId();
    const { result, reads, membership, signOut } = await freshPersonReads(id, id);
    expect(result.statusCode).toBe(200);
    // Once: tenant access takes the identification's read from the cache, it does not read again.
    expect(reads.filter((read) => read === membership)).toHaveLength(1);
    // Sent before the sign-out marker's read, so the two are one round trip.
    expect(reads.indexOf(signOut)).toBeGreaterThanOrEqual(0);
    expect(reads.indexOf(membership)).toBeLessThan(reads.indexOf(signOut));
  });

  it('starts no membership read before the sign-out marker’s for a path naming no tenant id', async () => {
    const id = freshTenantId();
    // `tenants/not-an-id`: the request is refused as malformed, and nothing of a tenant was read first.
    const { reads, signOut } = await freshPersonReads(id, 'not-an-id');
    expect(reads.indexOf(signOut)).toBeGreaterThanOrEqual(0);
    expect(reads.filter((read) => read.startsWith('TENANT#not-an-id'))).toEqual([]);
  });

  it('writes a debug line for each admission stage it runs at LOG_LEVEL=DEBUG, and none at INFO', async () => {
    const debugMessages = async (level: 'DEBUG' | 'INFO') => {
      // The level is the function's configuration (read at its cold start), as in Lambda.
      vi.stubEnv('LOG_LEVEL', level);
      vi.resetModules();
      const { handler } = await import('../../../functions/tenants/handler');
      const id = freshTenantId();
      given(id, tenantItem(id), membershipItem(id, 'viewer'));
      const lines: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split('\n'));
        return true;
      });
      try {
        const result = await handler(
          apiEvent({
            routeKey: 'GET /v1/tenants/current',
            path: '/v1/tenants/current',
            authorizer: identity(id),
          }),
          lambdaContext,
        );
        expect(result.statusCode).toBe(200);
      } finally {
        write.mockRestore();
        vi.unstubAllEnvs();
        vi.resetModules();
      }
      return lines.flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { level?: string; message?: string };
          return entry.level === 'DEBUG' && entry.message ? [entry.message] : [];
        } catch {
          return [];
        }
      });
    };
    expect(await debugMessages('DEBUG')).toEqual(
      expect.arrayContaining([
        'Admission: identified',
        'Admission: tenant access granted',
        'Admission: validated',
        'Admission: metered',
        'Admission concluded',
      ]),
    );
    expect(await debugMessages('INFO')).toEqual([]);
  });

  it('answers 401 when the request carries no verified identity', async () => {
    const result = await tenantsHandler(
      apiEvent({ routeKey: 'GET /v1/tenants/current', path: '/v1/tenants/current' }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
  });

  it('refuses an X-Tenant-ID naming a tenant the user is not a member of, without reading that tenant', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id), membershipItem(id, 'owner'));
    const result = await getCurrent(id, { 'x-tenant-id': OTHER });
    expect(result.statusCode).toBe(403);
    expect(problem(result).code).toBe('tenant_mismatch');
    expect(dynamo.commandCalls(GetCommand, { Key: { pk: `TENANT#${OTHER}`, sk: 'TENANT' } })).toHaveLength(0);
  });

  it('lets a suspended tenant’s users read its status and nothing else', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id, 'suspended'), membershipItem(id, 'owner'));
    expect((await getCurrent(id)).statusCode).toBe(200);
    const refused = await update(id, { name: 'New' });
    expect(refused.statusCode).toBe(403);
    expect(problem(refused).code).toBe('tenant_suspended');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses a deleted tenant every route but those the manifest keeps open (reading it)', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id, 'deleted'), membershipItem(id, 'owner'));
    const result = await update(id, { name: 'New' });
    expect(result.statusCode).toBe(403);
    expect(problem(result).code).toBe('tenant_deleted');
    // Positive control: reading the tenant stays open to its owner while it is deleted.
    expect((await getCurrent(id)).statusCode).toBe(200);
  });

  describe('a partner’s person in a tenant below it, through a delegation', () => {
    /** The child granted its partner a delegation of `role`, in `state`, ending at `expiresAt`. */
    function granted(childId: string, partnerId: string, role: string, state: string, expiresAt: string) {
      dynamo
        .on(QueryCommand, {
          ExpressionAttributeValues: { ':pk': `TENANT#${childId}` },
        })
        .resolves({
          Items: [
            {
              pk: `TENANT#${childId}`,
              sk: `DELEGATION#granted#${partnerId}`,
              __edb_e__: 'delegation',
              __edb_v__: '1',
              tenantId: childId,
              side: 'granted',
              counterpartId: partnerId,
              delegationId: 'dlg_01DDDDDDDDDDDDDDDDDDDDDDDD',
              partnerId,
              childId,
              partnerName: 'Partner',
              childName: 'Child',
              role,
              durationDays: 30,
              status: state,
              requestedBy: 'usr_x',
              requestedAt: '2026-01-01T00:00:00.000Z',
              expiresAt,
              createdAt: '2026-01-01T00:00:00.000Z',
              updatedAt: '2026-01-01T00:00:00.000Z',
            },
          ],
        });
    }
    const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

    it('admits a partner owner under the delegation’s role, and refuses what the role lacks', async () => {
      const [child, partner] = [freshTenantId(), freshTenantId()];
      given(child, tenantItem(child), undefined);
      given(partner, tenantItem(partner), membershipItem(partner, 'owner'));
      granted(child, partner, 'viewer', 'active', inAMonth());
      // Reading is a viewer's; renaming is not.
      expect((await getCurrent(partner, { 'x-tenant-id': child })).statusCode).toBe(200);
      const refused = await tenantsHandler(
        apiEvent({
          routeKey: 'PATCH /v1/tenants/{tenantId}',
          path: `/v1/tenants/${child}`,
          pathParameters: { tenantId: child },
          authorizer: identity(partner),
          body: { name: 'New' },
        }),
        lambdaContext,
      );
      expect(problem(refused)).toMatchObject({ code: 'permission_denied' });
      expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    });

    it('refuses a delegation out of force as such, and the person of no partner of the tenant as a stranger', async () => {
      const [child, partner] = [freshTenantId(), freshTenantId()];
      given(child, tenantItem(child), undefined);
      given(partner, tenantItem(partner), membershipItem(partner, 'owner'));
      granted(child, partner, 'admin', 'active', new Date(Date.now() - 1_000).toISOString());
      const expired = await getCurrent(partner, { 'x-tenant-id': child });
      expect(expired.statusCode).toBe(403);
      expect(problem(expired)).toMatchObject({ code: 'delegation_inactive', delegationStatus: 'expired' });
      // Someone who is no member of the partner learns nothing of its delegation.
      const [otherChild, otherPartner] = [freshTenantId(), freshTenantId()];
      given(otherChild, tenantItem(otherChild), undefined);
      given(otherPartner, tenantItem(otherPartner), undefined);
      granted(otherChild, otherPartner, 'admin', 'active', inAMonth());
      expect(problem(await getCurrent(undefined, { 'x-tenant-id': otherChild }))).toMatchObject({
        code: 'tenant_mismatch',
      });
    });

    it('refuses it while the partner is suspended, beside the same delegation admitting while it is active', async () => {
      const [child, partner, suspended] = [freshTenantId(), freshTenantId(), freshTenantId()];
      given(child, tenantItem(child), undefined);
      given(partner, tenantItem(partner), membershipItem(partner, 'admin'));
      granted(child, partner, 'admin', 'active', inAMonth());
      expect((await getCurrent(partner, { 'x-tenant-id': child })).statusCode).toBe(200);
      const [child2] = [freshTenantId()];
      given(child2, tenantItem(child2), undefined);
      given(suspended, tenantItem(suspended, 'suspended'), membershipItem(suspended, 'admin'));
      granted(child2, suspended, 'admin', 'active', inAMonth());
      expect(problem(await getCurrent(suspended, { 'x-tenant-id': child2 }))).toMatchObject({
        code: 'delegation_inactive',
        partnerStatus: 'suspended',
      });
    });
  });

  it('refuses a user whose membership is gone or disabled', async () => {
    const gone = freshTenantId();
    given(gone, tenantItem(gone), undefined);
    expect(problem(await getCurrent(gone)).code).toBe('membership_inactive');
    const disabled = freshTenantId();
    given(disabled, tenantItem(disabled), membershipItem(disabled, 'admin', 'disabled'));
    expect(problem(await getCurrent(disabled)).code).toBe('membership_inactive');
  });

  it('takes the role from the membership, not the token: a viewer cannot update', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id), membershipItem(id, 'viewer'));
    const result = await update(id, { name: 'New' });
    expect(result.statusCode).toBe(403);
    expect(problem(result)).toMatchObject({ code: 'permission_denied' });
  });

  it('activates an invited membership on its first request', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id), membershipItem(id, 'member', 'invited'));
    dynamo.on(TransactWriteCommand).resolves({});
    expect((await getCurrent(id)).statusCode).toBe(200);
    const activation = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(activation?.Key).toEqual({ pk: `TENANT#${id}`, sk: `USER#${USER}` });
    expect(JSON.stringify(activation?.ExpressionAttributeValues)).toContain('active');
  });

  it('refuses platform-admin power to a group claim without a platform-admin record', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id));
    const claimant = 'usr_01DDDDDDDDDDDDDDDDDDDDDDDD';
    dynamo.on(GetCommand, { Key: { pk: 'PLATFORM#ADMINS', sk: `USER#${claimant}` } }).resolves({});
    const result = await tenantsHandler(
      apiEvent({
        routeKey: 'GET /v1/tenants/current',
        path: '/v1/tenants/current',
        headers: { 'x-tenant-id': id },
        authorizer: { ...identity(undefined, 'platform-admins'), userId: claimant },
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(403);
    expect(problem(result).code).toBe('tenant_mismatch');
  });

  it('lets a platform admin act on another tenant, and audits the read there', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id, 'suspended'));
    recordedPlatformAdmin();
    dynamo.on(PutCommand).resolves({});
    const result = await getCurrent(undefined, { 'x-tenant-id': id }, 'platform-admins');
    expect(result.statusCode).toBe(200);
    const audit = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(audit?.Item).toMatchObject({
      pk: `TENANT#${id}`,
      action: 'platform_admin.read',
      actorIsPlatformAdmin: true,
    });
  });

  it('answers 404 to a platform admin naming a tenant that does not exist', async () => {
    const id = freshTenantId();
    given(id, undefined);
    recordedPlatformAdmin();
    const result = await getCurrent(undefined, { 'x-tenant-id': id }, 'platform-admins');
    expect(result.statusCode).toBe(404);
  });

  it('refuses platform routes to tenant users', async () => {
    const result = await tenantsHandler(
      apiEvent({ routeKey: 'GET /v1/tenants', path: '/v1/tenants', authorizer: identity(TENANT) }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(403);
    expect(problem(result).code).toBe('platform_admin_required');
  });

  it('answers a route key the function does not serve with a problem+json 404', async () => {
    const result = await tenantsHandler(
      apiEvent({ routeKey: 'GET /v1/elsewhere', path: '/v1/elsewhere' }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(problem(result).code).toBe('route_not_found');
  });

  it('answers an unexpected failure with a generic 500 that leaks nothing', async () => {
    const id = freshTenantId();
    dynamo.on(GetCommand).rejects(new Error('socket hang up at 10.0.0.7: secret-internal-detail'));
    const result = await getCurrent(id);
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret-internal-detail');
    expect(problem(result)).toMatchObject({ code: 'internal_error', status: 500 });
  });
});

describe('the effects of admission', () => {
  beforeEach(() => {
    dynamo.on(GetCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({ Attributes: { used: 1 } });
    dynamo.on(TransactWriteCommand).resolves({});
    dynamo.on(PutCommand).resolves({});
  });
  afterEach(() => {
    dynamo.reset();
  });

  const activations = (tenantId: string) =>
    dynamo
      .commandCalls(TransactWriteCommand)
      .filter(
        (call) =>
          call.args[0].input.TransactItems?.[0]?.Update?.Key?.sk === `USER#${USER}` &&
          call.args[0].input.TransactItems?.[0]?.Update?.Key?.pk === `TENANT#${tenantId}`,
      );

  it('accepts an invitation only for a request admission lets through', async () => {
    const id = freshTenantId();
    // An invited viewer: refused the update (permission), its invitation stays open.
    given(id, tenantItem(id), membershipItem(id, 'viewer', 'invited'));
    const refused = await update(id, { name: 'Renamed' });
    expect(refused.statusCode).toBe(403);
    expect(problem(refused).code).toBe('permission_denied');
    expect(activations(id)).toHaveLength(0);
    // The rightful first request of the same person: admitted, and the invitation accepted with it.
    expect((await getCurrent(id)).statusCode).toBe(200);
    expect(activations(id)).toHaveLength(1);
  });

  it('accepts no invitation for a malformed request (validation runs before the effects)', async () => {
    const id = freshTenantId();
    given(id, tenantItem(id), membershipItem(id, 'admin', 'invited'));
    const malformed = await update(id, { name: 42 });
    expect(malformed.statusCode).toBe(400);
    expect(activations(id)).toHaveLength(0);
  });

  it('names each effect by the grant and the route', () => {
    const id = freshTenantId();
    const request = (principal: Principal, method: 'GET' | 'PATCH' = 'GET') =>
      ({
        route: { id: 'tenants.get', method, auth: 'tenant' },
        receivedAt: new Date(),
        tenant: { tenantId: id, principal },
      }) as unknown as TenantRequest;
    const person: Principal = {
      type: 'user',
      userId: USER,
      sub: 's',
      email: undefined,
      homeTenantId: id,
      isPlatformAdmin: false,
      mfaEnrolled: false,
    };
    const names = (...args: Parameters<typeof admissionEffectsOf>) =>
      admissionEffectsOf(...args).map((effect) => effect.name);
    const membership = (status: string) =>
      ({ ...membershipItem(id, 'member', status) }) as unknown as MembershipItem;
    expect(names(request(person), { kind: 'membership', membership: membership('invited') })).toEqual([
      'invitation.accepted',
    ]);
    expect(names(request(person), { kind: 'membership', membership: membership('active') })).toEqual([]);
    const key = { type: 'apiKey', keyId: 'key_1', tenantId: id, isPlatformAdmin: false } as const;
    expect(names(request(key), { kind: 'apiKey', key: {} as ApiKeyItem })).toEqual(['apiKey.used']);
    const admin = { ...person, homeTenantId: undefined, isPlatformAdmin: true };
    expect(names(request(admin), { kind: 'platform' })).toEqual(['platformAdmin.readAudited']);
    // A platform admin's change audits itself; a read of their own tenant is no act on another.
    expect(names(request(admin, 'PATCH'), { kind: 'platform' })).toEqual([]);
    expect(names(request({ ...admin, homeTenantId: id }), { kind: 'platform' })).toEqual([]);
  });
});
