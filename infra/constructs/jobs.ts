import { createHash } from 'node:crypto';
import { CustomResource, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnUserPoolClient, IUserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/model/event-source';
import { JOBS, JOB_NAMES } from '../../shared/jobs/job-definitions';
import { OPERATOR_FIGURES_EVERY_MINUTES, OPERATOR_FIGURES_JOB } from '../../shared/model/operator-figures';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { TenantryTable } from './table';
import { grantTable, tenantryFunction } from './tenantry-function';

export interface TenantryJobsProps {
  data: TenantryTable;
  environment: Record<string, string>;
  /** The pool and app client whose tenants' identity providers the SSO reconcile offers again. */
  userPool: IUserPool;
  userPoolClient: UserPoolClient;
}

/** The SSO provider reconcile's daily run: 05:00 UTC, after the other daily jobs. */
export const SSO_RECONCILE_SCHEDULE = { minute: '0', hour: '5', day: '*' } as const;

/** SQS's advice: a queue's visibility timeout at least six times its consumer's timeout. */
const VISIBILITY_PER_CONSUMER_TIMEOUT = 6;
/** The consumers' timeouts, which their queues' visibility timeouts follow. */
const WORKER_TIMEOUT_MINUTES = 5;
const WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 60;

/**
 * Scheduled work: an EventBridge schedule per job (monthly reset, billing close) invokes the
 * scheduler, which fans out one SQS message per tenant; the worker processes them (partial batch
 * failures retried, then a dead-letter queue). Both sides are idempotent per (tenant, period).
 *
 * Nothing asynchronous is dropped silently: every EventBridge target retries and then keeps what it
 * could not deliver in a dead-letter queue; every function EventBridge invokes (asynchronously)
 * is retried twice by Lambda and then sends the event to an on-failure queue; both keep messages 14
 * days. Every SQS consumer's queue hides a message six times the consumer's timeout.
 */
export class TenantryJobs extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly scheduler: NodejsFunction;
  readonly worker: NodejsFunction;
  readonly billingOutbox: NodejsFunction;
  /** Offers the tenants' enabled identity providers on the app client again (after deploys, daily). */
  readonly ssoReconcile: NodejsFunction;
  /** The consumer of the domain events on the default bus: email, and webhook deliveries queued. */
  readonly notifications: NodejsFunction;
  /** Tenant webhook deliveries, one attempt per message; retries are delayed messages. */
  readonly webhookQueue: Queue;
  readonly webhookDeadLetterQueue: Queue;
  readonly webhookDeliveries: NodejsFunction;
  /** What EventBridge could not deliver to a rule's target, after its retries. */
  readonly eventTargetDeadLetterQueue: Queue;
  /** What an asynchronously invoked function failed on, after Lambda's two retries. */
  readonly asyncFailureQueue: Queue;
  /** Every EventBridge rule: the schedules and the domain events' rule, by name. */
  readonly rules: Record<string, Rule> = {};

  constructor(scope: Construct, id: string, props: TenantryJobsProps) {
    super(scope, id);
    const keptQueue = (name: string, reason: string) => {
      const queue = new Queue(this, name, {
        enforceSSL: true,
        encryption: QueueEncryption.SQS_MANAGED,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
      return queue;
    };
    this.eventTargetDeadLetterQueue = keptQueue(
      'EventTargetDeadLetterQueue',
      'This queue is the dead-letter queue of the EventBridge rules’ targets.',
    );
    this.asyncFailureQueue = keptQueue(
      'AsyncFailureQueue',
      'This queue is the on-failure destination of the functions invoked asynchronously.',
    );
    /** An EventBridge target: retried for a while, then kept. */
    const target = (
      fn: NodejsFunction,
      options: { event?: RuleTargetInput; retryAttempts: number; maxEventAge: Duration },
    ) => new LambdaFunction(fn, { ...options, deadLetterQueue: this.eventTargetDeadLetterQueue });
    /** A function invoked asynchronously: Lambda retries a failure twice, then sends it on. */
    const invokedAsynchronously = (fn: NodejsFunction) =>
      fn.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.asyncFailureQueue),
      });

    /**
     * A work queue and its dead-letter queue: a message is received five times at most, each time
     * hidden for six times its consumer's timeout, then kept 14 days in the dead-letter queue.
     */
    const workQueue = (name: string, deadLetterName: string, consumerTimeout: Duration, what: string) => {
      const deadLetterQueue = keptQueue(deadLetterName, `This queue is the dead-letter queue of ${what}.`);
      const queue = new Queue(this, name, {
        enforceSSL: true,
        encryption: QueueEncryption.SQS_MANAGED,
        visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_PER_CONSUMER_TIMEOUT),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
      });
      return { queue, deadLetterQueue };
    };

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(
      'Queue',
      'DeadLetterQueue',
      Duration.minutes(WORKER_TIMEOUT_MINUTES),
      'the job queue',
    ));

    this.scheduler = tenantryFunction(this, 'Scheduler', {
      entry: 'jobs/scheduler',
      description: 'Fans scheduled jobs out to one message per tenant.',
      environment: { ...props.environment, JOBS_QUEUE_URL: this.queue.queueUrl },
      timeout: Duration.minutes(10),
    });
    grantTable(this.scheduler, props.data);
    this.queue.grantSendMessages(this.scheduler);

    this.worker = tenantryFunction(this, 'Worker', {
      entry: 'jobs/worker',
      description: 'Runs one tenant’s share of a scheduled job.',
      environment: props.environment,
      // A purge deletes a whole tenant 25 items a call; within the queue's visibility timeout.
      timeout: Duration.minutes(WORKER_TIMEOUT_MINUTES),
    });
    grantTable(this.worker, props.data);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    // New tenants' Stripe customers, made apart from signup so that Stripe can never fail it.
    this.billingOutbox = tenantryFunction(this, 'BillingOutbox', {
      entry: 'jobs/billing-outbox',
      description: 'Works the billing outbox (Stripe customers of new tenants), with backoff.',
      environment: props.environment,
      timeout: Duration.minutes(1),
    });
    grantTable(this.billingOutbox, props.data);
    this.rules.billingOutbox = new Rule(this, 'BillingOutboxSchedule', {
      description: 'Works the billing outbox every minute.',
      schedule: Schedule.rate(Duration.minutes(1)),
      // A missed minute is made up by the next one; a failure is still kept.
      targets: [target(this.billingOutbox, { retryAttempts: 1, maxEventAge: Duration.minutes(5) })],
    });
    invokedAsynchronously(this.billingOutbox);

    this.ssoReconcile = this.providerReconcile(props, target, invokedAsynchronously);

    // Domain events (source `tenantry`, the catalogue in shared/events) reach their consumers here.
    this.notifications = tenantryFunction(this, 'Notifications', {
      entry: 'jobs/notifications',
      description: 'Consumes Tenantry’s domain events: emails their audience.',
      environment: props.environment,
      timeout: Duration.minutes(1),
    });
    grantTable(this.notifications, props.data);
    ({ queue: this.webhookQueue, deadLetterQueue: this.webhookDeadLetterQueue } = workQueue(
      'WebhookQueue',
      'WebhookDeadLetterQueue',
      Duration.seconds(WEBHOOK_DELIVERY_TIMEOUT_SECONDS),
      'the webhook deliveries queue',
    ));
    this.webhookDeliveries = tenantryFunction(this, 'WebhookDeliveries', {
      entry: 'jobs/webhook-deliveries',
      description: 'Delivers tenant webhooks: signed, logged, retried with backoff.',
      environment: { ...props.environment, WEBHOOKS_QUEUE_URL: this.webhookQueue.queueUrl },
      timeout: Duration.seconds(WEBHOOK_DELIVERY_TIMEOUT_SECONDS),
    });
    grantTable(this.webhookDeliveries, props.data);
    this.webhookQueue.grantSendMessages(this.webhookDeliveries);
    this.webhookDeliveries.addEventSource(
      new SqsEventSource(this.webhookQueue, { batchSize: 5, reportBatchItemFailures: true }),
    );
    this.notifications.addEnvironment('WEBHOOKS_QUEUE_URL', this.webhookQueue.queueUrl);
    this.webhookQueue.grantSendMessages(this.notifications);
    this.rules.domainEvents = new Rule(this, 'DomainEvents', {
      description: 'Every Tenantry domain event, to its consumers.',
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [target(this.notifications, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
    invokedAsynchronously(this.notifications);

    for (const job of JOB_NAMES) {
      const { schedule, description } = JOBS[job];
      this.rules[job] = new Rule(this, `${job}Schedule`, {
        description,
        schedule: Schedule.cron({ minute: schedule.minute, hour: schedule.hour, day: schedule.day }),
        targets: [
          target(this.scheduler, {
            event: RuleTargetInput.fromObject({ job }),
            retryAttempts: 2,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
    }
    this.rules[OPERATOR_FIGURES_JOB] = new Rule(this, 'OperatorFiguresSchedule', {
      description:
        'Counts the requests by tenant and route (Logs Insights over the cost lines) and the platform’s figures.',
      schedule: Schedule.cron({ minute: `0/${OPERATOR_FIGURES_EVERY_MINUTES}`, hour: '*', day: '*' }),
      targets: [
        target(this.scheduler, {
          event: RuleTargetInput.fromObject({ job: OPERATOR_FIGURES_JOB }),
          retryAttempts: 2,
          maxEventAge: Duration.minutes(OPERATOR_FIGURES_EVERY_MINUTES),
        }),
      ],
    });
    invokedAsynchronously(this.scheduler);
  }

  /**
   * A deploy that changes the app client resets its `SupportedIdentityProviders` to the template's
   * (`COGNITO`), and tenants' providers are added at run time. This function offers them again: after
   * every deploy that changed the client (a custom resource whose one property is a digest of the
   * client's settings, so it is updated, and the function run, exactly then) and daily at 05:00.
   */
  private providerReconcile(
    props: TenantryJobsProps,
    target: (
      fn: NodejsFunction,
      options: { event?: RuleTargetInput; retryAttempts: number; maxEventAge: Duration },
    ) => LambdaFunction,
    invokedAsynchronously: (fn: NodejsFunction) => void,
  ): NodejsFunction {
    const fn = tenantryFunction(this, 'SsoReconcile', {
      entry: 'jobs/sso-reconcile',
      description: 'Offers the tenants’ enabled identity providers on the app client again.',
      environment: props.environment,
      timeout: Duration.minutes(2),
    });
    grantTable(fn, props.data);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'cognito-idp:ListIdentityProviders',
          'cognito-idp:DeleteIdentityProvider',
          'cognito-idp:DescribeUserPoolClient',
          'cognito-idp:UpdateUserPoolClient',
        ],
        resources: [props.userPool.userPoolArn],
      }),
    );
    this.rules['sso-reconcile'] = new Rule(this, 'SsoReconcileSchedule', {
      description: 'Offers the tenants’ enabled identity providers on the app client again (daily).',
      schedule: Schedule.cron(SSO_RECONCILE_SCHEDULE),
      targets: [
        target(fn, {
          event: RuleTargetInput.fromObject({ job: 'sso-reconcile' }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    invokedAsynchronously(fn);
    const client = props.userPoolClient.node.defaultChild as CfnUserPoolClient;
    const stack = Stack.of(this);
    const settings = Lazy.string({
      produce: () =>
        createHash('sha256')
          .update(
            JSON.stringify(
              stack.resolve({
                name: client.clientName,
                flows: client.allowedOAuthFlows,
                flowsForClient: client.allowedOAuthFlowsUserPoolClient,
                scopes: client.allowedOAuthScopes,
                callbacks: client.callbackUrLs,
                logouts: client.logoutUrLs,
                providers: client.supportedIdentityProviders,
                authFlows: client.explicitAuthFlows,
                read: client.readAttributes,
                write: client.writeAttributes,
                validity: [
                  client.accessTokenValidity,
                  client.idTokenValidity,
                  client.refreshTokenValidity,
                  client.authSessionValidity,
                  client.tokenValidityUnits,
                ],
                errors: client.preventUserExistenceErrors,
                revocation: client.enableTokenRevocation,
                secret: client.generateSecret,
              }),
            ),
          )
          .digest('hex'),
    });
    const afterDeploy = new CustomResource(this, 'SsoReconcileAfterDeploy', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::SsoProviderReconcile',
      properties: { clientSettings: settings },
    });
    afterDeploy.node.addDependency(props.userPoolClient);
    return fn;
  }

  /**
   * The functions whose per-request cost lines the operator figures job counts: their log groups
   * in its environment, and Logs Insights queries over those groups only.
   */
  countRequestsOf(functions: readonly NodejsFunction[]): void {
    const logGroups = functions.map((fn) => fn.logGroup);
    this.scheduler.addEnvironment(
      'REQUEST_LOG_GROUPS',
      logGroups.map((group) => group.logGroupName).join(','),
    );
    this.scheduler.addToRolePolicy(
      new PolicyStatement({
        actions: ['logs:StartQuery'],
        resources: logGroups.map((group) => group.logGroupArn),
      }),
    );
    // GetQueryResults and StopQuery name a query id, not a log group: IAM takes no narrower resource.
    this.scheduler.addToRolePolicy(
      new PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
    );
  }
}
