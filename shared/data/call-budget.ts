import { AsyncLocalStorage } from 'node:async_hooks';
import { outsideTenantContext } from '../context/tenant-context';
import { outsideRequestCost } from '../observability/request-cost';
import { ServiceUnavailableError } from '../errors';
import { outsideOperationCommit } from './operation-commit';

/**
 * The time an API invocation has left, so that no dependency call outlives it: a call still waiting
 * when the function's time runs out ends in a Lambda timeout (API Gateway's bare 503, no problem
 * document, no cleanup). Every call of the invocation is aborted when what is left runs out, less
 * {@link RESERVE_MS} kept for answering; a dependency that is paused or hung is then a 503 with
 * `Retry-After` within the function's timeout. Outside an API invocation (jobs, whose messages are
 * retried) calls are not bounded here.
 */
const store = new AsyncLocalStorage<number>();

/** Kept back from every invocation to shape and send the answer, and to log. */
export const RESERVE_MS = 1_000;

/** Runs `fn` as an invocation that must be done within `remainingMs`. */
export function runWithinDeadline<T>(remainingMs: number, fn: () => Promise<T>): Promise<T> {
  return store.run(Date.now() + remainingMs - RESERVE_MS, fn);
}

/**
 * A signal that aborts the next dependency call when the invocation's time is up (none outside an
 * invocation). With no time left the call is not made at all: a 503 with `Retry-After`.
 */
export function callSignal(now: number = Date.now()): AbortSignal | undefined {
  const deadline = store.getStore();
  if (deadline === undefined) return undefined;
  const left = deadline - now;
  if (left <= 0) {
    throw new ServiceUnavailableError('The request ran out of time waiting for a dependency; retry shortly.');
  }
  return AbortSignal.timeout(left);
}

/**
 * Runs `fn` outside the request it starts in: the twin's stand-ins for asynchronous work (the event
 * consumer, the export worker, webhook deliveries) start inside a request but, as in AWS, run in an
 * invocation of their own, which the request's time must not bound, whose writes do not carry the
 * request's bookkeeping, whose DynamoDB calls are not the request's cost, and which sets its own
 * tenant context.
 */
export function outsideRequest<T>(fn: () => T): T {
  return store.exit(() => outsideOperationCommit(() => outsideRequestCost(() => outsideTenantContext(fn))));
}
