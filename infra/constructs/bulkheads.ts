import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ROUTES } from '../../shared/api/manifest';
import { routeKey, type RouteDefinition } from '../../shared/http/route';

/**
 * The stage-wide throttle every route shares unless it has its own (requests per second, and the
 * burst above it).
 */
export const STAGE_THROTTLE = { rate: 1_000, burst: 500 } as const;

/**
 * The public routes' own throttles, below the stage's: anyone can call them, so a flood of them must
 * not use up what tenants' calls share.
 */
export const PUBLIC_ROUTE_THROTTLES: Readonly<Record<string, { rate: number; burst: number }>> = {
  // Signup also has its per-address window in the app; this caps the whole world's signups.
  'tenants.signup': { rate: 5, burst: 10 },
  // Stripe sends events in bursts and retries a 429 for days: room for a burst, none for a flood.
  'billing.webhook': { rate: 50, burst: 100 },
  // Reference material and the plans' list: read by people and crawlers.
  'plans.list': { rate: 20, burst: 40 },
  'docs.openapi': { rate: 20, burst: 40 },
  'docs.reference': { rate: 20, burst: 40 },
  'docs.problems': { rate: 20, burst: 40 },
  'docs.asset': { rate: 50, burst: 100 },
  // Each sign-in page at a tenant's host asks once.
  'branding.get': { rate: 20, burst: 40 },
  // Each sign-in that types an address asks once (home realm discovery).
  'sso.discover': { rate: 20, burst: 40 },
};

/** Sets the stage's throttles: one per public route, the stage's for the rest. */
export function throttleStage(stage: CfnStage): void {
  stage.defaultRouteSettings = {
    throttlingBurstLimit: STAGE_THROTTLE.burst,
    throttlingRateLimit: STAGE_THROTTLE.rate,
  };
  const publicRoutes = (ROUTES as readonly RouteDefinition[]).filter((route) => route.auth === 'public');
  // RouteSettings is plain JSON to CDK (not converted): CloudFormation's own property names.
  stage.routeSettings = Object.fromEntries(
    publicRoutes.map((route) => {
      const throttle = PUBLIC_ROUTE_THROTTLES[route.id];
      if (!throttle) throw new Error(`The public route ${route.id} has no throttle of its own.`);
      return [routeKey(route), { ThrottlingRateLimit: throttle.rate, ThrottlingBurstLimit: throttle.burst }];
    }),
  );
}

/**
 * Reserved concurrency (cdk context \`reservedConcurrency\`, \`off\` for an account whose concurrency
 * limit has no room for it): each function that public callers or schedules drive gets a share of
 * the account's concurrency of its own, which is also its ceiling, so that neither a flood of public
 * calls nor a job's fan-out can take the concurrency the tenants' API calls need.
 */
export const RESERVED_CONCURRENCY: Readonly<Record<string, number>> = {
  // Public functions: signup lives in tenants, Stripe's webhook in billing.
  tenants: 100,
  billing: 20,
  docs: 10,
  // Jobs: the scheduler fans out, the workers take the queues' messages.
  scheduler: 2,
  worker: 20,
  billingOutbox: 2,
  notifications: 10,
  webhookDeliveries: 20,
};

export function reserveConcurrency(functions: Record<string, NodejsFunction>): void {
  for (const [name, reserved] of Object.entries(RESERVED_CONCURRENCY)) {
    const fn = functions[name];
    if (!fn) throw new Error(`No function ${name} to reserve concurrency for.`);
    (fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = reserved;
  }
}
