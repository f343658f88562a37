/**
 * Why a webhook delivery is made: the event happened (retried on failure), the tenant sent a test
 * event, or the tenant asked for a logged delivery again. A test or a retry is one attempt: it is not
 * retried and its failure does not count towards disabling the endpoint. A base module the manifest
 * may read.
 */
export const DELIVERY_TRIGGERS = ['event', 'test', 'retry'] as const;
export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];
