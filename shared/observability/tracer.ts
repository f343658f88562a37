// First: it decides the X-Ray SDK's mode before Tracer loads the SDK.
import './xray-mode';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer: in Lambda with active tracing (the stack turns it on for every function), each
 * AWS SDK call of a client passed through {@link traced} is an X-Ray subsegment (DynamoDB, STS,
 * EventBridge, SQS, Cognito, KMS, S3, SES), under the handler's segment with the route, the tenant
 * and cold starts as annotations. Outside Lambda (the twin, the tests) it is off, and `traced`
 * hands the client back as it was.
 */
export const tracer = new Tracer({ serviceName: 'tenantry' });

/** An AWS SDK v3 client whose calls are traced where tracing is on. */
export function traced<Client extends object>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
