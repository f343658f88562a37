import { logger } from '../observability/logger';
import { computePlatformMetrics, storePlatformMetrics, type PlatformMetrics } from './platform-metrics';
import { defaultRequestLog, type RequestLog, type TenantRouteFigures } from './request-log';
import { writeRouteStats } from './route-stats';

export { OPERATOR_FIGURES_JOB } from '../model/operator-figures';

export interface OperatorFiguresResult {
  hours: Array<{ hour: string; tenants: number; rows: number }>;
  metrics: Pick<PlatformMetrics, 'computedAt' | 'tenants'>;
}

function startOfHour(at: Date): Date {
  const hour = new Date(at);
  hour.setUTCMinutes(0, 0, 0);
  return hour;
}

/**
 * The operator figures job: the request figures by tenant and route of the previous clock hour
 * (counted again, for lines that arrived late) and of the hour in progress, each tenant's written
 * to its partition; then the platform's figures from them and the tenant records. Every write
 * replaces a whole item, so a run repeated, overlapping or out of order leaves the latest picture,
 * never a double count.
 */
export async function runOperatorFigures(
  now: Date = new Date(),
  requestLog: RequestLog | undefined = defaultRequestLog(),
): Promise<OperatorFiguresResult> {
  const current = startOfHour(now);
  const previous = new Date(current.getTime() - 3_600_000);
  const rows: TenantRouteFigures[] = [];
  const hours: OperatorFiguresResult['hours'] = [];
  if (requestLog) {
    for (const hourStart of [previous, current]) {
      const until = new Date(Math.min(hourStart.getTime() + 3_600_000, now.getTime()));
      const hourRows = await requestLog.hourFigures(hourStart, until);
      const tenants = await writeRouteStats(hourStart, until, hourRows);
      rows.push(...hourRows);
      hours.push({ hour: hourStart.toISOString().slice(0, 13), tenants, rows: hourRows.length });
      logger.debug('Operator figures: an hour counted', { hour: hourStart.toISOString(), tenants });
    }
  } else {
    logger.warn(
      'Operator figures: no request log is configured (REQUEST_LOG_GROUPS); traffic is not counted',
    );
  }
  const metrics = await computePlatformMetrics(now, rows, { from: previous, countedUntil: now });
  await storePlatformMetrics(metrics);
  return { hours, metrics: { computedAt: metrics.computedAt, tenants: metrics.tenants } };
}
