import { randomBytes } from 'node:crypto';
import { writeAudited } from '../audit/audited-transaction';
import type { AuditChange } from '../audit/audit-log';
import { getConfig } from '../config';
import { principalId, requestTime, type TenantContext } from '../context/tenant-context';
import { forgetDomain } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { CustomDomainEntity, type CustomDomainItem } from '../data/entities/custom-domain';
import { DomainClaimEntity } from '../data/entities/domain-claim';
import type { TransactionEntities, TransactionItem } from '../data/service';
import { writeTransaction } from '../data/transactions';
import { ConflictError, NotFoundError } from '../errors';
import type { DomainState } from '../model/domain-states';
import { logger } from '../observability/logger';
import { announce } from '../events/publish';
import { dnsLookup, type DnsLookup } from './dns-lookup';
import {
  actionsFor,
  challengeName,
  challengeValue,
  inspectDomain,
  type DomainFindings,
} from './domain-findings';
import { nextStep, type DomainStep } from './domain-lifecycle';
import { displayDomain, normalizeDomain, pathDomain } from './domain-name';
import { configuredServing, ServingRefused, type DomainServing } from './domain-serving';

/** How many custom domains a tenant may have. */
export const MAX_CUSTOM_DOMAINS = 20;

export interface CustomDomainView {
  /** The host, ASCII (punycode for an internationalized name). */
  domain: string;
  /** The host as people read it. */
  displayName: string;
  state: DomainState;
  /** The record that proves control; the same token across retries. */
  verification: { type: 'TXT'; name: string; value: string };
  /** The record that routes the host to the platform; `value` is null where nothing serves domains yet. */
  routing: { type: 'CNAME'; name: string; value: string | null };
  findings: DomainFindings | null;
  lastCheckedAt: string | null;
  verifiedAt: string | null;
  activeAt: string | null;
  missingSince: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What a check uses: real DNS and the configured serving, or a test's. */
export interface DomainDependencies {
  lookup: DnsLookup;
  serving: DomainServing;
}

export function defaultDependencies(): DomainDependencies {
  return { lookup: dnsLookup(), serving: configuredServing() };
}

function settings() {
  return getConfig().customDomains;
}

/** What a tenant may not claim: the platform's own domains (custom domains and SSO domains alike). */
export function domainNameRules() {
  const { platformDomains } = settings();
  return { reserved: [...getConfig().resolution.baseDomains, ...platformDomains] };
}

function toView(item: CustomDomainItem): CustomDomainView {
  return {
    domain: item.domain,
    displayName: displayDomain(item.domain),
    state: item.state,
    verification: {
      type: 'TXT',
      name: challengeName(item.domain),
      value: challengeValue(item.verificationToken),
    },
    routing: { type: 'CNAME', name: item.domain, value: settings().target ?? null },
    findings: (item.findings as DomainFindings | undefined) ?? null,
    lastCheckedAt: item.lastCheckedAt ?? null,
    verifiedAt: item.verifiedAt ?? null,
    activeAt: item.activeAt ?? null,
    missingSince: item.missingSince ?? null,
    createdBy: item.createdBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const domainNotFound = () =>
  new NotFoundError('No custom domain of this name in the tenant.', 'domain_not_found');

/** The stored form of a domain named in a path; one that cannot be a domain is simply not found. */
function storedName(domain: string): string {
  const name = pathDomain(domain);
  if (name === null) throw domainNotFound();
  return name;
}

async function readDomain(ctx: TenantContext, domain: string): Promise<CustomDomainItem> {
  const item = (
    await CustomDomainEntity.get({ tenantId: ctx.tenantId, domain: storedName(domain) }).go({
      consistent: true,
    })
  ).data;
  if (!item) throw domainNotFound();
  return item;
}

/**
 * Adds a domain in `claimed`, with a fresh verification token; the answer names the TXT record to add
 * and the CNAME to point. A domain another tenant holds verified is refused (409 `domain_taken`); an
 * unverified claim elsewhere is not a hold: whoever proves control first takes it. Audited.
 */
export async function addDomain(
  ctx: TenantContext,
  input: { domain: string },
  now: Date = requestTime(ctx),
): Promise<CustomDomainView> {
  const domain = normalizeDomain(input.domain, domainNameRules());
  const [existing, claim] = await Promise.all([
    CustomDomainEntity.query
      .byTenant({ tenantId: ctx.tenantId })
      .go({ pages: 'all', attributes: ['domain'], consistent: true }),
    DomainClaimEntity.get({ domain }).go({ client: platformDocumentClient, consistent: true }),
  ]);
  if (existing.data.some((item) => item.domain === domain)) {
    throw new ConflictError(`${domain} is one of the tenant's domains already.`, 'domain_exists');
  }
  if (claim.data && claim.data.tenantId !== ctx.tenantId) {
    throw new ConflictError(`${domain} is verified by another tenant.`, 'domain_taken');
  }
  if (existing.data.length >= MAX_CUSTOM_DOMAINS) {
    throw new ConflictError(`A tenant has at most ${MAX_CUSTOM_DOMAINS} custom domains.`, 'domain_limit');
  }
  const item: CustomDomainItem = {
    tenantId: ctx.tenantId,
    domain,
    state: 'claimed',
    verificationToken: randomBytes(18).toString('base64url'),
    version: 0,
    createdBy: principalId(ctx.principal),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await writeAudited(
    ctx,
    { action: 'domain.added', targetType: 'domain', targetId: domain, after: { state: 'claimed' } },
    ({ customDomain }) => ({ domain: customDomain.create(item).commit() }),
    {
      rejections: {
        domain: () => new ConflictError(`${domain} is one of the tenant's domains already.`, 'domain_exists'),
      },
      now,
    },
  );
  return toView(item);
}

export async function listDomains(ctx: TenantContext): Promise<{ items: CustomDomainView[] }> {
  const result = await CustomDomainEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all' });
  return { items: result.data.map(toView) };
}

export async function getDomain(ctx: TenantContext, domain: string): Promise<CustomDomainView> {
  return toView(await readDomain(ctx, domain));
}

const changedMeanwhile = () =>
  new ConflictError('The domain changed meanwhile; retry.', 'concurrent_modification');

class HeldElsewhere extends Error {}

/** The guard's part of a domain's write (the platform item `DOMAIN#<host>`), always this tenant's. */
type Guard = (entities: TransactionEntities) => TransactionItem;
const guards = {
  /** Verifying: the guard is put unless another tenant holds it. */
  take:
    (domain: string, tenantId: string): Guard =>
    (entities) =>
      entities.domainClaim
        .put({ domain, tenantId, serving: false })
        .where((attr, op) => `${op.notExists(attr.domain)} OR ${op.eq(attr.tenantId, tenantId)}`)
        .commit(),
  /** Whether the host names the tenant now. */
  serve:
    (domain: string, tenantId: string, serving: boolean): Guard =>
    (entities) =>
      entities.domainClaim
        .patch({ domain })
        .set({ serving })
        .where((attr, op) => op.eq(attr.tenantId, tenantId))
        .commit(),
  drop:
    (domain: string, tenantId: string): Guard =>
    (entities) =>
      entities.domainClaim
        .delete({ domain })
        .where((attr, op) => op.eq(attr.tenantId, tenantId))
        .commit(),
};

/**
 * One audited write of a domain, conditioned on the record as read (its `version`: two checks in the
 * same millisecond would share an `updatedAt`), with the guard's
 * part in the same transaction. Through the platform client: the guard is a platform item.
 */
async function writeDomain(
  ctx: TenantContext,
  current: CustomDomainItem,
  change: Partial<CustomDomainItem>,
  remove: Array<keyof CustomDomainItem>,
  audit: AuditChange | null,
  guard: Guard | null,
  now: Date,
): Promise<CustomDomainItem> {
  const key = { tenantId: current.tenantId, domain: current.domain };
  const build = (entities: TransactionEntities) => ({
    domain: entities.customDomain
      .patch(key)
      .set(change)
      .add({ version: 1 })
      .remove(remove as never[])
      .where((attr, op) => op.eq(attr.version, current.version))
      .commit(),
    ...(guard ? { claim: guard(entities) } : {}),
  });
  const held = new HeldElsewhere();
  const rejections = { domain: changedMeanwhile, claim: () => held as never };
  if (audit) {
    await writeAudited(ctx, audit, build, { rejections, now, client: platformDocumentClient });
  } else {
    await writeTransaction(platformDocumentClient, build, rejections);
  }
  forgetDomain(current.domain);
  const next = { ...current, ...change, version: current.version + 1, updatedAt: now.toISOString() };
  for (const name of remove) delete next[name];
  return next;
}

function daysAfter(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString();
}

function stateChange(domain: string, action: string, from: DomainState, to: DomainState): AuditChange {
  return { action, targetType: 'domain', targetId: domain, before: { state: from }, after: { state: to } };
}

/**
 * Checks a domain now: asks DNS what is there, records the findings with what to change, and moves
 * the domain on as far as they allow (claimed → verifying → verified → provisioning → active in one
 * check where DNS and serving allow; at risk → suspended → released on the re-check's clock). Each
 * move is one audited write; a check racing another on the same domain answers what that one left.
 */
export async function checkDomain(
  ctx: TenantContext,
  domain: string,
  now: Date = requestTime(ctx),
  dependencies: DomainDependencies = defaultDependencies(),
): Promise<CustomDomainView | null> {
  let item = await readDomain(ctx, domain);
  const { target, certificateAuthorities, suspendAfterDays, releaseAfterDays } = settings();
  const findings = await inspectDomain(dependencies.lookup, item.domain, {
    token: item.verificationToken,
    target: target ?? null,
    certificateAuthorities,
    now,
  });
  const seen = {
    proven: findings.txt.error ? undefined : findings.txt.ok,
    routable: findings.cname.ok && findings.caa.ok,
  };
  try {
    for (let moves = 0; moves < 6; moves += 1) {
      let servingReady: boolean | undefined;
      if (item.state === 'provisioning' && item.servingId) {
        findings.serving = await dependencies.serving.status(item.servingId);
        servingReady = findings.serving.ready;
      }
      const step = nextStep(item, { ...seen, servingReady }, now, { suspendAfterDays, releaseAfterDays });
      const result = await carryOut(ctx, item, step, findings, now, dependencies.serving);
      if (result === 'gone') return null;
      if (result === 'stop') return toView(await readDomain(ctx, item.domain));
      item = result;
    }
    return toView(item);
  } catch (error) {
    if (error instanceof ConflictError && error.code === 'concurrent_modification') {
      // Another check moved it meanwhile: answer what that one left.
      const again = (
        await CustomDomainEntity.get({ tenantId: ctx.tenantId, domain: item.domain }).go({ consistent: true })
      ).data;
      return again ? toView(again) : null;
    }
    throw error;
  }
}

/** A check asked for by a request: a domain the check released (its grace ran out) is gone, a 404. */
export async function checkDomainNow(
  ctx: TenantContext,
  domain: string,
  now: Date,
): Promise<CustomDomainView> {
  const view = await checkDomain(ctx, domain, now);
  if (!view) throw domainNotFound();
  return view;
}

/** The findings as recorded: what was seen, and what to change in the state the move leaves. */
function recorded(findings: DomainFindings, domain: string, state: DomainState): DomainFindings {
  return { ...findings, actions: actionsFor(findings, domain, state) };
}

async function carryOut(
  ctx: TenantContext,
  item: CustomDomainItem,
  step: DomainStep,
  findings: DomainFindings,
  now: Date,
  serving: DomainServing,
): Promise<CustomDomainItem | 'stop' | 'gone'> {
  const at = now.toISOString();
  const { tenantId, domain } = item;
  const checked = (state: DomainState) => ({
    findings: recorded(findings, domain, state),
    lastCheckedAt: at,
  });
  const move = async (
    to: DomainState,
    action: string,
    options: { set?: Partial<CustomDomainItem>; remove?: Array<keyof CustomDomainItem>; guard?: Guard } = {},
  ) =>
    writeDomain(
      ctx,
      item,
      { state: to, ...options.set, ...checked(to) },
      options.remove ?? [],
      stateChange(domain, action, item.state, to),
      options.guard ?? null,
      now,
    );
  const stay = async (state: DomainState, seen: DomainFindings = findings) => {
    await writeDomain(
      ctx,
      item,
      { state, findings: recorded(seen, domain, state), lastCheckedAt: at },
      [],
      null,
      null,
      now,
    );
    return 'stop' as const;
  };
  switch (step.kind) {
    case 'wait':
      return stay(step.state);
    case 'verify':
      try {
        return await move('verified', 'domain.verified', {
          set: { verifiedAt: at },
          guard: guards.take(domain, tenantId),
        });
      } catch (error) {
        if (!(error instanceof HeldElsewhere)) throw error;
        return stay('verifying', { ...findings, heldByAnotherTenant: true });
      }
    case 'unverify':
      await move('verifying', 'domain.unverified', {
        remove: ['verifiedAt'],
        guard: guards.drop(domain, tenantId),
      });
      return 'stop';
    case 'provision': {
      let servingId: string;
      try {
        ({ servingId } = await serving.provision({ tenantId, domain }));
      } catch (error) {
        if (!(error instanceof ServingRefused)) throw error;
        return stay('verified', { ...findings, serving: { ready: false, detail: error.message } });
      }
      return move('provisioning', 'domain.provisioning', { set: { servingId } });
    }
    case 'activate': {
      const active = await move('active', 'domain.activated', {
        set: { activeAt: at },
        guard: guards.serve(domain, tenantId, true),
      });
      await announce(tenantId, 'domain.activated', { domain }, now);
      return active;
    }
    case 'at_risk':
      await move('at_risk', 'domain.at_risk', { set: { missingSince: at } });
      await announce(
        tenantId,
        'domain.at_risk',
        { domain, recordName: challengeName(domain), suspendAt: daysAfter(now, settings().suspendAfterDays) },
        now,
      );
      return 'stop';
    case 'restore':
      await move('active', 'domain.restored', {
        remove: ['missingSince'],
        guard: guards.serve(domain, tenantId, true),
      });
      return 'stop';
    case 'suspend':
      await move('suspended', 'domain.suspended', { guard: guards.serve(domain, tenantId, false) });
      await announce(
        tenantId,
        'domain.suspended',
        {
          domain,
          recordName: challengeName(domain),
          releaseAt: daysAfter(new Date(item.missingSince ?? at), settings().releaseAfterDays),
        },
        now,
      );
      return 'stop';
    case 'release':
      return move('releasing', 'domain.releasing', { guard: guards.drop(domain, tenantId) });
    case 'finish_release':
      return (await finishRelease(ctx, item, now, serving)) ? 'gone' : 'stop';
  }
}

/** Deletes a domain's record as read (its version), with its guard where it holds one; audited. */
async function deleteDomain(
  ctx: TenantContext,
  item: CustomDomainItem,
  action: 'domain.released' | 'domain.removed',
  guard: Guard | null,
  now: Date,
): Promise<void> {
  await writeAudited(
    ctx,
    { action, targetType: 'domain', targetId: item.domain, before: { state: item.state } },
    (entities) => ({
      domain: entities.customDomain
        .delete({ tenantId: item.tenantId, domain: item.domain })
        .where((attr, op) => op.eq(attr.version, item.version))
        .commit(),
      ...(guard ? { claim: guard(entities) } : {}),
    }),
    { rejections: { domain: changedMeanwhile }, now, client: platformDocumentClient },
  );
  forgetDomain(item.domain);
}

/** Takes the serving resource down; once it is gone the record goes too (audited). */
async function finishRelease(
  ctx: TenantContext,
  item: CustomDomainItem,
  now: Date,
  serving: DomainServing,
): Promise<boolean> {
  if (item.servingId && !(await serving.release(item.servingId))) return false;
  await deleteDomain(ctx, item, 'domain.released', null, now);
  return true;
}

/**
 * Removes a domain: the host stops naming the tenant at once (its guard goes in the same write), and
 * the serving resource is taken down first where it can be at once (the twin's; a CloudFront
 * distribution tenant must be disabled before it can be deleted, minutes). Then one audited write
 * removes the domain; otherwise the domain stays `releasing` (`released: false`) until a later check
 * finishes it, and may not be added again until then.
 */
export async function removeDomain(
  ctx: TenantContext,
  domain: string,
  now: Date = requestTime(ctx),
  serving: DomainServing = configuredServing(),
): Promise<{ released: true } | { released: false; domain: CustomDomainView }> {
  const item = await readDomain(ctx, domain);
  if (item.state === 'releasing') {
    if (await finishRelease(ctx, item, now, serving)) return { released: true };
    return { released: false, domain: toView(item) };
  }
  const gone = !item.servingId || (await serving.release(item.servingId));
  const guard = ['claimed', 'verifying'].includes(item.state) ? null : guards.drop(item.domain, ctx.tenantId);
  if (gone) {
    await deleteDomain(ctx, item, 'domain.removed', guard, now);
    return { released: true };
  }
  const releasing = await writeDomain(
    ctx,
    item,
    { state: 'releasing' },
    [],
    { action: 'domain.removed', targetType: 'domain', targetId: item.domain, before: { state: item.state } },
    guard,
    now,
  );
  return { released: false, domain: toView(releasing) };
}

/** Active domains are re-checked once a day; the others at every run of the job (hourly). */
const RECHECK_ACTIVE_AFTER_MS = 23 * 3_600_000;

/**
 * The scheduled pass over a tenant's domains: each pending one is checked, each active one at most
 * once a day. A domain whose check fails is logged and left for the next run; the others go on.
 */
export async function recheckDomains(
  ctx: TenantContext,
  now: Date,
  dependencies: DomainDependencies = defaultDependencies(),
): Promise<{ checked: number; failed: number }> {
  const result = await CustomDomainEntity.query.byTenant({ tenantId: ctx.tenantId }).go({ pages: 'all' });
  let checked = 0;
  let failed = 0;
  for (const item of result.data) {
    const settled = ['active', 'at_risk', 'suspended'].includes(item.state);
    if (
      settled &&
      item.lastCheckedAt &&
      now.getTime() - Date.parse(item.lastCheckedAt) < RECHECK_ACTIVE_AFTER_MS
    ) {
      continue;
    }
    try {
      await checkDomain(ctx, item.domain, now, dependencies);
      checked += 1;
    } catch (error) {
      failed += 1;
      logger.warn('Domain check failed; the next run tries again', {
        tenantId: ctx.tenantId,
        domain: item.domain,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { checked, failed };
}
