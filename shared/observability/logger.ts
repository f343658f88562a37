import { Logger } from '@aws-lambda-powertools/logger';
import { getConfig } from '../config';

/**
 * The one structured logger (Powertools): JSON lines with the Lambda context, plus `tenantId` and
 * `requestId` appended per request by the API handler stack.
 */
export const logger = new Logger({ serviceName: 'tenantry', logLevel: getConfig().logLevel });
