import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  REFUSED_CREDENTIAL_KINDS,
} from '../../shared/observability/metric-names';

export interface OperatorAlarmsProps {
  /** Every function of the stack, by name. */
  functions: Record<string, NodejsFunction>;
  /** Every queue where failed work waits, with what it holds. */
  deadLetterQueues: Record<string, { queue: Queue; holds: string }>;
  /** Every EventBridge rule, by name. */
  rules: Record<string, Rule>;
  /** The jobs scheduled every day, whose heartbeat (`JobRuns`) must come at least every other day. */
  dailyJobs: readonly string[];
  /** The jobs scheduled every few minutes, with their interval: late after four missed runs. */
  frequentJobs: Readonly<Record<string, number>>;
  httpApi: HttpApi;
  table: TableV2;
  /** Who is emailed when an alarm fires or clears (CDK context `alarmEmail`); none if unset. */
  alarmEmail?: string | undefined;
}

/** The table operations the code base sends (an alarm's expression takes at most 10 metrics). */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.QUERY,
  Operation.BATCH_GET_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];
/** Refused credentials in 5 minutes past which it is an attack or a broken client, not mistakes. */
const REFUSED_CREDENTIALS_BURST = 100;
/** Webhook endpoints disabled in an hour past which the deliveries, not the endpoints, are at fault. */
const WEBHOOK_ENDPOINTS_DISABLED = 5;
/** Requests for another tenant's data in 5 minutes past which someone is probing. */
const TENANT_MISMATCH_BURST = 20;
/** An alarm's name from a function's, queue's, rule's or job's (`webhookDeliveries`, `tenant-purge`). */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A duration near the timeout: the function has this share of its time left at p99. */
const NEAR_TIMEOUT = 0.8;
/** The API's 5xx rate that pages: one response in a hundred. */
const SERVER_ERROR_RATE_PERCENT = 1;
/** The API's p99 latency that pages (the functions answer within 10 s; a user notices past 3). */
const P99_LATENCY_MS = 3_000;

/**
 * What tells the people who run Tenantry that something is wrong: an SNS topic (encrypted, SSL only,
 * an email subscription from CDK context) and the alarms that publish to it when they fire and when
 * they clear. Each alarm's description says why it exists and what to look at first. Their metrics
 * carry no tenant dimension: which tenant is behind an alarm is in the logs (the per-request cost
 * line names it), not in the metric's cardinality.
 */
export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  /** Notifies the topic: for alarms made elsewhere. */
  readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      description: 'Tenantry: encrypts the operator alarm topic.',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Tenantry alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    this.action = action;

    const alarm = (
      name: string,
      reason: string,
      metric: IMetric,
      threshold: number,
      options: {
        evaluationPeriods?: number;
        comparison?: ComparisonOperator;
        /** A heartbeat's absence is the alarm; for everything else no data is no trouble. */
        missing?: TreatMissingData;
      } = {},
    ) => {
      const made = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
        alarmDescription: reason,
      });
      made.addAlarmAction(action);
      made.addOkAction(action);
      this.alarms.push(made);
      return made;
    };
    const fiveMinutes = { period: Duration.minutes(5) };

    // The API as its users see it.
    alarm(
      'ApiServerErrorRate',
      `More than ${SERVER_ERROR_RATE_PERCENT} % of the API's responses in 5 minutes were 5xx. A 500 is a bug and a 503 a dependency down: read the functions' error logs for the problem's code and the request id.`,
      new MathExpression({
        expression: '100 * errors / MAX([requests, 1])',
        usingMetrics: {
          errors: props.httpApi.metricServerError({ ...fiveMinutes, statistic: 'Sum' }),
          requests: props.httpApi.metricCount({ ...fiveMinutes, statistic: 'Sum' }),
        },
        label: '5xx rate (%)',
        period: fiveMinutes.period,
      }),
      SERVER_ERROR_RATE_PERCENT,
      { comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    alarm(
      'ApiLatencyP99',
      `The API's p99 latency stayed above ${P99_LATENCY_MS} ms for 15 minutes. Look at DynamoDB throttles, a dependency timing out, or one route's cost (the per-request cost line).`,
      props.httpApi.metricLatency({ ...fiveMinutes, statistic: 'p99' }),
      P99_LATENCY_MS,
      { evaluationPeriods: 3, comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

    // Each function: errors, throttles, and time running out.
    for (const [name, fn] of Object.entries(props.functions)) {
      const label = pascalCase(name);
      alarm(
        `${label}Errors`,
        `The ${name} function failed an invocation (an unhandled error, a crash, a timeout). An API function answers problem+json for what it expects, so this is a bug or a dependency failing: read its log group.`,
        fn.metricErrors({ ...fiveMinutes, statistic: 'Sum' }),
        1,
      );
      alarm(
        `${label}Throttles`,
        `Lambda throttled the ${name} function: the account's or the function's concurrency is used up, and its callers got 429s or retries. Check what drove the concurrency (a noisy tenant in the cost line) before raising a limit.`,
        fn.metricThrottles({ ...fiveMinutes, statistic: 'Sum' }),
        1,
      );
      const timeout = fn.timeout?.toMilliseconds() ?? 3_000;
      alarm(
        `${label}NearTimeout`,
        `The ${name} function's p99 duration passed ${NEAR_TIMEOUT * 100} % of its ${timeout / 1000} s timeout for 15 minutes: requests are about to time out. Look for a slow dependency or a route whose work grew with a tenant's data.`,
        fn.metricDuration({ ...fiveMinutes, statistic: 'p99' }),
        Math.round(timeout * NEAR_TIMEOUT),
        { evaluationPeriods: 3 },
      );
    }

    // Failed work, kept: every message here is something that did not happen.
    for (const [name, { queue, holds }] of Object.entries(props.deadLetterQueues)) {
      const label = pascalCase(name);
      alarm(
        `${label}DeadLettersWaiting`,
        `Failed ${holds} wait in a dead-letter queue: work that failed all its attempts. Nothing is lost, but nothing proceeds until it is read, fixed and redriven.`,
        queue.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: 'Maximum' }),
        1,
      );
    }

    // Each rule: a target EventBridge could not invoke (its retries then go to a dead-letter queue).
    for (const [name, rule] of Object.entries(props.rules)) {
      const label = pascalCase(name);
      alarm(
        `${label}RuleFailedInvocations`,
        `EventBridge could not invoke the ${name} rule's target (a throttle, a permission, a function failing to start). The event is retried, then kept in the event targets' dead-letter queue; a schedule's run may be late.`,
        new Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: rule.ruleName },
          ...fiveMinutes,
          statistic: 'Sum',
        }),
        1,
      );
    }

    // Schedules: each run counts a heartbeat (JobRuns by job); its absence says a schedule is late.
    const heartbeat = (job: string, period: Duration) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'JobRuns',
        dimensionsMap: { service: METRICS_SERVICE, job },
        period,
        statistic: 'Sum',
      });
    alarm(
      'BillingOutboxLate',
      "The billing outbox, scheduled every minute, has not run for 10 minutes: new tenants get no Stripe customer and deleted tenants keep their subscriptions until it does. Look at its rule's failed invocations and its function's errors and throttles.",
      heartbeat('billing-outbox', Duration.minutes(5)),
      1,
      {
        evaluationPeriods: 2,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: TreatMissingData.BREACHING,
      },
    );
    alarm(
      'BillingOutboxBacklogAge',
      `An item has waited in the billing outbox for more than an hour for 15 minutes: Stripe refuses or is down, and the outbox backs off. The outbox function's warnings name the tenant and Stripe's reason.`,
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'BillingOutboxOldestSeconds',
        dimensionsMap: { service: METRICS_SERVICE },
        ...fiveMinutes,
        statistic: 'Maximum',
      }),
      3_600,
      { evaluationPeriods: 3, comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    for (const job of props.dailyJobs) {
      const label = pascalCase(job);
      alarm(
        `${label}Late`,
        `The daily ${job} job has not run for two days (no heartbeat in two daily periods): its schedule failed to invoke the scheduler, or the scheduler failed. Once the cause is fixed, invoke the scheduler with {"job": "${job}"}: every job is idempotent per tenant and period.`,
        heartbeat(job, Duration.days(1)),
        1,
        {
          evaluationPeriods: 2,
          comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
          missing: TreatMissingData.BREACHING,
        },
      );
    }

    for (const [job, minutes] of Object.entries(props.frequentJobs)) {
      alarm(
        `${pascalCase(job)}Late`,
        `The ${job} job, scheduled every ${minutes} minutes, has not run for ${minutes * 4} minutes (no heartbeat in four periods): the per-tenant traffic figures, tenant health and the platform figures are going stale. Its schedule failed to invoke the scheduler, or the scheduler failed (its log says why: a Logs Insights query refused or timed out).`,
        heartbeat(job, Duration.minutes(minutes)),
        1,
        {
          evaluationPeriods: 4,
          comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
          missing: TreatMissingData.BREACHING,
        },
      );
    }

    // Security events: bursts, not single refusals (people mistype, tokens expire).
    alarm(
      'RefusedCredentialsBurst',
      `The authorizer refused more than ${REFUSED_CREDENTIALS_BURST} credentials in 5 minutes: credential stuffing, a leaked and revoked key still in use, or a client sending expired tokens. The authorizer's log says which kind (credential) and why.`,
      // Each kind is its own metric (an alarm reads exact dimensions): their sum, a kind with no
      // refusal in the period counting as 0 (metric math adds only periods every operand has).
      new MathExpression({
        expression: REFUSED_CREDENTIAL_KINDS.map((kind) => `FILL(${kind}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(
          REFUSED_CREDENTIAL_KINDS.map((kind) => [
            kind,
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: 'RefusedCredentials',
              dimensionsMap: { service: METRICS_SERVICE, credential: kind },
              ...fiveMinutes,
              statistic: 'Sum',
            }),
          ]),
        ),
        label: 'Refused credentials',
        period: fiveMinutes.period,
      }),
      REFUSED_CREDENTIALS_BURST,
      { comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    alarm(
      'TenantMismatchBurst',
      `More than ${TENANT_MISMATCH_BURST} requests in 5 minutes asked for a tenant their credential does not belong to (tenant_mismatch): someone probing other tenants' ids. The functions' logs name the caller and the tenant asked for.`,
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'ProblemResponses',
        dimensionsMap: { service: METRICS_SERVICE, code: 'tenant_mismatch' },
        ...fiveMinutes,
        statistic: 'Sum',
      }),
      TENANT_MISMATCH_BURST,
      { comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

    // Webhooks: one endpoint disabled is its owner's to fix; many at once are ours.
    alarm(
      'WebhookEndpointsDisabled',
      `More than ${WEBHOOK_ENDPOINTS_DISABLED} tenants' webhook endpoints were disabled for failing in an hour: when many fail together, the fault is more likely the delivery (its egress, DNS, signing) than theirs. The delivery worker's log has each endpoint's last failure.`,
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'WebhookEndpointsDisabled',
        dimensionsMap: { service: METRICS_SERVICE },
        period: Duration.hours(1),
        statistic: 'Sum',
      }),
      WEBHOOK_ENDPOINTS_DISABLED,
      { comparison: ComparisonOperator.GREATER_THAN_THRESHOLD },
    );

    // Email: SES pauses an account's sending past a 10 % bounce or 0.5 % complaint rate.
    alarm(
      'EmailBounceRate',
      "The account's SES bounce rate passed 5 % (SES reviews the account at 5 % and may pause sending at 10 %): invitations to mistyped or dead addresses. Look at the bounced addresses before SES stops signup and invitation emails.",
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.BounceRate',
        period: Duration.hours(1),
        statistic: 'Maximum',
      }),
      0.05,
    );
    alarm(
      'EmailComplaintRate',
      "The account's SES complaint rate passed 0.1 % (SES reviews the account at 0.1 % and may pause sending at 0.5 %): people marking Tenantry's email as spam. Look at which notifications they were.",
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.ComplaintRate',
        period: Duration.hours(1),
        statistic: 'Maximum',
      }),
      0.001,
    );

    // The table.
    alarm(
      'TableThrottles',
      'DynamoDB throttled requests on the table (on demand: a partition past its throughput, usually one hot tenant or counter). Requests retried and slowed; see which keys in CloudWatch Contributor Insights for DynamoDB.',
      props.table.metricThrottledRequestsForOperations({
        ...fiveMinutes,
        statistic: 'Sum',
        operations: TABLE_OPERATIONS,
      }),
      1,
    );
    alarm(
      'TableSystemErrors',
      'DynamoDB answered with internal server errors. The SDK retries them; a run of them is an AWS event: check the AWS Health Dashboard.',
      props.table.metricSystemErrorsForOperations({
        ...fiveMinutes,
        statistic: 'Sum',
        operations: TABLE_OPERATIONS,
      }),
      1,
    );
  }
}
