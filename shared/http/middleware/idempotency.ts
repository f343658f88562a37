import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { getConfig } from '../../config';
import { IdempotencyRecordEntity } from '../../data/entities/idempotency-record';
import { isConditionalFailure } from '../../data/dynamo-errors';
import { logger } from '../../observability/logger';
import { principalId, runWithTenantContext, type TenantContext } from '../../tenancy/context';
import type { ApiEvent, ApiResult, ScopedContext } from '../request-scope';
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

/**
 * `Idempotency-Key` on POST: the first request with a key is recorded as in progress, then its 2xx
 * answer is stored; a retry with the same key and body gets that answer back (`Idempotent-Replayed:
 * true`) without running again or consuming quota again. The same key with another body is a 422;
 * a retry while the first is still running is a 409. A failed request leaves no record, so its
 * retry runs for real. Runs after the tenant context and before metering.
 */
/** A key belongs to the tenant and the caller: two users may use the same key without meeting. */
function itemKeyOf(ctx: TenantContext, key: string) {
  return { tenantId: ctx.tenantId, scopeKey: `${principalId(ctx.principal)}#${key}` };
}

export function idempotencyMiddleware(
  route: RouteDefinition,
): MiddlewareObj<ApiEvent, ApiResult, Error, ScopedContext> {
  const recordKey = (request: { context: ScopedContext }) => {
    const ctx = request.context.scope.tenant;
    const key = request.context.scope.idempotencyKey;
    return ctx && key ? { ctx, key: itemKeyOf(ctx, key) } : undefined;
  };

  const forget = async (request: { context: ScopedContext }) => {
    const record = recordKey(request);
    if (!record) return;
    await runWithTenantContext(record.ctx, () =>
      IdempotencyRecordEntity.delete(record.key).go({ response: 'none' }),
    ).catch((error: unknown) => logger.error('Could not clear an idempotency record', { error }));
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
      try {
        await runWithTenantContext(ctx, () =>
          IdempotencyRecordEntity.put({
            ...itemKey,
            requestHash: hash,
            status: 'in_progress',
            expiresAt: now + ttlSeconds,
            lockedUntil: now + lockSeconds,
          })
            .where(
              (attr, op) =>
                `${op.notExists(attr.status)} OR ${op.lt(attr.expiresAt, now)} OR (${op.eq(attr.status, 'in_progress')} AND ${op.lt(attr.lockedUntil, now)})`,
            )
            .go({ response: 'none' }),
        );
        context.scope.idempotencyKey = key;
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
      const record = recordKey(request);
      const response = request.response;
      if (!record || !response) return;
      if ((response.statusCode ?? 200) >= 300) return forget(request);
      await runWithTenantContext(record.ctx, () =>
        IdempotencyRecordEntity.patch(record.key)
          .set({
            status: 'completed',
            response: replayable(response),
          })
          .go({ response: 'none' }),
      );
    },
    onError: async function releaseIdempotencyKey(request) {
      await forget(request);
    },
  };
}
