/**
 * A process whose functions run in single-tenant mode (SINGLE_TENANT=true, DEFAULT_TENANT_ID set by the
 * test), against the twin's DynamoDB: the configuration is read once per process, as in Lambda.
 * Invokes the handlers the test names and prints each answer's status, code and resolving strategy.
 *   tsx single-tenant-worker.ts <userId> <otherTenantId>
 */
import { apiEvent, lambdaContext } from './api-event';
import { loadHandler } from './handler-modules';

const [userId = '', otherTenantId = ''] = process.argv.slice(2);
const user = { principalType: 'user', sub: 'sub', userId, groups: '' };
const answer = async (fn: string, event: ReturnType<typeof apiEvent>) => {
  const result = await (await loadHandler(fn))(event, lambdaContext);
  const body = JSON.parse(result.body || '{}') as { code?: string; tenantId?: string; displayName?: string };
  return {
    status: result.statusCode,
    code: body.code ?? null,
    tenantId: body.tenantId ?? null,
    resolvedBy: (result.headers?.['Tenant-Resolved-By'] as string | undefined) ?? null,
  };
};
const results = {
  signup: await answer(
    'tenants',
    apiEvent({
      routeKey: 'POST /v1/tenants/signup',
      path: '/v1/tenants/signup',
      body: {
        name: 'Second',
        slug: `second-${Date.now()}`,
        owner: { email: `second-${Date.now()}@example.test` },
      },
    }),
  ),
  current: await answer(
    'agents',
    apiEvent({
      routeKey: 'GET /v1/tenants/{tenantId}/agents',
      path: '/v1/tenants/current/agents',
      pathParameters: { tenantId: 'current' },
      authorizer: user,
    }),
  ),
  other: await answer(
    'agents',
    apiEvent({
      routeKey: 'GET /v1/tenants/{tenantId}/agents',
      path: `/v1/tenants/${otherTenantId}/agents`,
      pathParameters: { tenantId: otherTenantId },
      authorizer: user,
    }),
  ),
  branding: await answer(
    'tenants',
    apiEvent({ routeKey: 'GET /v1/branding', path: '/v1/branding', headers: { host: '127.0.0.1:3000' } }),
  ),
};
process.stdout.write(`${JSON.stringify(results)}\n`);
