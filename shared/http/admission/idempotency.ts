import { createHash, randomUUID } from 'node:crypto';
import { getConfig } from '../../config';
import { principalId, type TenantContext } from '../../context/tenant-context';
import { isConditionalFailure } from '../../data/dynamo-errors';
import { IdempotencyRecordEntity } from '../../data/entities/idempotency-record';
import type { OperationCommit } from '../../data/operation-commit';
import { ConflictError, UnprocessableError, ValidationError } from '../../errors';
import { logger } from '../../observability/logger';
import type { TenantRequest } from '../admitted-request';
import type { ApiEvent, ApiResult } from '../api-event';
import { isIdempotent } from '../route';

const { ttlSeconds } = getConfig().idempotency;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/**
 * An unfinished first request holds its key for what its invocation has left and this margin: past
 * that it cannot be running any more (the function's timeout ended it), so a request that died
 * mid-way does not block its retries for long, and a slow one is never run twice at once.
 */
const LOCK_MARGIN_SECONDS = 5;

/** The Idempotency-Key a request claimed, and the claim's own token. */
export interface IdempotencyClaim {
  itemKey: { tenantId: string; scopeKey: string };
  token: string;
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

/** A request's clock in whole seconds, as the records' times are kept. */
const secondsOf = (request: TenantRequest) => Math.floor(request.receivedAt.getTime() / 1000);

/**
 * Stage 4, claim idempotency: `Idempotency-Key` on a tenant POST. The first request with a key
 * claims it (a record `in_progress`, with a token of its own) and attaches the record's move to
 * `committed` to its operation's first write (`data/operation-commit.ts`); its 2xx answer is stored
 * when it ends (`concludeIdempotency`). A retry with the same key and body gets that answer back
 * (`Idempotent-Replayed: true`) without running again or consuming quota again. The same key with
 * another body is a 422; a retry while the first is still running is a 409. A request that failed
 * before its effect leaves no record, so its retry runs for real; one that took effect and then
 * failed, or died, leaves a `committed` record, and its retry is a `409 idempotency_answer_lost`,
 * never the effect a second time.
 */
export async function claimIdempotency(
  request: TenantRequest,
  event: ApiEvent,
  remainingMs: number,
  commit: OperationCommit,
): Promise<{ claim?: IdempotencyClaim; replay?: ApiResult }> {
  const key = event.headers['idempotency-key'];
  if (key === undefined && request.route.requiresIdempotencyKey) {
    throw new ValidationError(
      'This request needs an Idempotency-Key header (1 to 255 visible ASCII characters, unique per record): a retry with the same key is answered without counting twice.',
      [{ path: 'Idempotency-Key', message: 'required' }],
      'idempotency_key_required',
    );
  }
  if (!isIdempotent(request.route) || key === undefined) return {};
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError(
      'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      [],
      'invalid_idempotency_key',
    );
  }
  const hash = requestHash(event);
  const now = secondsOf(request);
  const lockSeconds = Math.ceil(remainingMs / 1000) + LOCK_MARGIN_SECONDS;
  const itemKey = itemKeyOf(request.tenant, key);
  const token: string = randomUUID();
  try {
    await IdempotencyRecordEntity.put({
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
      .go({ response: 'none' });
    const marker = IdempotencyRecordEntity.patch(itemKey)
      .set({ status: 'committed' })
      .where((attr, op) => op.eq(attr.claimToken, token))
      .params() as Record<string, unknown>;
    commit.attachments.push({ Update: marker });
    request.idempotencyKey = key;
    return { claim: { itemKey, token } };
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
  const existing = (await IdempotencyRecordEntity.get(itemKey).go({ consistent: true })).data;
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
  return { replay: { ...stored, headers: { ...(stored.headers ?? {}), 'Idempotent-Replayed': 'true' } } };
}

/**
 * The request ends without an answer to keep: a record that took no effect is deleted (the key is
 * free again); one whose effect committed is kept, its lock released, so a retry learns at once
 * that the answer was lost. Either only while this request still holds the key.
 */
async function releaseClaim(
  request: TenantRequest,
  claim: IdempotencyClaim,
  committed: boolean,
): Promise<void> {
  // On the request's own clock, as the lock was set: before any retry's moment.
  const now = secondsOf(request);
  await (
    committed
      ? IdempotencyRecordEntity.patch(claim.itemKey)
          .set({ lockedUntil: now - 1 })
          .where((attr, op) => op.eq(attr.claimToken, claim.token))
          .go({ response: 'none' })
      : IdempotencyRecordEntity.delete(claim.itemKey)
          .where(
            (attr, op) => `${op.eq(attr.claimToken, claim.token)} AND ${op.eq(attr.status, 'in_progress')}`,
          )
          .go({ response: 'none' })
  ).catch((error: unknown) => {
    if (!isConditionalFailure(error)) logger.error('Could not release an idempotency record', { error });
  });
}

/**
 * Ends the claim: a 2xx answer is stored for replays (as the operation answered it, before the
 * RateLimit-* headers, which describe this request's minute and would be stale on a replay); any
 * other end releases the key (`releaseClaim`).
 */
export async function concludeIdempotency(
  request: TenantRequest,
  claim: IdempotencyClaim,
  committed: boolean,
  response: ApiResult | undefined,
): Promise<void> {
  if (!response || (response.statusCode ?? 200) >= 300) return releaseClaim(request, claim, committed);
  const replayable = {
    statusCode: response.statusCode,
    headers: response.headers ?? {},
    body: response.body,
  };
  await IdempotencyRecordEntity.patch(claim.itemKey)
    .set({ status: 'completed', response: replayable })
    .where((attr, op) => op.eq(attr.claimToken, claim.token))
    .go({ response: 'none' })
    .catch((error: unknown) => {
      // Taken over by a retry after this request's lock ran out: that retry answers for the key.
      if (!isConditionalFailure(error)) throw error;
      logger.warn('An idempotency record was taken over before its answer was stored', { error });
    });
}
