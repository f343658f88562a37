import { AsyncLocalStorage } from 'node:async_hooks';
import { ServiceUnavailableError } from '../errors';

/**
 * The time an invocation has left, so that no dependency call outlives it: a call made with the
 * function's time nearly spent would end in a Lambda timeout (API Gateway's bare 503, no problem
 * document, and no cleanup). Each call gets at most {@link MAX_CALL_MS}, and never more than what is
 * left before {@link RESERVE_MS} of the invocation, which is kept for answering.
 */
const store = new AsyncLocalStorage<number>();

/** One dependency call's ceiling, retries included (DynamoDB answers in milliseconds). */
export const MAX_CALL_MS = 4_000;
/** Kept back from every invocation to shape and send the answer, and to log. */
export const RESERVE_MS = 1_000;

/** Runs `fn` as an invocation that must be done within `remainingMs`. */
export function runWithinDeadline<T>(remainingMs: number, fn: () => Promise<T>): Promise<T> {
  return store.run(Date.now() + remainingMs - RESERVE_MS, fn);
}

/**
 * How long the next dependency call may take: the ceiling, or what the invocation has left. With no
 * time left it is not made at all (503 with `Retry-After`).
 */
export function callTimeoutMs(now: number = Date.now()): number {
  const deadline = store.getStore();
  if (deadline === undefined) return MAX_CALL_MS;
  const left = deadline - now;
  if (left <= 0) {
    throw new ServiceUnavailableError('The request ran out of time waiting for a dependency; retry shortly.');
  }
  return Math.min(MAX_CALL_MS, left);
}

/** A signal that aborts the next dependency call when its time is up. */
export function callSignal(): AbortSignal {
  return AbortSignal.timeout(callTimeoutMs());
}
