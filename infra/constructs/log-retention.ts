import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** How long logs are kept unless the cdk context `logRetentionDays` says otherwise. */
const DEFAULT_LOG_RETENTION_DAYS = 90;

/**
 * The retention of every log group of the stack, from the cdk context `logRetentionDays` (default
 * 90): one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365…).
 */
export function logRetentionOf(scope: Construct): RetentionDays {
  const value: unknown = scope.node.tryGetContext('logRetentionDays');
  const days = value === undefined || value === '' ? DEFAULT_LOG_RETENTION_DAYS : Number(value);
  const allowed = Object.values(RetentionDays).filter((d): d is RetentionDays => typeof d === 'number');
  const retention = allowed.find((d) => d === days && d !== RetentionDays.INFINITE);
  if (retention === undefined) {
    throw new Error(
      `CDK context logRetentionDays must be one of ${allowed.filter((d) => d !== RetentionDays.INFINITE).join(', ')} (days); got ${String(value)}.`,
    );
  }
  return retention;
}

/**
 * The functions CDK makes for itself (the console's deployment, the bucket's clean-up) log to
 * `/aws/lambda/<name>`, which Lambda would create on first use and keep forever. Each gets that log
 * group made in advance, with the stack's retention. Called once the stack's constructs are all made.
 */
export function retainHelperLogs(stack: Stack): void {
  const retention = logRetentionOf(stack);
  for (const node of stack.node.findAll()) {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') continue;
    const loggingConfig = (node as unknown as { loggingConfig?: { logGroup?: string } }).loggingConfig;
    if (loggingConfig?.logGroup) continue;
    new LogGroup(node.node.scope as Construct, `${node.node.id}Logs`, {
      logGroupName: `/aws/lambda/${node.ref}`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
