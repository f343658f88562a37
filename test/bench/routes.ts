/**
 * `npm run bench:routes`: what one request of each route costs, on a twin of its own. Every route
 * of the manifest is called twice by a rightful caller (the first warms the per-instance caches, as
 * a warm Lambda would be); for the second, the table shows the DynamoDB calls it made, the read and
 * write capacity units DynamoDB reported (`ReturnConsumedCapacity`), the fewest calls the route
 * needs, and the cost per million requests at on-demand prices. Figures only: nothing is asserted.
 */
import { ROUTES } from '../../shared/api/manifest';
import { onFinishedRequest, type FinishedRequest } from '../../shared/observability/request-cost';
import type { RouteDefinition } from '../../shared/http/route';
import { pathFor, sampleBody } from '../helpers/route-samples';
import { printTable, startBenchTwin } from './bench-twin';

/** On-demand prices (us-east-1), per million. */
const PRICE = {
  writeUnit: 0.625,
  readUnit: 0.125,
  httpApiRequest: 1.0,
  lambdaRequest: 0.2,
  /** arm64, per GB-second (per million: ×1e6). */
  lambdaGbSecond: 0.0000133334,
};
const MEMORY_GB = 0.5;

/**
 * The fewest DynamoDB calls a route needs with warm caches: a tenant request meters (one conditional
 * write on the month's counter, which also holds the minute's rate window), then does its one read
 * or its one write (a transaction when several items must change together). Documentation and the
 * plans read nothing; Stripe's webhook is refused here for its signature and reads nothing.
 */
function floorOf(route: RouteDefinition): number {
  if (route.function === 'docs' || route.id === 'plans.list' || route.id === 'billing.webhook') return 0;
  return (route.auth === 'tenant' ? 1 : 0) + 1;
}

async function main(): Promise<void> {
  const bench = await startBenchTwin();
  let capturing: string | undefined;
  let captured: FinishedRequest | undefined;
  const unsubscribe = onFinishedRequest((request) => {
    if (capturing && request.routeId === capturing) captured = request;
  });
  try {
    const admin = await bench.adminToken();
    const tenant = await bench.createTenant('enterprise');
    const base = `/v1/tenants/${tenant.id}`;
    const member = await bench.call('POST', `${base}/users`, {
      token: tenant.token,
      body: { email: `member-${Date.now()}@bench.test`, role: 'member' },
    });
    const memberId = String(member.body.id);
    const fresh = async () => {
      const agent = await bench.call('POST', `${base}/agents`, {
        token: tenant.token,
        body: { name: 'A', model: 'm' },
      });
      const agentId = String(agent.body.id);
      const run = await bench.call('POST', `${base}/agents/${agentId}/runs`, {
        token: tenant.token,
        body: {},
      });
      const memory = await bench.call('POST', `${base}/agents/${agentId}/memory`, {
        token: tenant.token,
        body: { kind: 'text', content: 'x' },
      });
      const key = await bench.call('POST', `${base}/api-keys`, {
        token: tenant.token,
        body: { name: 'k', scopes: ['agents:read'] },
      });
      return {
        agentId,
        runId: String(run.body.id),
        memoryId: String(memory.body.id),
        keyId: String(key.body.id),
      };
    };

    const rows: Array<Array<string | number>> = [];
    let totalCost = 0;
    for (const route of ROUTES as readonly RouteDefinition[]) {
      const platform = route.auth === 'platform' || route.permission?.startsWith('platform:');
      const token = route.auth === 'public' ? undefined : platform ? admin : tenant.token;
      let result: FinishedRequest | undefined;
      let status = 0;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const ids = { tenantId: tenant.id, userId: memberId, ...(await fresh()) };
        if (route.id === 'users.resendInvitation') {
          const invited = await bench.call('POST', `${base}/users`, {
            token: tenant.token,
            body: { email: `invitee-${Date.now()}-${attempt}@bench.test`, role: 'viewer' },
          });
          ids.userId = String(invited.body.id);
        }
        if (route.id === 'users.remove' || route.id === 'users.changeRole') {
          const other = await bench.call('POST', `${base}/users`, {
            token: tenant.token,
            body: { email: `other-${Date.now()}-${attempt}@bench.test`, role: 'member' },
          });
          ids.userId = String(other.body.id);
        }
        capturing = route.id;
        captured = undefined;
        const response = await bench.call(route.method, pathFor(route, ids), {
          token,
          body:
            route.id === 'tenants.changePlan'
              ? { plan: 'enterprise' }
              : sampleBody(route, `r${Date.now()}${attempt}`),
        });
        capturing = undefined;
        status = response.status;
        result = captured;
      }
      if (!result) {
        rows.push([route.id, status, '—', '', '', '', '', floorOf(route), '']);
        continue;
      }
      const dynamo = result.writeUnits * PRICE.writeUnit + result.readUnits * PRICE.readUnit;
      const lambda =
        PRICE.lambdaRequest + PRICE.lambdaGbSecond * 1e6 * MEMORY_GB * (result.durationMs / 1000);
      const perMillion = dynamo + PRICE.httpApiRequest + lambda;
      totalCost += perMillion;
      const floor = floorOf(route);
      rows.push([
        route.id,
        status,
        result.calls,
        result.commands.join(' '),
        result.readUnits,
        result.writeUnits,
        `$${perMillion.toFixed(2)}`,
        floor,
        result.calls - floor > 0 ? `+${result.calls - floor}` : '0',
      ]);
    }
    console.log(
      '\nOne warm request of each route on the twin: DynamoDB calls and capacity units as DynamoDB reported them.',
    );
    console.log(
      'Cost per million requests: DynamoDB on demand ($0.625/M write units, $0.125/M read units), HTTP API ($1.00/M),',
    );
    console.log('Lambda ($0.20/M invocations, arm64 at 512 MB for the time the handler took on the twin).\n');
    printTable(['route', 'status', 'calls', 'commands', 'RCU', 'WCU', '$/M req', 'floor', 'extra'], rows);
    console.log(`\nMean over routes: $${(totalCost / rows.length).toFixed(2)} per million requests.`);
  } finally {
    unsubscribe();
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
