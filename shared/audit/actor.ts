import { principalId, type RequestMeta, type TenantContext } from '../context/tenant-context';

/** Who did something, as the audit log records it. */
export interface Actor {
  type: 'user' | 'apiKey' | 'system';
  id: string;
  /** The actor's own tenant, where it has one (differs from the audited tenant for platform admins). */
  tenantId: string | undefined;
  isPlatformAdmin: boolean;
  /** A person's email, from their token. */
  email?: string | undefined;
  /** A partner's person acting in a tenant below it: the partner, through which delegation. */
  actingFor?: { tenantId: string; delegationId: string } | undefined;
}

export interface AuditSource {
  actor: Actor;
  meta: RequestMeta;
}

export function auditSourceOf(ctx: TenantContext): AuditSource {
  return {
    actor: {
      type: ctx.principal.type,
      id: principalId(ctx.principal),
      tenantId:
        ctx.principal.type === 'apiKey'
          ? ctx.principal.tenantId
          : (ctx.delegation?.partnerId ?? ctx.principal.homeTenantId),
      isPlatformAdmin: ctx.principal.isPlatformAdmin,
      ...(ctx.principal.type === 'user' && ctx.principal.email ? { email: ctx.principal.email } : {}),
      ...(ctx.delegation
        ? { actingFor: { tenantId: ctx.delegation.partnerId, delegationId: ctx.delegation.delegationId } }
        : {}),
    },
    meta: {
      requestId: ctx.requestId,
      sourceIp: ctx.sourceIp,
      userAgent: ctx.userAgent,
      ...(ctx.receivedAt ? { receivedAt: ctx.receivedAt } : {}),
    },
  };
}
