import { noteApiKeyUse } from '../../api-keys/key-use';
import { auditSourceOf } from '../../audit/actor';
import { recordAuditEvent } from '../../audit/audit-log';
import { activateInvitedMembership } from '../../users/membership-activation';
import { isNewSignIn, recordSignIn } from '../../users/sign-in-activity';
import { noteSession } from '../../users/sessions';
import type { TenantRequest } from '../admitted-request';
import { isMutation } from '../route';
import { defaultTenantOf } from '../../tenancy/tenant-resolution';
import type { Grant } from './tenant-access';

/** The writes admission itself makes, beside the operation's, each under its name. */
export type AdmissionEffectName =
  /** An invited member's first admitted request accepts the invitation (the membership is active). */
  | 'invitation.accepted'
  /** A key's request records its last use (at most once a minute per key). */
  | 'apiKey.used'
  /** A platform admin's read of another tenant is audited in that tenant (mutations audit themselves). */
  | 'platformAdmin.readAudited'
  /** A member's first request with a new sign-in (token `auth_time`) records it, audited. */
  | 'user.signedIn';

export interface AdmissionEffect {
  name: AdmissionEffectName;
  run(): Promise<unknown>;
  /**
   * Bookkeeping that runs beside the operation rather than before it: the answer waits for it (it is
   * never lost when the function freezes), not the operation; its failure is logged, not answered.
   */
  beside?: true;
}

/**
 * Stage 6, the effects of admission: what an admitted request writes because it was admitted, named
 * so that tests and readers can see them. Decided from the grant and the route alone; run after
 * every check has passed (a refused or malformed request writes none of them), before the operation.
 */
export function admissionEffectsOf(request: TenantRequest, grant: Grant): AdmissionEffect[] {
  const { tenant: ctx, route, receivedAt } = request;
  if (grant.kind === 'membership') {
    const { membership } = grant;
    const { principal } = ctx;
    const effects: AdmissionEffect[] = [];
    if (membership.status === 'invited')
      effects.push({ name: 'invitation.accepted', run: () => activateInvitedMembership(ctx, membership) });
    const signedInAt = principal.type === 'user' ? principal.signedInAt : undefined;
    if (signedInAt && isNewSignIn(membership, signedInAt))
      effects.push({
        name: 'user.signedIn',
        run: () => Promise.all([recordSignIn(ctx, membership, signedInAt), noteSession(ctx, signedInAt)]),
        beside: true,
      });
    return effects;
  }
  if (grant.kind === 'apiKey') {
    const { key } = grant;
    return [{ name: 'apiKey.used', run: () => noteApiKeyUse(key, receivedAt) }];
  }
  if (grant.kind === 'platform' && ctx.tenantId !== defaultTenantOf(ctx.principal) && !isMutation(route)) {
    return [
      {
        name: 'platformAdmin.readAudited',
        run: () =>
          recordAuditEvent(ctx.tenantId, auditSourceOf(ctx), {
            action: 'platform_admin.read',
            targetType: 'route',
            targetId: route.id,
          }),
      },
    ];
  }
  return [];
}
