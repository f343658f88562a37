/** `cancelled`: stopped by the platform (the tenant was suspended), with the reason on the run. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
