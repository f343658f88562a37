import type { DomainState } from '../model/domain-states';

/**
 * The moves of a custom domain's life (model/domain-states.ts), decided from what a check saw: one
 * pure function, so each boundary is tested with a fixed clock. The service carries a move out (one
 * audited write each) and asks again, so one check can take a domain from claimed to active.
 */
export type DomainStep =
  /** claimed or verifying → verified: the TXT record proves control (the guard decides who holds it). */
  | { kind: 'verify' }
  /** verified → verifying: the record went before the domain was served. */
  | { kind: 'unverify' }
  /** verified → provisioning: the CNAME points at the target and CAA allows the certificate. */
  | { kind: 'provision' }
  /** provisioning → active: served over TLS; the host names the tenant. */
  | { kind: 'activate' }
  /** active → at_risk: a re-check missed the record; still served. */
  | { kind: 'at_risk' }
  /** at_risk or suspended → active: the record is back. */
  | { kind: 'restore' }
  /** at_risk → suspended: gone past the grace; the host names no one. */
  | { kind: 'suspend' }
  /** suspended → releasing: gone past the release grace; the serving resource is taken down. */
  | { kind: 'release' }
  /** releasing → gone, once the serving resource is. */
  | { kind: 'finish_release' }
  /** Nothing moves: the findings are recorded, in `state` (claimed becomes verifying once checked). */
  | { kind: 'wait'; state: DomainState };

export interface DomainSeen {
  /** The TXT record with the token was found; `undefined` when the lookup failed (nothing moves on it). */
  proven: boolean | undefined;
  /** The CNAME points at the target and CAA lets the certificate be issued. */
  routable: boolean;
  /** For a domain being provisioned: whether it is served now. */
  servingReady?: boolean | undefined;
}

export interface DomainPolicy {
  suspendAfterDays: number;
  releaseAfterDays: number;
}

const DAY = 86_400_000;

function daysSince(since: string | undefined, now: Date): number {
  return since === undefined ? 0 : (now.getTime() - Date.parse(since)) / DAY;
}

export function nextStep(
  current: { state: DomainState; missingSince?: string | undefined },
  seen: DomainSeen,
  now: Date,
  policy: DomainPolicy,
): DomainStep {
  const missing = seen.proven === false;
  switch (current.state) {
    case 'claimed':
    case 'verifying':
      return seen.proven ? { kind: 'verify' } : { kind: 'wait', state: 'verifying' };
    case 'verified':
      if (missing) return { kind: 'unverify' };
      return seen.routable ? { kind: 'provision' } : { kind: 'wait', state: 'verified' };
    case 'provisioning':
      return seen.servingReady ? { kind: 'activate' } : { kind: 'wait', state: 'provisioning' };
    case 'active':
      return missing ? { kind: 'at_risk' } : { kind: 'wait', state: 'active' };
    case 'at_risk':
      if (seen.proven) return { kind: 'restore' };
      return missing && daysSince(current.missingSince, now) >= policy.suspendAfterDays
        ? { kind: 'suspend' }
        : { kind: 'wait', state: 'at_risk' };
    case 'suspended':
      if (seen.proven) return { kind: 'restore' };
      return missing && daysSince(current.missingSince, now) >= policy.releaseAfterDays
        ? { kind: 'release' }
        : { kind: 'wait', state: 'suspended' };
    case 'releasing':
      return { kind: 'finish_release' };
  }
}
