/** Calendar periods in UTC. A new month is a new counter key, so the monthly reset cannot race. */
export function monthPeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export function hourBucket(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** The minute a request falls in, `YYYY-MM-DDTHH:MM` (UTC): the per-minute rate window. */
export function minuteOf(now: Date): string {
  return now.toISOString().slice(0, 16);
}

export function startOfNextMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

export function previousMonthPeriod(now: Date): string {
  return monthPeriod(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
}

export function secondsUntil(later: Date, now: Date): number {
  return Math.max(1, Math.ceil((later.getTime() - now.getTime()) / 1000));
}
