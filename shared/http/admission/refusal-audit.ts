import type { AuditSource } from '../../audit/actor';
import { writeAuditedAs } from '../../audit/audited-transaction';
import { principalId, type Principal, type RequestMeta } from '../../context/tenant-context';
import { platformDocumentClient } from '../../data/clients';
import { AppError, ConflictError } from '../../errors';
import { isIdOf } from '../../ids';
import { logger } from '../../observability/logger';
import type { RouteDefinition } from '../route';

/**
 * The refusals of tenant access that are attempts against the tenant, audited in its log: someone
 * not of the tenant naming it (`tenant_mismatch`), an address it does not allow, MFA it requires and
 * the caller lacks, a membership it ended, a revoked or expired key. Other refusals (a missing
 * permission, a suspended tenant) are the tenant's own people meeting its own rules.
 */
export const AUDITED_REFUSALS = new Set([
  'tenant_mismatch',
  'sso_required',
  'ip_not_allowed',
  'mfa_required',
  'membership_inactive',
  'api_key_revoked',
]);

/** At most this many refusals a tenant's audit log takes per window: a flood cannot fill it. */
export const REFUSAL_AUDIT_LIMIT: { limit: number; windowSeconds: number } = {
  limit: 20,
  windowSeconds: 600,
};

function refusalCode(error: unknown): string | undefined {
  if (!(error instanceof AppError)) return undefined;
  // The authorizer's cache may still pass a key its record has revoked: the 401 names it.
  if (error.statusCode === 401) return 'api_key_revoked';
  return error.code;
}

/**
 * Audits a refused attempt in the tenant it named (`access.refused`, by the caller, with the route
 * and the refusal's code). One transaction, and no read: the tenant exists and is not deleted (a
 * condition on its record), its refusal window has room (a counter), and the event is written, or
 * none of it is; the caller learns nothing of the tenant from it (a refusal answers the same, as
 * fast, whether the tenant exists or not). A failure to audit never changes the answer.
 */
export async function auditRefusedAccess(
  tenantId: string | undefined,
  principal: Principal,
  route: RouteDefinition,
  meta: RequestMeta,
  error: unknown,
): Promise<void> {
  const code = refusalCode(error);
  if (!code || !AUDITED_REFUSALS.has(code) || !tenantId || !isIdOf('tenant', tenantId)) return;
  const at = meta.receivedAt ?? new Date();
  const seconds = Math.floor(at.getTime() / 1000);
  const windowStart = seconds - (seconds % REFUSAL_AUDIT_LIMIT.windowSeconds);
  const source: AuditSource = {
    actor: {
      type: principal.type,
      id: principalId(principal),
      tenantId: principal.type === 'apiKey' ? principal.tenantId : principal.homeTenantId,
      isPlatformAdmin: principal.isPlatformAdmin,
    },
    meta,
  };
  try {
    await writeAuditedAs(
      tenantId,
      source,
      { action: 'access.refused', targetType: 'route', targetId: route.id, after: { code } },
      (entities) => ({
        tenant: entities.tenant
          .check({ tenantId })
          .where((attr, op) => `${op.exists(attr.tenantId)} AND ${op.ne(attr.status, 'deleted')}`)
          .commit(),
        window: entities.rateWindow
          .update({
            scope: `REFUSALS#TENANT#${tenantId}`,
            resource: 'refusal-audit',
            window: String(windowStart),
          })
          .add({ count: 1 })
          .set({ expiresAt: windowStart + 2 * REFUSAL_AUDIT_LIMIT.windowSeconds })
          .where(
            (attr, op) => `${op.notExists(attr.count)} OR ${op.lt(attr.count, REFUSAL_AUDIT_LIMIT.limit)}`,
          )
          .commit(),
      }),
      {
        client: platformDocumentClient,
        now: at,
        rejections: { tenant: () => NOT_A_TENANT, window: () => WINDOW_FULL },
      },
    );
  } catch (auditError) {
    if (auditError === NOT_A_TENANT) return;
    if (auditError === WINDOW_FULL) {
      logger.info('Refused access not audited: the tenant’s window is full', { tenantId, code });
      return;
    }
    logger.warn('Refused access not audited', {
      tenantId,
      code,
      reason: auditError instanceof Error ? auditError.message : String(auditError),
    });
  }
}

const NOT_A_TENANT = new ConflictError('No such tenant.');
const WINDOW_FULL = new ConflictError('The refusal window is full.');
