/** The source every Tenantry event carries on EventBridge (the rule for its consumers matches it). */
export const EVENT_SOURCE = 'tenantry';
