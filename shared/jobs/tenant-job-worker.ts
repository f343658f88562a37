import { writeAudited } from '../audit/audited-transaction';
import { platformDocumentClient } from '../data/clients';
import { BillingPeriodEntity } from '../data/entities/billing-period';
import { QuotaCounterEntity } from '../data/entities/quota-counter';
import { TenantEntity } from '../data/entities/tenant';
import { isConditionalFailure } from '../data/dynamo-errors';
import { ConflictError } from '../errors';
import { enforceDunning } from './dunning';
import { capacityCostUsd } from '../quotas/capacity-ledger';
import { endTrial, noticeTrialEnding } from './trials';
import { overageAmounts, reportOverage } from '../billing/overage-report';
import { stripeBilling } from '../billing/stripe-billing';
import { logger } from '../observability/logger';
import { purgeTenant } from './tenant-purge';
import { applyRetention } from './data-retention';
import { reconcileQuotas } from '../quotas/reconciliation';
import { enforceQuotaPolicies } from '../tenants/overage-suspension';
import { recheckDomains } from '../custom-domains/domain-service';
import { runAt, runWithTenantContext, type TenantContext } from '../context/tenant-context';
import { systemContextFor } from '../tenancy/system-context';
import { PERIODIC_RESOURCES, PLANS } from '../model/plans';
import { writeExport } from '../exports/export-writer';
import type { ExportTask } from '../exports/export-task';
import type { TenantJobMessage } from './job-definitions';

/** Creates a counter at zero unless it exists; never touches one that already has use. */
async function openCounter(
  ctx: TenantContext,
  resource: (typeof PERIODIC_RESOURCES)[number],
  period: string,
  now: Date,
): Promise<void> {
  try {
    await QuotaCounterEntity.create({
      tenantId: ctx.tenantId,
      resource,
      period,
      used: 0,
      updatedAt: now.toISOString(),
    }).go({
      response: 'none',
    });
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

/**
 * The monthly reset for one tenant: the new month's counters start at zero. Enforcement never
 * needed this (a new month is a new key, so nothing is lost at midnight); it makes the month visible
 * as zero from its first minute. Idempotent: existing counters are left alone.
 */
async function monthlyReset(ctx: TenantContext, period: string, now: Date): Promise<void> {
  for (const resource of PERIODIC_RESOURCES) await openCounter(ctx, resource, period, now);
}

/**
 * Closes a month for one tenant: its use of each periodic resource, the limits and the overage past
 * them and what it costs, written once (`attribute_not_exists`), with an audit event the first time
 * only; then the billable overage goes to Stripe as meter events, each once per (tenant, resource,
 * period) however often the job runs.
 */
async function billingClose(ctx: TenantContext, period: string, now: Date): Promise<void> {
  const [counters, tenant] = await Promise.all([
    QuotaCounterEntity.get(
      PERIODIC_RESOURCES.map((resource) => ({ tenantId: ctx.tenantId, resource, period })),
    ).go({
      consistent: true,
    }),
    TenantEntity.get({ tenantId: ctx.tenantId }).go({ consistent: true }),
  ]);
  // A partner paying for the tenant now pays for the month that closes.
  const billedTo = tenant.data?.billedTo;
  const usage = Object.fromEntries(PERIODIC_RESOURCES.map((resource) => [resource, 0]));
  for (const counter of counters.data) usage[counter.resource] = counter.used;
  const limits = Object.fromEntries(PERIODIC_RESOURCES.map((resource) => [resource, ctx.limits[resource]]));
  const overage = Object.fromEntries(
    PERIODIC_RESOURCES.map((resource) => {
      const limit = ctx.limits[resource];
      return [resource, limit === null ? 0 : Math.max(0, (usage[resource] ?? 0) - limit)];
    }),
  );
  const amounts = overageAmounts(ctx.plan, overage);
  const calls = counters.data.find((counter) => counter.resource === 'apiCalls');
  const units = { read: calls?.readUnits ?? 0, write: calls?.writeUnits ?? 0 };
  const servingCost = {
    readUnits: units.read,
    writeUnits: units.write,
    dynamoDbUsd: Number(capacityCostUsd(units).toFixed(6)),
    planPrice: PLANS[ctx.plan].monthlyPrice,
  };
  // The bill and its audit event in one transaction: the first close writes both, a rerun neither.
  await writeAudited(
    ctx,
    {
      action: 'billing.period_closed',
      targetType: 'billing_period',
      targetId: period,
      after: { usage, overage, amounts, servingCost },
    },
    ({ billingPeriod }) => ({
      bill: billingPeriod
        .create({
          tenantId: ctx.tenantId,
          period,
          plan: ctx.plan,
          usage,
          limits,
          overage,
          amounts,
          servingCost,
          ...(billedTo ? { billedTo } : {}),
          closedAt: now.toISOString(),
        })
        .commit(),
    }),
    {
      rejections: {
        bill: () => new ConflictError('The period is closed already.', 'concurrent_modification'),
      },
      now,
    },
  ).catch((error: unknown) => {
    // Closed by an earlier run: its bill and audit event stand; the overage report below is idempotent.
    if (!(error instanceof ConflictError)) throw error;
  });
  const bill = (await BillingPeriodEntity.get({ tenantId: ctx.tenantId, period }).go({ consistent: true }))
    .data;
  if (bill) await reportOverage(stripeBilling, bill, now);
}

/** The daily billing pass of one tenant, from one read of it: a trial that ended, then dunning. */
async function dailyBilling(ctx: TenantContext, now: Date): Promise<void> {
  const tenant = (
    await TenantEntity.get({ tenantId: ctx.tenantId }).go({
      client: platformDocumentClient,
      consistent: true,
    })
  ).data;
  if (!tenant) return;
  await noticeTrialEnding(ctx, tenant, now);
  await endTrial(ctx, tenant, now);
  await enforceDunning(ctx, tenant, now, stripeBilling);
}

/** Writes a tenant's export (asked for through the API). Safe to receive twice. */
export async function processExportTask(task: ExportTask, now: Date = new Date()): Promise<void> {
  const ctx = await systemContextFor(task.tenantId, `export:${task.exportId}`, 'job:export');
  if (!ctx) return;
  await runAt(now, () => runWithTenantContext(ctx, () => writeExport(ctx, task.exportId, now)));
}

/** Processes one per-tenant job message. Safe to receive twice. */
export async function processTenantJob(message: TenantJobMessage, now: Date = new Date()): Promise<void> {
  const ctx = await systemContextFor(
    message.tenantId,
    `${message.job}:${message.period}`,
    `job:${message.job}`,
  );
  if (!ctx) {
    logger.warn('Job message for a tenant that no longer exists', { ...message });
    return;
  }
  // What the job writes is stamped with its run's time (`now`), as a request's is with its own.
  logger.debug('Job: tenant job', { ...message });
  await runAt(now, () =>
    runWithTenantContext(ctx, () => {
      switch (message.job) {
        case 'monthly-reset':
          // A new month ends a suspension for last month's sustained overage.
          return monthlyReset(ctx, message.period, now).then(() =>
            enforceQuotaPolicies(ctx.tenantId, now, ctx.requestId).then(() => undefined),
          );
        case 'billing-close':
          return billingClose(ctx, message.period, now);
        case 'billing-daily':
          return dailyBilling(ctx, now);
        case 'tenant-purge':
          return purgeTenant(stripeBilling, ctx.tenantId, now).then(() => undefined);
        case 'quota-reconcile':
          // Also suspends a tenant whose overage is sustained past its policy's hours (one that makes
          // no request too), and lifts one no longer past its limit.
          return reconcileQuotas(ctx, now).then(() =>
            enforceQuotaPolicies(ctx.tenantId, now, ctx.requestId).then(() => undefined),
          );
        case 'domain-check':
          return recheckDomains(ctx, now).then(() => undefined);
        case 'data-retention':
          return applyRetention(ctx, now).then(() => undefined);
      }
    }),
  );
}
