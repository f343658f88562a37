import { createHash, randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { getConfig } from '../../config';
import { IdempotencyRecordEntity } from '../../data/entities/idempotency-record';
import { isConditionalFailure } from '../../data/dynamo-errors';
import { logger } from '../../observability/logger';
import { principalId, runWithTenantContext, type TenantContext } from '../../tenancy/context';
import { operationCommitOf, type ApiEvent, type ApiResult, type ScopedContext } from '../request-scope';
import { isIdempotent, type RouteDefinition } from '../route';
import { ConflictError, UnprocessableError, ValidationError } from '../../errors';

const { ttlSeconds } = getConfig().idempotency;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/**
 * An unfinished first request holds its key for what its invocation has left and this margin: past
 * that it cannot be running any more (the function's timeout ended it), so a request that died
 * mid-way does not block its retries for long, and a slow one is never run twice at once.
 */
const LOCK_MARGIN_SECONDS = 5;

/**
 * The answer as it is kept for replays: without the RateLimit-* headers, which described the
 * first request's minute and would be stale on a replay (which meters nothing).
 */
function replayable(response: ApiResult): ApiResult {
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).filter(([name]) => !/^ratelimit/i.test(name)),
  );
  return { statusCode: response.statusCode, headers, body: response.body };
}

function requestHash(event: ApiEvent): string {
  return createHash('sha256')
    .update(`${event.routeKey}\n${event.rawPath}\n${event.body ?? ''}`)
    .digest('base64url');
}

/** A key belongs to the tenant and the caller: two users may use the same key without meeting. */
function itemKeyOf(ctx: TenantContext, key: string) {
  return { tenantId: ctx.tenantId, scopeKey: `${principalId(ctx.principal)}#${key}` };
}

/**
 * `Idempotency-Key` on POST: the first request with a key claims it (a record `in_progress`, with a
 * token of its own); its operation's first write commits together with the record
 * (`data/operation-commit.ts`), and its 2xx answer is then stored. A retry with the same key and
 * body gets that answer back (`Idempotent-Replayed: true`) without running again or consuming quota
 * again. The same key with another body is a 422; a retry while the first is still running is a
 * 409. A request that failed before its effect leaves no record, so its retry runs for real; one
 * that took effect and then failed, or died, leaves a `committed` record, and its retry is a
 * `409 idempotency_answer_lost`, never the effect a second time. Runs after the tenant context and
 * before metering.
 */
export function idempotencyMiddleware(
  route: RouteDefinition,
): MiddlewareObj<ApiEvent, ApiResult, Error, ScopedContext> {
  const heldKey = (request: { context: ScopedContext }) => {
    const ctx = request.context.scope.tenant;
    const held = request.context.scope.idempotency;
    const committed = request.context.scope.commit?.committed ?? false;
    return ctx && held ? { ctx, key: itemKeyOf(ctx, held.key), token: held.token, committed } : undefined;
  };

  /**
   * The request ends without an answer to keep: a record that took no effect is deleted (the key is
   * free again); one whose effect committed is kept, its lock released, so a retry learns at once
   * that the answer was lost. Either only while this request still holds the key.
   */
  const release = async (request: { context: ScopedContext }) => {
    const held = heldKey(request);
    if (!held) return;
    const { ctx, key, token, committed } = held;
    // On the request's own clock, as the lock was set: before any retry's moment.
    const now = Math.floor(request.context.scope.receivedAt.getTime() / 1000);
    await runWithTenantContext(ctx, () =>
      committed
        ? IdempotencyRecordEntity.patch(key)
            .set({ lockedUntil: now - 1 })
            .where((attr, op) => op.eq(attr.claimToken, token))
            .go({ response: 'none' })
        : IdempotencyRecordEntity.delete(key)
            .where((attr, op) => `${op.eq(attr.claimToken, token)} AND ${op.eq(attr.status, 'in_progress')}`)
            .go({ response: 'none' }),
    ).catch((error: unknown) => {
      if (!isConditionalFailure(error)) logger.error('Could not release an idempotency record', { error });
    });
  };

  return {
    before: async function claimIdempotencyKey(request) {
      const { event, context } = request;
      const ctx = context.scope.tenant;
      const key = event.headers['idempotency-key'];
      if (!isIdempotent(route) || !ctx || key === undefined) return undefined;
      if (!KEY_PATTERN.test(key)) {
        throw new ValidationError(
          'Idempotency-Key must be 1 to 255 visible ASCII characters.',
          [],
          'invalid_idempotency_key',
        );
      }
      const hash = requestHash(event);
      const now = Math.floor(context.scope.receivedAt.getTime() / 1000);
      const lockSeconds = Math.ceil(context.getRemainingTimeInMillis() / 1000) + LOCK_MARGIN_SECONDS;
      const itemKey = itemKeyOf(ctx, key);
      const token: string = randomUUID();
      try {
        await runWithTenantContext(ctx, () =>
          IdempotencyRecordEntity.put({
            ...itemKey,
            requestHash: hash,
            status: 'in_progress',
            claimToken: token,
            expiresAt: now + ttlSeconds,
            lockedUntil: now + lockSeconds,
          })
            .where(
              (attr, op) =>
                `${op.notExists(attr.status)} OR ${op.lt(attr.expiresAt, now)} OR (${op.eq(attr.status, 'in_progress')} AND ${op.lt(attr.lockedUntil, now)})`,
            )
            .go({ response: 'none' }),
        );
        const marker = IdempotencyRecordEntity.patch(itemKey)
          .set({ status: 'committed' })
          .where((attr, op) => op.eq(attr.claimToken, token))
          .params() as Record<string, unknown>;
        context.scope.idempotency = { key, token };
        operationCommitOf(context.scope).attachments.push({ Update: marker });
        return undefined;
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
      }
      const existing = (
        await runWithTenantContext(ctx, () => IdempotencyRecordEntity.get(itemKey).go({ consistent: true }))
      ).data;
      if (!existing)
        throw new ConflictError(
          'The request with this Idempotency-Key changed state; retry.',
          'idempotency_in_progress',
        );
      if (existing.requestHash !== hash) {
        throw new UnprocessableError(
          'This Idempotency-Key was used with a different request.',
          'idempotency_key_reused',
        );
      }
      if (existing.status === 'committed' && (existing.lockedUntil ?? 0) < now) {
        throw new ConflictError(
          'The first request with this Idempotency-Key took effect, but its answer was lost. Read the resource to see its state; this key will not run the request again.',
          'idempotency_answer_lost',
        );
      }
      if (existing.status !== 'completed') {
        throw new ConflictError(
          'A request with this Idempotency-Key is still being processed.',
          'idempotency_in_progress',
        );
      }
      const stored = existing.response as ApiResult;
      return { ...stored, headers: { ...(stored.headers ?? {}), 'Idempotent-Replayed': 'true' } };
    },
    after: async function storeIdempotentResponse(request) {
      const held = heldKey(request);
      const response = request.response;
      if (!held || !response) return;
      if ((response.statusCode ?? 200) >= 300) return release(request);
      await runWithTenantContext(held.ctx, () =>
        IdempotencyRecordEntity.patch(held.key)
          .set({ status: 'completed', response: replayable(response) })
          .where((attr, op) => op.eq(attr.claimToken, held.token))
          .go({ response: 'none' }),
      ).catch((error: unknown) => {
        // Taken over by a retry after this request's lock ran out: that retry answers for the key.
        if (!isConditionalFailure(error)) throw error;
        logger.warn('An idempotency record was taken over before its answer was stored', { error });
      });
    },
    onError: async function releaseIdempotencyKey(request) {
      await release(request);
    },
  };
}
