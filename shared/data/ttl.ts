/** Seconds in a day, for DynamoDB TTL attributes (epoch seconds). */
const DAY_SECONDS = 86_400;

/** The TTL (epoch seconds) of an item kept `days` days from `now`: DynamoDB deletes it after that. */
export function expiresAfterDays(now: Date, days: number): number {
  return Math.floor(now.getTime() / 1000) + days * DAY_SECONDS;
}
