import * as z from 'zod/mini';
import { monthPeriod, previousMonthPeriod } from '../quotas/periods';

/**
 * The scheduled jobs, shared by the runtime and the CDK schedules. Each runs once per period: the
 * monthly reset for the month that starts, the billing close for the month that ended.
 */
export const JOBS = {
  'monthly-reset': {
    /** 00:05 UTC on the 1st. */
    schedule: { minute: '5', hour: '0', day: '1' },
    periodOf: (now: Date) => monthPeriod(now),
    description: 'Opens the new month’s counters at zero for every tenant.',
  },
  'billing-close': {
    /** 01:00 UTC on the 1st, after the reset. */
    schedule: { minute: '0', hour: '1', day: '1' },
    periodOf: (now: Date) => previousMonthPeriod(now),
    description: 'Closes last month’s usage and overage for every tenant.',
  },
  'billing-daily': {
    /** 02:00 UTC every day. */
    schedule: { minute: '0', hour: '2', day: '*' },
    periodOf: (now: Date) => now.toISOString().slice(0, 10),
    description:
      'Ends trials with no plan bought (to TRIAL_END_PLAN) and suspends tenants whose payment is owed past the grace.',
  },
  'quota-reconcile': {
    /** 04:00 UTC every day. */
    schedule: { minute: '0', hour: '4', day: '*' },
    periodOf: (now: Date) => now.toISOString().slice(0, 10),
    description:
      'Recounts every tenant’s counted resources and runs against their items, repairs a counter that drifted (audited), and publishes the drift found.',
  },
  'tenant-purge': {
    /** 03:00 UTC every day. */
    schedule: { minute: '0', hour: '3', day: '*' },
    periodOf: (now: Date) => now.toISOString().slice(0, 10),
    /** The only job that visits deleted tenants, and it visits no others. */
    tenants: 'deleted',
    description:
      'Purges deleted tenants past their retention window (TENANT_DELETION_RETENTION_DAYS): every item, lookup and orphaned sign-in; a platform record remains.',
  },
  'data-retention': {
    /** 03:30 UTC every day, after the purge. */
    schedule: { minute: '30', hour: '3', day: '*' },
    periodOf: (now: Date) => now.toISOString().slice(0, 10),
    description:
      'Deletes each active tenant’s audit events, usage records, ended runs and memory items past its plan’s retention for each; a suspended tenant’s data is kept whole.',
  },
  'domain-check': {
    /** At 20 past every hour. */
    schedule: { minute: '20', hour: '*', day: '*' },
    periodOf: (now: Date) => now.toISOString().slice(0, 13),
    description:
      'Checks every custom domain not yet active (hourly) and re-checks each active one daily: a domain whose TXT record is gone goes at risk, then suspended, then released.',
  },
} as const satisfies Record<
  string,
  {
    schedule: { minute: string; hour: string; day: string };
    periodOf: (now: Date) => string;
    tenants?: 'deleted';
    description: string;
  }
>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** One tenant's share of a scheduled job for a period (a queue message). */
export const tenantJobMessageSchema = z.object({
  job: z.enum(Object.keys(JOBS) as [JobName, ...JobName[]]),
  tenantId: z.string(),
  period: z.string(),
});

export type TenantJobMessage = z.infer<typeof tenantJobMessageSchema>;

export function isJobName(value: unknown): value is JobName {
  return typeof value === 'string' && value in JOBS;
}
