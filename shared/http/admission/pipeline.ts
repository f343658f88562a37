import { enterTenantContext } from '../../context/tenant-context';
import type { OperationCommit } from '../../data/operation-commit';
import { logger } from '../../observability/logger';
import { tracer } from '../../observability/tracer';
import type { AdmittedRequest, OperationInput, TenantRequest } from '../admitted-request';
import type { ApiEvent, ApiResult } from '../api-event';
import { rateLimitHeaders } from '../rate-limit-headers';
import type { RouteDefinition } from '../route';
import { admissionEffectsOf, type AdmissionEffectName } from './admission-effects';
import { identify } from './identify';
import { claimIdempotency, concludeIdempotency, type IdempotencyClaim } from './idempotency';
import { meter, settleMetering, type Metering } from './metering';
import { admitToTenant } from './tenant-access';
import { validate } from './validate';

/**
 * The order of admission, written once (`admit` runs it; `../shared/ARCHITECTURE.md` draws it):
 * each stage is a function of the typed request the one before it returned, and a request refused
 * by a stage goes no further.
 */
export const ADMISSION_STAGES = [
  'identify', // the principal, from the authorizer's verified context; the kind the route is for
  'tenant access', // tenant routes: the tenant named, the grant, status, IP allowlist, MFA, permission
  'validate', // the route's schemas: path, query, body
  'claim idempotency', // tenant POSTs with an Idempotency-Key
  'meter', // plan feature, rate limit, API-call quota, the route's monthly resource
  'effects', // what admission writes, named (an invitation accepted, a key's use, a platform read audited)
] as const;

/** A request admission has let through, with what it claimed and took, for its conclusion. */
export interface Admission<R extends RouteDefinition = RouteDefinition> {
  request: AdmittedRequest;
  input: OperationInput<R>;
  /** What the operation's first write commits with (the key's record, a quota take's receipt). */
  commit: OperationCommit;
  claim?: IdempotencyClaim;
  metering?: Metering;
  /** The effects admission ran (or started, beside the operation), by name. */
  effects: AdmissionEffectName[];
  /** A stored answer to replay (an Idempotency-Key seen before): the operation does not run. */
  replay?: ApiResult;
  /** The effects running beside the operation, awaited when admission concludes. */
  besides?: Array<Promise<void>>;
  /** Whether `concludeAdmission` has run (it runs once, whatever calls it again). */
  concluded?: boolean;
}

/**
 * Admits a request to its route, stage by stage (`ADMISSION_STAGES`). A tenant route's context is
 * entered into the request's slot once, as soon as it is known, for everything after it (the
 * tenant-guarded client reads it there). If a later stage refuses the request, what earlier ones
 * claimed or took is given back before the refusal goes on.
 */
export async function admit<R extends RouteDefinition>(
  event: ApiEvent,
  route: R,
  remainingMs: number,
): Promise<Admission<R>> {
  const identified = await identify(event, route);
  logger.debug('Admission: identified', {
    route: route.id,
    principal: identified.principal?.type ?? 'none',
    platformAdmin: identified.principal?.isPlatformAdmin ?? false,
  });
  const commit: OperationCommit = { attachments: [], committed: false };
  if (route.auth !== 'tenant' || !identified.principal) {
    const { input, raw } = validate(event, route);
    logger.debug('Admission: validated', { route: route.id });
    const { principal, ...base } = identified;
    const request = {
      ...base,
      ...(principal ? { principal } : {}),
      ...(raw ? { raw } : {}),
    } as AdmittedRequest;
    return { request, input, commit, effects: [] };
  }
  const access = await admitToTenant({ ...identified, principal: identified.principal }, event);
  enterTenantContext(access.request.tenant);
  logger.appendKeys({ tenantId: access.request.tenant.tenantId });
  tracer.putAnnotation('tenantId', access.request.tenant.tenantId);
  logger.debug('Admission: tenant access granted', {
    grant: access.grant.kind,
    role: access.request.tenant.role,
    plan: access.request.tenant.plan,
    tenantStatus: access.request.tenant.tenantStatus,
  });
  const { input, raw } = validate(event, route);
  logger.debug('Admission: validated', { route: route.id });
  const request: TenantRequest = { ...access.request, ...(raw ? { raw } : {}) };
  const admission: Admission<R> = { request, input, commit, effects: [] };
  const { claim, replay } = await claimIdempotency(request, event, remainingMs, commit);
  if (replay) {
    logger.debug('Admission: an Idempotency-Key seen before; its stored answer is replayed');
    return { ...admission, replay };
  }
  if (claim) {
    admission.claim = claim;
    logger.debug('Admission: Idempotency-Key claimed');
  }
  try {
    const metering = await meter(request, commit, input.body);
    if (metering) {
      admission.metering = metering;
      logger.debug('Admission: metered', {
        rateLimitRemaining: metering.rateLimit.remaining,
        rateLimit: metering.rateLimit.limit,
        take: metering.take?.consumption.resource,
      });
    }
    for (const effect of admissionEffectsOf(request, access.grant)) {
      if (effect.beside) {
        admission.effects.push(effect.name);
        (admission.besides ??= []).push(
          effect.run().then(
            () => logger.debug('Admission: effect run beside the operation', { effect: effect.name }),
            (error: unknown) =>
              logger.warn('Admission: an effect beside the operation failed', {
                effect: effect.name,
                reason: error instanceof Error ? error.message : String(error),
              }),
          ),
        );
        continue;
      }
      await effect.run();
      admission.effects.push(effect.name);
      logger.debug('Admission: effect run', { effect: effect.name });
    }
  } catch (error) {
    await concludeAdmission(admission, { failed: true });
    throw error;
  }
  return admission;
}

/**
 * Ends what admission started, once the operation answered or failed: the Idempotency-Key's answer
 * stored for replays (before the RateLimit-* headers, which describe this request's minute) or its
 * key released; the quota take kept or given back; then the RateLimit-* headers on the answer.
 */
export async function concludeAdmission(
  admission: Admission,
  outcome: { response: ApiResult } | { failed: true },
): Promise<ApiResult | undefined> {
  const { request, claim, metering, commit } = admission;
  const response = 'response' in outcome ? outcome.response : undefined;
  if (admission.concluded || !('tenant' in request)) return response;
  admission.concluded = true;
  if (admission.besides) await Promise.all(admission.besides);
  const settle = () =>
    metering
      ? settleMetering(
          request,
          metering,
          commit.committed ? 'committed' : response ? 'answered' : commit.uncertain ? 'uncertain' : 'failed',
        )
      : Promise.resolve();
  if (claim) {
    try {
      await concludeIdempotency(request, claim, commit.committed, response);
    } catch (error) {
      // The answer could not be stored: the request fails, and its key is released as for a failure.
      await concludeIdempotency(request, claim, commit.committed, undefined);
      await settle();
      throw error;
    }
  }
  await settle();
  logger.debug('Admission concluded', {
    outcome: commit.committed ? 'committed' : response ? 'answered' : 'failed',
    take: metering?.take
      ? commit.committed || response
        ? 'kept'
        : commit.uncertain
          ? 'left pending'
          : 'given back'
      : undefined,
    idempotencyKey: claim ? 'concluded' : undefined,
  });
  if (!response) return response;
  return {
    ...response,
    headers: {
      ...(response.headers ?? {}),
      ...(metering ? rateLimitHeaders(metering.rateLimit) : {}),
      ...(request.resolvedBy ? { 'Tenant-Resolved-By': request.resolvedBy } : {}),
    },
  };
}
