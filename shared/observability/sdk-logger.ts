import { logger } from './logger';

/**
 * The logger AWS SDK clients are given. It has no `info` or `error`: the SDK calls those optionally
 * (`logger?.info?.(…)`) and, when they exist, first builds a copy of every request and response with
 * sensitive fields masked, on every call, even for its default no-op logger; a CPU profile of the
 * twin under load showed that work among its largest costs. Without them nothing is built. The SDK's
 * warnings still reach the service's log.
 */
export const sdkLogger = {
  trace(): void {},
  debug(): void {},
  warn(message: unknown): void {
    logger.warn('AWS SDK warning', { message: String(message) });
  },
};
