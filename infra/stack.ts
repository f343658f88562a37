import {
  CfnElement,
  CfnOutput,
  Duration,
  NestedStack,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { TenantryApi } from './constructs/api';
import { TenantryAuth } from './constructs/auth';
import { grantTable, tenantryFunction } from './constructs/tenantry-function';
import { UserPoolOperation } from 'aws-cdk-lib/aws-cognito';
import { ApiMapping, DomainName } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { TenantryConsole } from './constructs/console';
import { TenantryJobs } from './constructs/jobs';
import { OperatorAlarms } from './constructs/operator-alarms';
import { OperatorDashboard } from './constructs/operator-dashboard';
import { TenantInsights } from './constructs/tenant-insights';
import { retainHelperLogs } from './constructs/log-retention';
import { TableBackup } from './constructs/table-backup';
import { CustomDomains, FORWARDED_HOST_HEADER } from './constructs/custom-domains';
import { JOBS, JOB_NAMES } from '../shared/jobs/job-definitions';
import { OPERATOR_FIGURES_EVERY_MINUTES, OPERATOR_FIGURES_JOB } from '../shared/model/operator-figures';
import { reserveConcurrency } from './constructs/bulkheads';
import { TenantryTable } from './constructs/table';

/** The origins browsers may call the API from: CDK context `corsAllowedOrigins` (a list or a comma list). */
function corsOrigins(scope: Construct): string[] {
  const value: unknown = scope.node.tryGetContext('corsAllowedOrigins');
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return list.map((origin) => String(origin).trim()).filter(Boolean);
}

/** A plain-text CDK context value, or the fallback. */
function contextText(scope: Construct, key: string, fallback: string): string {
  const value: unknown = scope.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() ? value.trim() : fallback;
}

/** The domain of an address such as `Tenantry <no-reply@example.com>`: the SES identity it sends as. */
function senderDomain(from: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1];
  if (!domain) throw new Error(`CDK context emailFrom is not an email address: ${from}`);
  return domain;
}

/** Everything Tenantry needs in one account and region. */
export class TenantryStack extends Stack {
  readonly tableConstruct: TenantryTable;
  readonly auth: TenantryAuth;
  readonly api: TenantryApi;
  readonly jobs: TenantryJobs;
  /** The nested stack holding the operators' alarms, insights and dashboard. */
  readonly operations: NestedStack;
  readonly alarms: OperatorAlarms;
  readonly backup: TableBackup;
  readonly customDomains: CustomDomains;
  readonly dashboard: OperatorDashboard;
  readonly insights: TenantInsights;
  readonly console: TenantryConsole;
  readonly customMessage: NodejsFunction;
  readonly preTokenGeneration: NodejsFunction;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.tableConstruct = new TenantryTable(this, 'Data');
    // Seals pagination cursors. Resolved into the functions' (encrypted) configuration at deploy time;
    // rotating it only ends the cursors clients hold, which then start their list again.
    const cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'Tenantry: seals pagination cursors.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotation would only end open pagination cursors; it is rotated by hand when needed.',
    });
    // Wraps the data keys of tenants' secret settings (envelope encryption); rotated yearly by KMS.
    const secretsKey = new Key(this, 'SecretsKey', {
      description: 'Tenantry: wraps the data keys of tenant secret settings.',
      enableKeyRotation: true,
    });
    // Emails (signup) go out through SES as this sender, whose domain is a verified SES identity.
    const emailFrom = contextText(this, 'emailFrom', 'Tenantry <no-reply@tenantry.example>');
    // The console (S3 and CloudFront). Its address is where emails and Stripe send people back to,
    // unless CDK context `consoleUrl` names a custom domain; the API allows it as a CORS origin.
    this.console = new TenantryConsole(this, 'Console');
    const consoleUrl = contextText(this, 'consoleUrl', this.console.url);
    // The user pool, with its hosted domain (CDK context `authDomainPrefix`), where a tenant's people
    // sign in through their own identity provider and come back to the console.
    this.auth = new TenantryAuth(this, 'Auth', {
      consoleUrl,
      domainPrefix: contextText(this, 'authDomainPrefix', ''),
    });
    // How long an export is kept: what the app tells people and what the bucket's lifecycle does,
    // from one value (CDK context `exportRetentionDays`, 1 to 30).
    const exportRetentionDays = Number(contextText(this, 'exportRetentionDays', '7'));
    if (!Number.isInteger(exportRetentionDays) || exportRetentionDays < 1 || exportRetentionDays > 30) {
      throw new Error('CDK context exportRetentionDays must be a whole number of days from 1 to 30.');
    }
    // The functions' log level (cdk context `logLevel`): DEBUG shows a line per admission stage, job
    // dispatch, outbox item, webhook attempt and event consumed.
    const logLevel = contextText(this, 'logLevel', 'INFO');
    if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
      throw new Error('CDK context logLevel must be DEBUG, INFO, WARN or ERROR.');
    }
    // Tenants by host (CDK context `tenantBaseDomain`, e.g. `tenants.example.com`): `acme.<base>` names
    // the tenant whose slug is `acme`. One wildcard custom domain of the API serves every tenant's
    // subdomain (one of the region's custom domains, one certificate, whatever the number of tenants).
    const tenantBaseDomain = contextText(this, 'tenantBaseDomain', '').toLowerCase();
    if (
      tenantBaseDomain &&
      !/^(?=.{4,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(tenantBaseDomain)
    ) {
      throw new Error(
        `CDK context tenantBaseDomain must be a domain name such as tenants.example.com: ${tenantBaseDomain}`,
      );
    }
    const environment = {
      ...(tenantBaseDomain ? { TENANT_BASE_DOMAINS: tenantBaseDomain } : {}),
      // Tenants' own domains reach the API through CloudFront, which passes the host asked for here.
      TENANT_FORWARDED_HOST_HEADER: FORWARDED_HOST_HEADER,
      EXPORT_RETENTION_DAYS: String(exportRetentionDays),
      EMAIL_FROM: emailFrom,
      CONSOLE_URL: consoleUrl,
      CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
      SECRETS_KMS_KEY_ID: secretsKey.keyId,
      TENANT_ROLE_ARN: this.tableConstruct.tenantDataRole.roleArn,
      TABLE_NAME: this.tableConstruct.table.tableName,
      COGNITO_USER_POOL_ID: this.auth.userPool.userPoolId,
      COGNITO_CLIENT_ID: this.auth.client.userPoolClientId,
      COGNITO_DOMAIN_URL: this.auth.domain.baseUrl(),
      EVENT_BUS_NAME: 'default',
      LOG_LEVEL: logLevel,
    };
    this.api = new TenantryApi(this, 'Api', {
      data: this.tableConstruct,
      userPool: this.auth.userPool,
      client: this.auth.client,
      environment,
      corsAllowedOrigins: [...new Set([consoleUrl, this.console.url, ...corsOrigins(this)])],
    });
    // The sender's domain, as an SES identity the stack configures (its DKIM records are outputs, to be
    // put in DNS); only signup, invitations (a new temporary password) and the notifications
    // function may send, and only as it.
    const senderIdentity = new EmailIdentity(this, 'SenderIdentity', {
      identity: Identity.domain(senderDomain(emailFrom)),
    });
    const sendAsSender = new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ses:SendEmail'],
      resources: [
        this.formatArn({ service: 'ses', resource: 'identity', resourceName: senderDomain(emailFrom) }),
      ],
    });
    // Only the tenants function sets and reads secret settings.
    const tenantsFunction = this.api.functions.tenants;
    if (tenantsFunction) {
      secretsKey.grant(tenantsFunction, 'kms:GenerateDataKey', 'kms:Decrypt');
      // Signup sends its own email, as the one sender identity.
      tenantsFunction.addToRolePolicy(sendAsSender);
    }
    // The sso function seals a provider's client secret and reads it back to change the provider.
    const ssoFunction = this.api.functions.sso;
    if (ssoFunction) secretsKey.grant(ssoFunction, 'kms:GenerateDataKey', 'kms:Decrypt');
    // A resent invitation emails its new temporary password.
    this.api.functions.users?.addToRolePolicy(sendAsSender);
    this.jobs = new TenantryJobs(this, 'Jobs', {
      data: this.tableConstruct,
      environment,
      userPool: this.auth.userPool,
      userPoolClient: this.auth.client,
    });
    // The user pool's custom message trigger: an invitation's temporary password comes in the one
    // invitation email (link and why, from AdminCreateUser's ClientMetadata). It reads nothing and
    // may do nothing: no table, no secrets, no environment beyond the runtime's.
    this.customMessage = tenantryFunction(this, 'CustomMessage', {
      entry: 'triggers/custom-message',
      description: 'Tenantry: Cognito custom message trigger (the invitation email with its password).',
      environment: { LOG_LEVEL: logLevel },
      timeout: Duration.seconds(5),
    });
    this.auth.userPool.addTrigger(UserPoolOperation.CUSTOM_MESSAGE, this.customMessage);
    // The pre-token-generation trigger: a sign-in through a tenant's identity provider (and each refresh
    // of its tokens) is admitted there, the person made a member just in time. It reads and writes the
    // table as the platform; it is not told the pool's own ids (the pool names it: that would be a cycle).
    const {
      COGNITO_USER_POOL_ID: _poolId,
      COGNITO_CLIENT_ID: _clientId,
      COGNITO_DOMAIN_URL: _domainUrl,
      ...triggerEnvironment
    } = environment;
    this.preTokenGeneration = tenantryFunction(this, 'PreTokenGeneration', {
      entry: 'triggers/pre-token-generation',
      description:
        'Tenantry: Cognito pre-token-generation trigger (single sign-on admission, members just in time).',
      environment: triggerEnvironment,
      timeout: Duration.seconds(5),
    });
    grantTable(this.preTokenGeneration, this.tableConstruct);
    this.auth.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION, this.preTokenGeneration);
    // Stripe's keys: ops put the secret key and the webhook signing secret in this secret (both are
    // placeholders until then, and billing answers 503). Only the functions that call Stripe get them.
    const stripeSecret = new Secret(this, 'StripeSecret', {
      description: 'Tenantry: Stripe secret key (secretKey) and webhook signing secret (webhookSecret).',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ secretKey: 'sk_unset' }),
        generateStringKey: 'webhookSecret',
        excludePunctuation: true,
      },
    });
    Validations.of(stripeSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Stripe keys are rolled in the Stripe dashboard, then put here by hand.',
    });
    // The job worker reports overage at the billing close and cancels a purged tenant's subscription.
    for (const fn of [this.api.functions.billing, this.jobs.billingOutbox, this.jobs.worker]) {
      fn?.addEnvironment('STRIPE_SECRET_KEY', stripeSecret.secretValueFromJson('secretKey').unsafeUnwrap());
      fn?.addEnvironment(
        'STRIPE_WEBHOOK_SECRET',
        stripeSecret.secretValueFromJson('webhookSecret').unsafeUnwrap(),
      );
    }
    // Tenant exports: gzipped NDJSON under `tenants/<tenantId>/exports/`, encrypted, never public,
    // expired after the retention the app states (EXPORT_RETENTION_DAYS). The job worker writes
    // them; the tenants function asks for them (through the jobs queue) and presigns downloads.
    const exportsBucket = new Bucket(this, 'ExportsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [
        {
          expiration: Duration.days(exportRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(exportsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Every export is audited in the tenant (export.requested); downloads are short presigned links.',
    });
    const exportObjects = exportsBucket.arnForObjects('tenants/*');
    const exportsWildcard = {
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(exportsBucket.node.defaultChild as CfnElement)}.Arn>/tenants/*]`,
      reason:
        'Export objects are keyed by tenant and export id, made at run time; the grant covers the tenants/ prefix only.',
    };
    Validations.of(this.jobs.worker).acknowledge(exportsWildcard);
    this.jobs.worker.addEnvironment('EXPORTS_BUCKET', exportsBucket.bucketName);
    // The worker writes exports, and the purge removes a purged tenant's.
    this.jobs.worker.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
        resources: [exportObjects],
      }),
    );
    this.jobs.worker.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [exportsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['tenants/*'] } },
      }),
    );
    if (tenantsFunction) {
      tenantsFunction.addEnvironment('EXPORTS_BUCKET', exportsBucket.bucketName);
      tenantsFunction.addEnvironment('JOBS_QUEUE_URL', this.jobs.queue.queueUrl);
      this.jobs.queue.grantSendMessages(tenantsFunction);
      tenantsFunction.addToRolePolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject'], resources: [exportObjects] }),
      );
      Validations.of(tenantsFunction).acknowledge(exportsWildcard);
    }
    this.jobs.notifications.addToRolePolicy(sendAsSender);
    // Webhook signing secrets are sealed with the secrets key: made by the webhooks function, opened
    // only by the delivery worker.
    const webhooksFunction = this.api.functions.webhooks;
    if (webhooksFunction) secretsKey.grant(webhooksFunction, 'kms:GenerateDataKey');
    secretsKey.grant(this.jobs.webhookDeliveries, 'kms:Decrypt');
    senderIdentity.dkimRecords.forEach(
      (record, index) =>
        new CfnOutput(this, `SenderDkim${index + 1}`, { value: `${record.name} CNAME ${record.value}` }),
    );
    // The purge removes the sign-ins a purged tenant was the last membership of.
    this.jobs.worker.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['cognito-idp:AdminDeleteUser'],
        resources: [this.auth.userPool.userPoolArn],
      }),
    );
    // Tenants' own domains: verified by the domains function (and re-checked by the jobs worker), each
    // served by a CloudFront distribution tenant made at run time.
    this.customDomains = new CustomDomains(this, 'CustomDomains', { httpApi: this.api.httpApi });
    const domainsFunction = this.api.functions.domains;
    if (domainsFunction) this.customDomains.grantManage(domainsFunction);
    this.customDomains.grantManage(this.jobs.worker);
    // Domain events (the catalogue in shared/events) go to the default bus from whatever publishes them.
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const fn of [
      ...Object.values(this.api.functions),
      this.jobs.worker,
      this.jobs.webhookDeliveries,
      this.preTokenGeneration,
    ])
      defaultBus.grantPutEventsTo(fn);
    // Daily backups beside point-in-time recovery, optionally copied to another region or account.
    const backupRetentionDays = Number(contextText(this, 'backupRetentionDays', '35'));
    if (!Number.isInteger(backupRetentionDays) || backupRetentionDays < 1 || backupRetentionDays > 36_500) {
      throw new Error('CDK context backupRetentionDays must be a whole number of days from 1 to 36500.');
    }
    this.backup = new TableBackup(this, 'Backup', {
      table: this.tableConstruct.table,
      retentionDays: backupRetentionDays,
      copyVaultArn: contextText(this, 'backupCopyVaultArn', '') || undefined,
    });
    // What tells the operators something is wrong (docs/operations.md lists the alarms).
    const functions = {
      ...this.api.functions,
      authorizer: this.api.authorizer,
      scheduler: this.jobs.scheduler,
      worker: this.jobs.worker,
      billingOutbox: this.jobs.billingOutbox,
      notifications: this.jobs.notifications,
      webhookDeliveries: this.jobs.webhookDeliveries,
      ssoReconcile: this.jobs.ssoReconcile,
      customMessage: this.customMessage,
      preTokenGeneration: this.preTokenGeneration,
    };
    // Bulkheads: the public functions and the jobs have concurrency of their own (and a ceiling),
    // unless the account's limit has no room for it (`-c reservedConcurrency=off`).
    if (contextText(this, 'reservedConcurrency', 'on') !== 'off') reserveConcurrency(functions);
    const deadLetterQueues = {
      jobs: { queue: this.jobs.deadLetterQueue, holds: 'per-tenant jobs and exports' },
      webhooks: { queue: this.jobs.webhookDeadLetterQueue, holds: 'webhook deliveries' },
      eventTargets: { queue: this.jobs.eventTargetDeadLetterQueue, holds: 'events a rule could not deliver' },
      asyncFailures: { queue: this.jobs.asyncFailureQueue, holds: 'asynchronous invocations that failed' },
    };
    // The operator figures job counts the API functions' requests by tenant and route.
    this.jobs.countRequestsOf(Object.values(this.api.functions));
    // The operators' side (alarms, their topic, Contributor Insights, the dashboard) is a nested stack
    // of its own: a hundred alarms and more would otherwise crowd CloudFormation's 500 resources a
    // template may hold, which the API's routes (one resource each) need. Its values come in as
    // parameters CDK makes for it; nothing in the main stack refers back into it.
    this.operations = new NestedStack(this, 'Operations', {
      description: 'Tenantry operations: alarms, their topic, Contributor Insights rules and the dashboard.',
    });
    this.alarms = new OperatorAlarms(this.operations, 'Alarms', {
      functions,
      deadLetterQueues,
      rules: this.jobs.rules,
      dailyJobs: [
        ...JOB_NAMES.filter((job) => JOBS[job].schedule.day === '*' && JOBS[job].schedule.hour !== '*'),
        'sso-reconcile',
      ],
      frequentJobs: {
        [OPERATOR_FIGURES_JOB]: OPERATOR_FIGURES_EVERY_MINUTES,
        ...Object.fromEntries(
          JOB_NAMES.filter((job) => JOBS[job].schedule.hour === '*').map((job) => [job, 60]),
        ),
      },
      httpApi: this.api.httpApi,
      table: this.tableConstruct.table,
      alarmEmail: contextText(this, 'alarmEmail', '') || undefined,
    });
    // Which tenants are behind the figures (Contributor Insights over the per-request cost line).
    this.insights = new TenantInsights(this.operations, 'TenantInsights', {
      functions: Object.values(this.api.functions),
      alarmAction: this.alarms.action,
    });
    this.dashboard = new OperatorDashboard(this.operations, 'Dashboard', {
      functions,
      deadLetterQueues,
      httpApi: this.api.httpApi,
      table: this.tableConstruct.table,
      alarms: [...this.alarms.alarms, this.insights.noisyNeighbour],
    });
    this.console.deploy({
      apiUrl: this.api.httpApi.apiEndpoint,
      region: this.region,
      userPoolId: this.auth.userPool.userPoolId,
      clientId: this.auth.client.userPoolClientId,
    });
    if (tenantBaseDomain) {
      // The certificate is validated by DNS (its record is in the certificate's details); the wildcard
      // record `*.<base> CNAME <TenantHostsTarget>` sends every tenant's host to the API.
      const certificate = new Certificate(this, 'TenantHostsCertificate', {
        domainName: `*.${tenantBaseDomain}`,
        validation: CertificateValidation.fromDns(),
      });
      const tenantHosts = new DomainName(this, 'TenantHostsDomain', {
        domainName: `*.${tenantBaseDomain}`,
        certificate,
      });
      new ApiMapping(this, 'TenantHostsMapping', { api: this.api.httpApi, domainName: tenantHosts });
      new CfnOutput(this, 'TenantHostsTarget', {
        value: tenantHosts.regionalDomainName,
        description: `Point *.${tenantBaseDomain} here (CNAME): each tenant answers at <slug>.${tenantBaseDomain}.`,
      });
    }
    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.tableConstruct.table.tableName });
    // Last: CDK's own functions exist by now, and their logs get the stack's retention too.
    retainHelperLogs(this);
  }
}
