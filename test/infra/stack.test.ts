import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/manifest';
import { JOBS, JOB_NAMES } from '../../shared/jobs/job-definitions';
import { OPERATOR_FIGURES_JOB } from '../../shared/model/operator-figures';
import { buildApp } from '../../infra/app';
import { TenantryStack } from '../../infra/stack';
import {
  nestedStackParameters,
  withParentValues,
  type TemplateJson,
} from '../../infra/tools/nested-template';

/** The context `cdk synth` reads from cdk.json. */
const CDK_CONTEXT = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }
).context;

let synthesized: { main: Template; operations: Template } | undefined;

/**
 * The app as `cdk synth` makes it (cdk.json's context, cdk-nag's checks, CloudFormation's
 * validation), synthesized once for every test that reads its template: a synthesis takes seconds,
 * and several times that on a busy machine. Bundling is skipped here (it runs in `cdk synth`).
 */
function synthesizedApp(): { main: Template; operations: Template } {
  if (!synthesized) {
    const { app, stack } = buildApp(new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } }));
    app.synth();
    const main = Template.fromStack(stack);
    synthesized = { main, operations: operationsOf(Template.fromStack(stack.operations), main) };
  }
  return synthesized;
}

/** The nested stack's template read as one with the parent's (its parameters replaced by their values). */
function operationsOf(nested: Template, parent: Template): Template {
  const { template, unpassed } = withParentValues(
    nested.toJSON() as TemplateJson,
    nestedStackParameters(parent.toJSON() as TemplateJson),
  );
  // Every parameter is one the parent passes: none is left for an operator to fill in.
  expect(unpassed).toEqual([]);
  return Template.fromJSON(template);
}

/** The main stack's template. */
function sharedTemplate(): Template {
  return synthesizedApp().main;
}

/** The nested operations stack's template: the alarms, their topic, the insights and the dashboard. */
function operationsTemplate(): Template {
  return synthesizedApp().operations;
}

describe('the Tenantry stack', () => {
  let template: Template;

  beforeAll(() => {
    template = sharedTemplate();
  });

  /** The functions that work on tenants' data (every one but the user pool's message trigger). */
  const dataFunctions = () => {
    const all = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([, resource]) => (resource.Properties as { Runtime?: string }).Runtime === 'nodejs22.x',
    );
    const data = all.filter(([id]) => !/CustomMessage/.test(id));
    // The positive control of the filter: it leaves out the trigger alone.
    expect(all.length - data.length).toBe(1);
    return data.map(([, resource]) => resource);
  };

  it('makes the invitation one email: the user pool’s custom message trigger, which may touch nothing', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const [triggerId, trigger] = Object.entries(functions).find(([id]) => /CustomMessage/.test(id)) ?? [];
    expect(triggerId).toBeDefined();
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { CustomMessage: { 'Fn::GetAtt': [triggerId, 'Arn'] } },
    });
    // Cognito may invoke it, for this pool only.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('UserPool'), 'Arn'] },
    });
    // No data, no secrets: its environment names neither the table nor a secret, its role grants none.
    const env = JSON.stringify((trigger?.Properties as { Environment?: unknown }).Environment ?? {});
    for (const word of ['TABLE_NAME', 'CURSOR_SECRET', 'STRIPE', 'TENANT_ROLE_ARN'])
      expect(env).not.toContain(word);
    const role = JSON.stringify((trigger?.Properties as { Role: unknown }).Role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify((policy.Properties as { Roles: unknown }).Roles).includes(
        JSON.parse(role)['Fn::GetAtt'][0],
      ),
    );
    // X-Ray's writes only (active tracing), nothing of the table, Cognito, SES or KMS.
    for (const policy of policies)
      expect(JSON.stringify(policy)).not.toMatch(/dynamodb:|cognito-idp:|ses:|kms:|secretsmanager:/);
    // And its errors page the operators as every function's do.
    expect(JSON.stringify(operationsTemplate().findResources('AWS::CloudWatch::Alarm'))).toContain(triggerId);
  });

  it('has one table keyed pk/sk with gsi1, gsi2, TTL, PITR, deletion protection, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
          }),
        ],
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('has a user pool with immutable tenant attributes, strong passwords and optional TOTP MFA', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true }),
      },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'tenantId', Mutable: false }),
        Match.objectLike({ Name: 'userId', Mutable: false }),
      ]),
      DeletionProtection: 'ACTIVE',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'platform-admins' });
  });

  it('has a hosted domain and a code-flow client for federated sign-in, back to the console', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email', 'profile']),
      SupportedIdentityProviders: ['COGNITO'],
    });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    // The console's address (a CloudFront token) joined with the callback path.
    expect(JSON.stringify((client?.Properties as { CallbackURLs: unknown }).CallbackURLs)).toContain(
      '/sso/callback',
    );
    // A tenant's provider fills ssoGroups at each sign-in: mutable, and never the client's to write.
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'ssoGroups', Mutable: true })]),
    });
    // The functions learn where federated sign-in starts.
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.some((fn) => JSON.stringify(fn).includes('COGNITO_DOMAIN_URL'))).toBe(true);
  });

  it('gives the app client no write access to the custom attributes', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    const [client] = Object.values(clients);
    const writes = (client?.Properties as { WriteAttributes: string[] }).WriteAttributes;
    expect(writes.filter((name) => name.startsWith('custom:'))).toEqual([]);
    expect((client?.Properties as { ReadAttributes: string[] }).ReadAttributes).toEqual(
      expect.arrayContaining(['custom:tenantId', 'custom:userId']),
    );
  });

  it('creates one API route per manifest entry, with the authorizer on every non-public one', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (resource) => resource.Properties as { RouteKey: string; AuthorizationType: string },
    );
    expect(routes.map((route) => route.RouteKey).sort()).toEqual(
      [...ROUTES.map((route) => `${route.method} ${route.path}`), '$default'].sort(),
    );
    for (const route of ROUTES) {
      const created = routes.find((r) => r.RouteKey === `${route.method} ${route.path}`);
      expect(created?.AuthorizationType).toBe(route.auth === 'public' ? 'NONE' : 'CUSTOM');
    }
  });

  it('lets API Gateway invoke each API function through this API only, with one permission per function', () => {
    const fromGateway = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map(
        (resource) => resource.Properties as { Principal: string; FunctionName: unknown; SourceArn: unknown },
      )
      .filter((permission) => permission.Principal === 'apigateway.amazonaws.com');
    const functions = fromGateway.map((permission) => JSON.stringify(permission.FunctionName));
    // The API functions (one per domain) and the authorizer; no function twice.
    expect(new Set(functions).size).toBe(functions.length);
    expect(functions.length).toBe(new Set(ROUTES.map((route) => route.function)).size + 1);
    for (const permission of fromGateway) {
      const source = JSON.stringify(permission.SourceArn);
      expect(source).toContain('execute-api');
      // Scoped to this HTTP API by its id, never to every API of the account.
      expect(source).toMatch(/"Ref":"ApiHttpApi[0-9A-F]+"/);
    }
    // Well inside CloudFormation's 500 resources a template may hold, each of the two.
    expect(Object.keys(template.toJSON().Resources as object).length).toBeLessThan(420);
    expect(Object.keys(operationsTemplate().toJSON().Resources as object).length).toBeLessThan(420);
  });

  it('sends whatever matches no route to the docs function, without the authorizer', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    const fallback = Object.values(routes).find(
      (resource) => (resource.Properties as { RouteKey: string }).RouteKey === '$default',
    );
    expect(fallback?.Properties).toMatchObject({ AuthorizationType: 'NONE' });
    const target = JSON.stringify(fallback?.Properties);
    const docsRoute = Object.values(routes).find(
      (resource) => (resource.Properties as { RouteKey: string }).RouteKey === 'GET /v1/openapi.json',
    );
    expect(target).toContain(JSON.stringify((docsRoute?.Properties as { Target: unknown }).Target));
  });

  it('answers CORS preflights for the configured origins only, with the shared policy', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [
          Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          'http://localhost:5173',
          'http://127.0.0.1:5173',
        ],
        AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'idempotency-key', 'x-tenant-id']),
        AllowMethods: Match.arrayWith(['GET', 'POST', 'PATCH', 'DELETE']),
        ExposeHeaders: Match.arrayWith(['ratelimit-remaining', 'retry-after']),
        MaxAge: 600,
      },
    });
  });

  it('takes the CORS origins from the cdk context', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], corsAllowedOrigins: 'https://console.example.com' },
    });
    const custom = Template.fromStack(new TenantryStack(app, 'Custom'));
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [Match.objectLike({ 'Fn::Join': Match.anyValue() }), 'https://console.example.com'],
      }),
    });
  });

  it('seals cursors with a generated secret every function is given', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('pagination cursors'),
    });
    for (const fn of dataFunctions()) {
      const env = (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
        .Variables;
      expect(JSON.stringify(env.CURSOR_SECRET)).toContain('resolve:secretsmanager');
    }
  });

  it('wraps secrets with a rotated KMS key: sealed by the tenants, sso and webhooks functions, opened by the first two and the webhook worker only', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const withKms = (action: string) =>
      policies
        .filter(([, policy]) => JSON.stringify(policy).includes(action))
        .map(([id]) => id)
        .sort();
    expect(withKms('kms:GenerateDataKey')).toEqual([
      expect.stringMatching(/sso/),
      expect.stringMatching(/tenants/),
      expect.stringMatching(/webhooks/),
    ]);
    expect(withKms('kms:Decrypt')).toEqual([
      expect.stringMatching(/sso/),
      expect.stringMatching(/tenants/),
      expect.stringMatching(/WebhookDeliveries/),
    ]);
  });

  it('limits the tenant data role to its tenant’s partition by session tag', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) =>
      id.includes('TenantDataRole'),
    );
    expect(roles).toHaveLength(1);
    const trust = JSON.stringify(roles[0]?.[1]);
    expect(trust).toContain('sts:AssumeRole');
    expect(trust).toContain('sts:TagSession');
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.includes('TenantDataRole'),
    );
    const statements = policies.flatMap(
      ([, policy]) =>
        (policy.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } })
          .PolicyDocument.Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TENANT#${aws:PrincipalTag/tenantId}'] },
      },
    });
    expect(statements[0]?.Action).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']),
    );
    expect(JSON.stringify(statements)).not.toContain('dynamodb:Scan');
  });

  it('lets no function Scan or read streams, and lets the data functions assume the tenant role', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    for (const [id, policy] of policies) {
      const text = JSON.stringify(policy);
      for (const action of [
        'dynamodb:Scan',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:*',
      ]) {
        expect(text, `${id} ${action}`).not.toContain(`"${action}"`);
      }
    }
    const tenants = JSON.stringify(policies.filter(([id]) => id.includes('tenantsFunction')));
    expect(tenants).toContain('sts:TagSession');
    expect(tenants).toContain('TenantDataRole');
    for (const fn of dataFunctions()) {
      const env = (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
        .Variables;
      expect(JSON.stringify(env.TENANT_ROLE_ARN)).toContain('TenantDataRole');
    }
  });

  it('gives the docs function no access to the table', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const docs = policies.filter(([id]) => id.includes('docs'));
    expect(docs.length).toBeGreaterThan(0);
    for (const [, policy] of docs) expect(JSON.stringify(policy)).not.toContain('dynamodb:');
    const tenants = policies.filter(([id]) => id.includes('tenants'));
    expect(JSON.stringify(tenants)).toContain('dynamodb:'); // positive control
  });

  it('uses a Lambda authorizer with simple responses, cached per Authorization header', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it('runs one arm64 nodejs22.x function per domain plus the authorizer and the jobs', () => {
    const domains = new Set(ROUTES.map((route) => route.function));
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (resource) => (resource.Properties as { Runtime?: string }).Runtime === 'nodejs22.x',
    );
    // One per domain, the authorizer, the job scheduler and worker, the billing outbox, the
    // notifications, the webhook deliveries, the SSO provider reconcile and the user pool's custom
    // message and pre-token triggers.
    expect(functions).toHaveLength(domains.size + 9);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
  });

  it('offers tenants’ identity providers again after every deploy that changes the app client, and daily', () => {
    const reconciles = template.findResources('Custom::SsoProviderReconcile');
    const [id, resource] = Object.entries(reconciles)[0] ?? [];
    expect(Object.keys(reconciles)).toHaveLength(1);
    const client = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'))[0];
    // Run after the client is deployed, by the reconcile function, whenever the client's settings change.
    expect(resource?.DependsOn).toContain(client);
    const properties = resource?.Properties as { ServiceToken: unknown; clientSettings: string };
    expect(JSON.stringify(properties.ServiceToken)).toContain('JobsSsoReconcileFunction');
    expect(properties.clientSettings).toMatch(/^[0-9a-f]{64}$/);
    // A different console address is a different client (its callback URLs): the digest changes, so
    // CloudFormation updates the resource and the reconcile runs.
    const { app, stack } = buildApp(
      new App({
        context: {
          ...CDK_CONTEXT,
          'aws:cdk:bundling-stacks': [],
          consoleUrl: 'https://console.elsewhere.example',
        },
      }),
    );
    app.synth();
    const other = Template.fromStack(stack).findResources('Custom::SsoProviderReconcile');
    expect((other[id as string]?.Properties as { clientSettings: string }).clientSettings).not.toBe(
      properties.clientSettings,
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ job: 'sso-reconcile' }) })],
    });
  });

  it('grants Cognito admin actions only to the functions that manage users, identity providers (and the purge)', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const withCognito = policies
      .filter(([, policy]) => JSON.stringify(policy).includes('cognito-idp:'))
      .map(([id]) => id);
    expect(withCognito.length).toBe(7);
    expect(
      withCognito.every((id) => /tenants|users|platform|sso|authorizer|JobsWorker|JobsSsoReconcile/.test(id)),
    ).toBe(true);
    // The SSO provider reconcile: the pool's providers listed (a purged tenant's deleted), the app
    // client's list of them set.
    const reconcilePolicy = JSON.stringify(policies.find(([id]) => id.includes('JobsSsoReconcile')) ?? '');
    expect(reconcilePolicy.match(/cognito-idp:\w+/g)?.sort()).toEqual([
      'cognito-idp:DeleteIdentityProvider',
      'cognito-idp:DescribeUserPoolClient',
      'cognito-idp:ListIdentityProviders',
      'cognito-idp:UpdateUserPoolClient',
    ]);
    expect(reconcilePolicy).toContain('AuthUserPool');
    // The users function: invitations' sign-ins, a removed person's disabled, and a person signing out
    // everywhere (their refresh tokens revoked). It deletes no sign-in.
    const usersPolicy = JSON.stringify(policies.find(([id]) => /usersFunction/i.test(id)) ?? '');
    expect(usersPolicy.match(/cognito-idp:\w+/g)?.sort()).toEqual([
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminEnableUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminSetUserPassword',
      'cognito-idp:AdminUserGlobalSignOut',
    ]);
    // The sso function: the pool's identity providers and the app client's list of them; for directory
    // sync, a person's sign-in read, disabled (the last membership deprovisioned) and signed out
    // everywhere (deactivated). Nothing else: it creates no sign-in and sets no password.
    const ssoPolicy = JSON.stringify(policies.find(([id]) => /sso/.test(id)) ?? '');
    expect(ssoPolicy.match(/cognito-idp:\w+/g)?.sort()).toEqual([
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminUserGlobalSignOut',
      'cognito-idp:CreateIdentityProvider',
      'cognito-idp:DeleteIdentityProvider',
      'cognito-idp:DescribeIdentityProvider',
      'cognito-idp:DescribeUserPoolClient',
      'cognito-idp:UpdateIdentityProvider',
      'cognito-idp:UpdateUserPoolClient',
    ]);
    expect(ssoPolicy).toContain('AuthUserPool');
    const authorizerPolicy = JSON.stringify(policies.find(([id]) => id.includes('authorizer')) ?? '');
    expect(authorizerPolicy.match(/cognito-idp:\w+/g)).toEqual(['cognito-idp:AdminGetUser']);
    // The platform function: the platform-admins group's membership, nothing else of the pool.
    const platformPolicy = JSON.stringify(policies.find(([id]) => /platform/i.test(id)) ?? '');
    expect(platformPolicy.match(/cognito-idp:\w+/g)?.sort()).toEqual([
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminRemoveUserFromGroup',
    ]);
  });

  it('lets only signup (tenants), invitations (users) and the notifications send email, and only as the configured sender', () => {
    const withSes = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify(policy).includes('ses:'),
    );
    expect(withSes.map(([id]) => id)).toHaveLength(3);
    expect(withSes.map(([id]) => id).find((id) => /Notifications/.test(id))).toBeDefined();
    expect(withSes.map(([id]) => id).find((id) => /tenants/.test(id))).toBeDefined();
    expect(withSes.map(([id]) => id).find((id) => /users/.test(id))).toBeDefined();
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'tenantry.example' });
    const statement = (
      withSes[0]?.[1].Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }
    ).PolicyDocument.Statement.find((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(statement?.Action).toBe('ses:SendEmail');
    expect(JSON.stringify(statement?.Resource)).toContain(':identity/tenantry.example');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EMAIL_FROM: 'Tenantry <no-reply@tenantry.example>' }) },
    });
  });

  it('gives Stripe’s keys, from a secret the stack creates, only to the functions that call Stripe', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    const withStripe = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => JSON.stringify(fn).includes('STRIPE_SECRET_KEY'))
      .map(([id]) => id);
    expect(withStripe).toHaveLength(3);
    expect(withStripe.some((id) => /billing/i.test(id) && /Api/.test(id))).toBe(true);
    expect(withStripe.some((id) => /BillingOutbox/.test(id))).toBe(true);
    expect(withStripe.some((id) => /JobsWorker/.test(id))).toBe(true);
    // Positive control: the same search finds the cursor secret in every function.
    const withCursor = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) =>
      JSON.stringify(fn).includes('CURSOR_SECRET'),
    );
    expect(withCursor.length).toBeGreaterThan(withStripe.length);
  });

  it('drops no asynchronous work silently: rule targets retry into a dead-letter queue, async functions fail into a queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThan(3);
    const invokedFunctions = new Set<string>();
    for (const rule of rules) {
      for (const target of (rule.Properties as { Targets: Array<Record<string, unknown>> }).Targets) {
        expect(target, JSON.stringify(target)).toMatchObject({
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [expect.stringMatching(/EventTargetDeadLetterQueue/), 'Arn'] },
          },
          RetryPolicy: {
            MaximumRetryAttempts: expect.any(Number),
            MaximumEventAgeInSeconds: expect.any(Number),
          },
        });
        invokedFunctions.add(JSON.stringify((target.Arn as { 'Fn::GetAtt': unknown[] })['Fn::GetAtt'][0]));
      }
    }
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    const configured = new Set(
      configs.map((config) =>
        JSON.stringify((config.Properties as { FunctionName: { Ref: string } }).FunctionName.Ref),
      ),
    );
    for (const fn of invokedFunctions)
      expect(configured, `${fn} has no on-failure destination`).toContain(fn);
    for (const config of configs) {
      expect(config.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/AsyncFailureQueue/), 'Arn'] } },
        },
      });
    }
  });

  it('hides an SQS message six times its consumer’s timeout', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const queues = template.findResources('AWS::SQS::Queue');
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.length).toBeGreaterThanOrEqual(2);
    for (const mapping of mappings) {
      const props = mapping.Properties as {
        EventSourceArn: { 'Fn::GetAtt': [string, string] };
        FunctionName: { Ref: string };
      };
      const queue = queues[props.EventSourceArn['Fn::GetAtt'][0]]?.Properties as {
        VisibilityTimeout: number;
      };
      const consumer = functions[props.FunctionName.Ref]?.Properties as { Timeout: number };
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.Timeout);
    }
  });

  it('works the billing outbox every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  });

  it('lets the authorizer read API key lookup items, keep MFA evidence, and touch no other data', () => {
    const [, policy] =
      Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.includes('authorizer')) ??
      [];
    const statements = (
      policy?.Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }
    ).PolicyDocument.Statement;
    const data = statements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'));
    // Positive control: the two grants it needs are there, and only on the table itself (no index).
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({
      Action: 'dynamodb:GetItem',
      Effect: 'Allow',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*'] } },
    });
    expect(data[1]).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Effect: 'Allow',
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['MFA#*'] } },
    });
    for (const statement of data) expect(JSON.stringify(statement.Resource)).not.toContain('index');
    // No tenant item, no Query or Scan, no write but the MFA mark: a leaked authorizer role reads
    // only key lookups.
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:(Query|Scan|PutItem|DeleteItem|BatchWriteItem)/);
  });

  it('schedules the monthly reset and the billing close on the 1st (UTC)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(5 0 1 * ? *)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ job: 'monthly-reset' }) })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 1 1 * ? *)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ job: 'billing-close' }) })],
    });
  });

  it('keeps exports in an encrypted, private, SSL-only bucket that expires them; only the worker writes, only the tenants function reads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7 })]) },
    });
    const bucketPolicy = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
    expect(bucketPolicy).toContain('aws:SecureTransport');
    const exportsBucketId =
      Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('ExportsBucket')) ??
      '';
    expect(exportsBucketId).not.toBe('');
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const withS3 = policies.filter(
      ([, policy]) =>
        JSON.stringify(policy).includes('"s3:') && JSON.stringify(policy).includes(exportsBucketId),
    );
    const writers = withS3
      .filter(([, policy]) => JSON.stringify(policy).includes('s3:PutObject'))
      .map(([id]) => id);
    const readers = withS3
      .filter(([, policy]) => JSON.stringify(policy).includes('s3:GetObject'))
      .map(([id]) => id);
    expect(writers).toHaveLength(1);
    expect(writers[0]).toMatch(/JobsWorker/);
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/tenants/i);
    // Positive control: the same search finds both, and no other function touches the bucket.
    expect(withS3).toHaveLength(2);
    expect(JSON.stringify(withS3)).toContain('tenants/*');
  });

  it('counts the API functions’ requests by tenant and route every 15 minutes, querying their log groups only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0/15 * * * ? *)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ job: OPERATOR_FIGURES_JOB }) })],
    });
    const functions = template.findResources('AWS::Lambda::Function');
    const [schedulerId, scheduler] = Object.entries(functions).find(([id]) => /JobsScheduler/.test(id)) ?? [];
    expect(schedulerId).toBeDefined();
    const logGroups = JSON.stringify(
      (scheduler as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
        .Environment.Variables.REQUEST_LOG_GROUPS,
    );
    // Every route function's log group (they write the cost lines), and no other function's.
    const routeFunctions = Object.keys(functions)
      .map((id) => /^Api(\w+)Function[0-9A-F]{8}$/.exec(id)?.[1])
      .filter((name): name is string => Boolean(name) && name !== 'authorizer');
    expect(routeFunctions.length).toBe(new Set(ROUTES.map((route) => route.function)).size);
    const logGroupIds = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    const routeLogGroups = routeFunctions.map(
      (name) => logGroupIds.find((id) => new RegExp(`^Api${name}Logs[0-9A-F]{8}$`).test(id)) ?? name,
    );
    for (const id of routeLogGroups) expect(logGroups, id).toContain(`"${id}"`);
    expect(logGroups).not.toMatch(/Jobs|authorizer/i);
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const startQuery = policies
      .flatMap(
        ([, policy]) =>
          (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
            .Statement,
      )
      .filter((statement) => JSON.stringify(statement).includes('logs:StartQuery'));
    expect(startQuery).toHaveLength(1);
    const resources = JSON.stringify((startQuery[0] as { Resource: unknown }).Resource);
    expect(resources).not.toContain('"*"');
    for (const id of routeLogGroups) expect(resources, id).toContain(`"${id}"`);
    expect(resources).not.toMatch(/Jobs|authorizer/i);
    // Positive control: the same search finds the scheduler's other grant (query results, by id only).
    expect(
      policies.some(
        ([id, policy]) => /JobsScheduler/.test(id) && JSON.stringify(policy).includes('logs:GetQueryResults'),
      ),
    ).toBe(true);
  });

  it('sends every domain event to the notifications function, with retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['tenantry'] },
      Targets: [Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }) })],
    });
  });

  it('purges deleted tenants daily at 03:00 UTC, with a worker that may delete sign-ins and nothing else in Cognito', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ job: 'tenant-purge' }) })],
    });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const worker = policies
      .filter(([id]) => /JobsWorker/.test(id))
      .map(([, policy]) => JSON.stringify(policy));
    expect(worker.join()).toContain('cognito-idp:AdminDeleteUser');
    expect(worker.join()).not.toMatch(/cognito-idp:Admin(Create|Get|Disable|Enable)User/);
    // Positive control: the users function's policy carries its Cognito actions, found the same way.
    const users = policies.filter(([id]) => /users/i.test(id)).map(([, policy]) => JSON.stringify(policy));
    expect(users.join()).toContain('cognito-idp:AdminCreateUser');
  });

  it('fans jobs out through an encrypted SQS queue with a dead-letter queue and partial batch failures', () => {
    // The jobs queue and the webhook deliveries queue, each with its dead-letter queue; the rule
    // targets' dead-letter queue and the asynchronous functions' on-failure queue.
    template.resourceCountIs('AWS::SQS::Queue', 6);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('lets the functions that publish domain events put them on the default bus', () => {
    const withPutEvents = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify(policy).includes('events:PutEvents'),
    );
    // Every API function, the job worker, the webhook deliveries (which tells of a disabled endpoint)
    // and the pre-token trigger (a member made just in time may cross a users threshold).
    expect(withPutEvents.length).toBe(new Set(ROUTES.map((route) => route.function)).size + 3);
  });

  it('admits single sign-on in a pre-token-generation trigger that reads the table, not told the pool’s ids', () => {
    const pool = Object.values(template.findResources('AWS::Cognito::UserPool'))[0];
    const lambdaConfig = (pool?.Properties as { LambdaConfig: Record<string, unknown> }).LambdaConfig;
    expect(Object.keys(lambdaConfig).sort()).toEqual(['CustomMessage', 'PreTokenGeneration']);
    const [id, trigger] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([key]) =>
      key.startsWith('PreTokenGeneration'),
    ) ?? ['', undefined];
    expect(JSON.stringify(lambdaConfig.PreTokenGeneration)).toContain(id);
    const variables = (trigger?.Properties as { Environment: { Variables: Record<string, unknown> } })
      .Environment.Variables;
    expect(variables).toHaveProperty('TABLE_NAME');
    // The pool names the trigger; the trigger naming the pool would be a cycle CloudFormation refuses.
    expect(variables).not.toHaveProperty('COGNITO_USER_POOL_ID');
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([key]) =>
      key.startsWith('PreTokenGeneration'),
    );
    expect(JSON.stringify(policy?.[1])).toContain('dynamodb:UpdateItem');
    expect(JSON.stringify(policy?.[1])).not.toContain('cognito-idp:');
  });

  it('delivers webhooks from their own encrypted queue, with a dead-letter queue and partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const queues = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([id]) =>
      /WebhookQueue/.test(id),
    );
    expect(JSON.stringify(queues)).toContain('maxReceiveCount');
  });

  it('writes API access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('operator alarms', () => {
  /** The operations stack, where the alarms are. */
  let template: Template;
  /** The main stack, where the functions they watch are. */
  let main: Template;
  type AlarmResource = {
    Properties: {
      AlarmDescription?: string;
      AlarmActions?: unknown[];
      OKActions?: unknown[];
      MetricName?: string;
      Namespace?: string;
      Dimensions?: Array<{ Name: string }>;
      Metrics?: Array<{ MetricStat?: { Metric: { Dimensions?: Array<{ Name: string }> } } }>;
    };
  };
  let alarms: AlarmResource[];

  beforeAll(() => {
    template = operationsTemplate();
    main = sharedTemplate();
    alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as AlarmResource[];
  });

  it('publishes at least 20 alarms, each with its reason, to an encrypted topic when they fire and when they clear', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(20);
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmDescription?.length).toBeGreaterThan(60);
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // CloudWatch may use the topic's key, or its notifications would be dropped.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Effect: 'Allow' }),
        ]),
      }),
    });
  });

  it('watches every function (errors, throttles, duration near its timeout) and every dead-letter queue', () => {
    const functions = Object.keys(
      main.findResources('AWS::Lambda::Function', {
        Properties: { Runtime: 'nodejs22.x' },
      }),
    );
    // The positive control: the functions are found where they are (the main stack).
    expect(functions.length).toBeGreaterThanOrEqual(20);
    const watched = (metric: string) =>
      alarms
        .filter(
          (alarm) => alarm.Properties.Namespace === 'AWS/Lambda' && alarm.Properties.MetricName === metric,
        )
        .map((alarm) => JSON.stringify(alarm.Properties.Dimensions));
    for (const metric of ['Errors', 'Throttles', 'Duration']) {
      for (const fn of functions)
        expect(watched(metric).some((dimensions) => dimensions.includes(fn))).toBe(true);
    }
    const deadLetterQueues = Object.entries(main.findResources('AWS::SQS::Queue')).filter(([id]) =>
      /DeadLetter|AsyncFailure/.test(id),
    );
    expect(deadLetterQueues.length).toBeGreaterThanOrEqual(4);
    for (const [id] of deadLetterQueues) {
      expect(
        alarms.some(
          (alarm) =>
            alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(alarm.Properties.Dimensions).includes(id),
        ),
        id,
      ).toBe(true);
    }
  });

  it('watches the API’s 5xx rate and p99 latency and the table’s throttles and system errors, with no tenant dimension', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      Namespace: 'AWS/ApiGateway',
      ExtendedStatistic: 'p99',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: '100 * errors / MAX([requests, 1])' })]),
    });
    const tableAlarms = alarms.filter((alarm) =>
      JSON.stringify(alarm.Properties.Metrics ?? []).includes('AWS/DynamoDB'),
    );
    expect(tableAlarms.map((alarm) => JSON.stringify(alarm.Properties.Metrics))).toEqual([
      expect.stringContaining('ThrottledRequests'),
      expect.stringContaining('SystemErrors'),
    ]);
    expect(JSON.stringify(alarms)).not.toMatch(/tenantId|TenantId/);
    // The application's metrics always carry Powertools' service dimension: an alarm on one without it
    // would watch a metric nobody publishes.
    const ownMetrics = alarms.flatMap((alarm) => [
      ...(alarm.Properties.Namespace === 'Tenantry' ? [alarm.Properties.Dimensions ?? []] : []),
      ...(alarm.Properties.Metrics ?? [])
        .map(
          (metric) =>
            metric.MetricStat?.Metric as { Namespace?: string; Dimensions?: Array<{ Name: string }> },
        )
        .filter((metric) => metric?.Namespace === 'Tenantry')
        .map((metric) => metric.Dimensions ?? []),
    ]);
    expect(ownMetrics.length).toBeGreaterThanOrEqual(8);
    for (const dimensions of ownMetrics) expect(dimensions.map((d) => d.Name)).toContain('service');
  });

  it('watches every EventBridge rule’s failed invocations', () => {
    const rules = Object.keys(main.findResources('AWS::Events::Rule'));
    expect(rules.length).toBeGreaterThanOrEqual(7);
    for (const rule of rules) {
      expect(
        alarms.some(
          (alarm) =>
            alarm.Properties.Namespace === 'AWS/Events' &&
            alarm.Properties.MetricName === 'FailedInvocations' &&
            JSON.stringify(alarm.Properties.Dimensions).includes(rule),
        ),
        rule,
      ).toBe(true);
    }
  });

  it('watches security events (refused credentials, probes of other tenants) and the email reputation', () => {
    // Every kind the authorizer counts, each with the dimensions it is published with.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'FILL(missing, 0) + FILL(malformed, 0) + FILL(apiKey, 0) + FILL(idToken, 0)',
        }),
        ...['missing', 'malformed', 'apiKey', 'idToken'].map((kind) =>
          Match.objectLike({
            Id: kind,
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({
                MetricName: 'RefusedCredentials',
                Namespace: 'Tenantry',
                Dimensions: Match.arrayWith([
                  { Name: 'credential', Value: kind },
                  { Name: 'service', Value: 'tenantry' },
                ]),
              }),
            }),
          }),
        ),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Tenantry',
      MetricName: 'WebhookEndpointsDisabled',
      Dimensions: [{ Name: 'service', Value: 'tenantry' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Tenantry',
      MetricName: 'ProblemResponses',
      Dimensions: Match.arrayWith([
        { Name: 'code', Value: 'tenant_mismatch' },
        { Name: 'service', Value: 'tenantry' },
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
    });
  });

  it('says when a schedule is late: no heartbeat from the billing outbox in 10 minutes, or from a daily job in two days', () => {
    const heartbeats = alarms.filter((alarm) => alarm.Properties.MetricName === 'JobRuns');
    const jobs = heartbeats.map(
      (alarm) =>
        (alarm.Properties.Dimensions ?? []).find((d) => d.Name === 'job') as { Value?: string } | undefined,
    );
    expect(jobs.map((job) => job?.Value).sort()).toEqual(
      [
        'billing-outbox',
        OPERATOR_FIGURES_JOB,
        'sso-reconcile',
        ...JOB_NAMES.filter((job) => JOBS[job].schedule.day === '*'),
      ].sort(),
    );
    for (const alarm of heartbeats) {
      // The heartbeat's absence is the alarm.
      expect(alarm.Properties).toMatchObject({
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        Threshold: 1,
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BillingOutboxOldestSeconds',
      Threshold: 3600,
    });
  });

  it('shows the fleet on one dashboard: every alarm’s state, the API, every function, the table, the dead letters, routes and codes', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties);
    for (const alarm of Object.keys(template.findResources('AWS::CloudWatch::Alarm')))
      expect(body).toContain(alarm);
    for (const fn of Object.keys(
      main.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }),
    ))
      expect(body).toContain(fn);
    // The API, the table and the queues; and the application's figures by route and problem code
    // (bounded), never by tenant.
    const shown = [
      '5xx',
      'Latency',
      'ConsumedWriteCapacityUnits',
      'ApproximateNumberOfMessagesVisible',
      '{Tenantry,service,route}',
      '{Tenantry,service,code}',
    ];
    expect(shown.filter((metric) => !body.includes(metric))).toEqual([]);
    expect(body).not.toMatch(/tenantId/i);
  });

  it('ranks tenants by requests, 5xx, throttles and capacity from the per-request cost line, and alarms on a noisy neighbour', () => {
    const rules = Object.values(template.findResources('AWS::CloudWatch::InsightRule')).map(
      (rule) => rule.Properties as { RuleName: string; RuleBody: unknown; RuleState: string },
    );
    expect(rules.map((rule) => rule.RuleName).sort()).toEqual(
      ['readunits', 'requests', 'servererrors', 'throttled', 'writeunits'].map(
        (by) => `Tenantry-top-tenants-by-${by}`,
      ),
    );
    const apiLogGroups = Object.entries(main.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) =>
        String((fn.Properties as { Description?: string }).Description).match(/^Tenantry \w+ API\.$/),
      )
      .map(
        ([, fn]) =>
          (fn.Properties as { LoggingConfig: { LogGroup: { Ref: string } } }).LoggingConfig.LogGroup.Ref,
      );
    expect(apiLogGroups.length).toBeGreaterThanOrEqual(11);
    for (const rule of rules) {
      const body = JSON.stringify(rule.RuleBody);
      expect(rule.RuleState).toBe('ENABLED');
      expect(body).toContain('$.tenantId');
      expect(body).toContain('Request cost');
      for (const group of apiLogGroups) expect(body).toContain(group);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: "INSIGHT_RULE_METRIC('Tenantry-top-tenants-by-requests', 'MaxContributorValue')",
        }),
      ]),
      Threshold: 50,
    });
  });

  it('emails the address the cdk context names, and nobody when it names none', () => {
    expect(template.findResources('AWS::SNS::Subscription')).toEqual({});
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], alarmEmail: 'ops@example.com' } });
    Template.fromStack(new TenantryStack(app, 'WithAlarmEmail').operations).hasResourceProperties(
      'AWS::SNS::Subscription',
      {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      },
    );
  });
});

describe('log retention', () => {
  /** Each function's log group: the one its LoggingConfig names, or the one named after it. */
  function retentionByFunction(template: Template): Map<string, unknown> {
    const groups = template.findResources('AWS::Logs::LogGroup');
    const byId = new Map(Object.entries(groups));
    const byFunction = new Map<string, unknown>();
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const named = (fn.Properties as { LoggingConfig?: { LogGroup?: { Ref: string } } }).LoggingConfig
        ?.LogGroup?.Ref;
      const group = named
        ? byId.get(named)
        : [...byId.values()].find((g) =>
            JSON.stringify((g.Properties as { LogGroupName?: unknown }).LogGroupName ?? '').includes(
              `"Ref":"${id}"`,
            ),
          );
      byFunction.set(id, (group?.Properties as { RetentionInDays?: number } | undefined)?.RetentionInDays);
    }
    return byFunction;
  }

  it('keeps every log group 90 days, CDK’s own functions’ included', () => {
    const template = sharedTemplate();
    const retentions = retentionByFunction(template);
    expect(retentions.size).toBeGreaterThanOrEqual(19);
    for (const [fn, days] of retentions) expect(days, fn).toBe(90);
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')))
      expect(group.Properties.RetentionInDays).toBe(90);
  });

  it('takes the retention from the cdk context, and refuses a value CloudWatch Logs does not accept', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], logRetentionDays: '30' } });
    const custom = Template.fromStack(new TenantryStack(app, 'ShortLogs'));
    for (const days of retentionByFunction(custom).values()) expect(days).toBe(30);
    const refused = new App({ context: { 'aws:cdk:bundling-stacks': [], logRetentionDays: '31' } });
    expect(() => new TenantryStack(refused, 'OddLogs')).toThrow(/logRetentionDays must be one of/);
  });
});

describe('table backups', () => {
  it('backs the table up daily at 05:00 UTC into a retained, encrypted vault, kept 35 days', () => {
    const template = sharedTemplate();
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.anyValue(),
        BackupPlanRule: [
          Match.objectLike({
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 5 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
          }),
        ],
      },
    });
    const [tableId] = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'));
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] }),
    });
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EncryptionKeyArn: Match.anyValue() }),
    });
    // No copy unless a vault elsewhere is named.
    expect(JSON.stringify(template.findResources('AWS::Backup::BackupPlan'))).not.toContain('CopyActions');
  });

  it('copies each backup to the vault the cdk context names, kept as long, and refuses a retention that is no number of days', () => {
    const vault = 'arn:aws:backup:eu-west-1:210987654321:backup-vault:tenantry-copies';
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], backupCopyVaultArn: vault, backupRetentionDays: '90' },
    });
    Template.fromStack(new TenantryStack(app, 'CopiedBackups')).hasResourceProperties(
      'AWS::Backup::BackupPlan',
      {
        BackupPlan: Match.objectLike({
          BackupPlanRule: [
            Match.objectLike({
              Lifecycle: { DeleteAfterDays: 90 },
              CopyActions: [{ DestinationBackupVaultArn: vault, Lifecycle: { DeleteAfterDays: 90 } }],
            }),
          ],
        }),
      },
    );
    const refused = new App({ context: { 'aws:cdk:bundling-stacks': [], backupRetentionDays: 'forever' } });
    expect(() => new TenantryStack(refused, 'NoBackupDays')).toThrow(/backupRetentionDays/);
  });
});

describe('bulkheads', () => {
  it('throttles each public route below the stage, and the stage for every other route', () => {
    const template = sharedTemplate();
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties as {
      DefaultRouteSettings: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
      RouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    };
    const stageRate = stage.DefaultRouteSettings.ThrottlingRateLimit;
    expect(stageRate).toBeGreaterThan(0);
    const publicRoutes = ROUTES.filter((route) => route.auth === 'public');
    expect(Object.keys(stage.RouteSettings).sort()).toEqual(
      publicRoutes.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const settings of Object.values(stage.RouteSettings)) {
      expect(settings.ThrottlingRateLimit).toBeLessThan(stageRate);
      expect(settings.ThrottlingBurstLimit).toBeLessThanOrEqual(
        stage.DefaultRouteSettings.ThrottlingBurstLimit,
      );
    }
    expect(stage.RouteSettings['POST /v1/tenants/signup']?.ThrottlingRateLimit).toBeLessThanOrEqual(5);
  });

  it('reserves concurrency for the public functions and the jobs, not for the tenants’ other functions', () => {
    const template = sharedTemplate();
    const reserved = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties as { Description?: string; ReservedConcurrentExecutions?: number })
      .filter((fn) => fn.ReservedConcurrentExecutions !== undefined);
    const descriptions = reserved.map((fn) => fn.Description ?? '').join('\n');
    for (const name of ['tenants', 'billing', 'docs'])
      expect(descriptions).toContain(`Tenantry ${name} API.`);
    expect(reserved).toHaveLength(8);
    expect(descriptions).not.toContain('Tenantry agents API.');
    const total = reserved.reduce((sum, fn) => sum + (fn.ReservedConcurrentExecutions ?? 0), 0);
    // An account's default limit is 1,000, of which 100 must stay unreserved.
    expect(total).toBeLessThanOrEqual(900);
  });

  it('reserves nothing when the cdk context turns it off (an account with a small limit)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], reservedConcurrency: 'off' } });
    const functions = Template.fromStack(new TenantryStack(app, 'NoReservations')).findResources(
      'AWS::Lambda::Function',
    );
    expect(JSON.stringify(functions)).not.toContain('ReservedConcurrentExecutions');
  });
});

describe('the console (S3 and CloudFront)', () => {
  let template: Template;
  let distributionId: string;
  let filesBucketId: string;

  beforeAll(() => {
    template = sharedTemplate();
    distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0] ?? '';
    filesBucketId =
      Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('ConsoleFiles')) ??
      '';
  });

  const consoleUrl = () => ({
    'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
  });

  it('keeps the files in a private, encrypted, SSL-only bucket', () => {
    expect(filesBucketId).not.toBe('');
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.anyValue(),
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: filesBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets only its distribution read the bucket, through origin access control', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [
          Match.objectLike({
            OriginAccessControlId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: filesBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: {
              StringEquals: {
                'AWS:SourceArn': Match.objectLike({
                  'Fn::Join': ['', Match.arrayWith([`:distribution/`, { Ref: distributionId }])],
                }),
              },
            },
          }),
        ]),
      },
    });
  });

  it('answers the app for any page path, over HTTPS only, with the security headers', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
    const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const security = JSON.stringify(policy?.Properties);
    for (const part of [
      "frame-ancestors 'none'",
      "script-src 'self'",
      'https://cognito-idp.',
      '.amazonaws.com',
    ])
      expect(security).toContain(part);
    expect(security).toContain('"FrameOption":"DENY"');
    expect(security).toContain('StrictTransportSecurity');
  });

  it('deploys the build with a config.json of the API URL and the pool ids, and refreshes the entry files', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const entry = deployments.find((resource) => JSON.stringify(resource.Properties).includes('config.json'));
    expect(entry?.Properties).toMatchObject({
      DistributionPaths: ['/index.html', '/config.json'],
      DestinationBucketName: { Ref: filesBucketId },
    });
    const markers = JSON.stringify(entry?.Properties.SourceMarkers);
    expect(markers).toMatch(/"Fn::GetAtt":\["ApiHttpApi\w+","ApiEndpoint"\]/);
    expect(markers).toMatch(/"Ref":"AuthUserPool[0-9A-F]+"/);
    expect(markers).toMatch(/"Ref":"AuthUserPoolAppClient\w+"/);
    const assets = deployments.find((resource) => resource !== entry);
    expect(JSON.stringify(assets?.Properties)).toContain('max-age=31536000, immutable');
    expect(assets?.Properties).toMatchObject({ Prune: false });
  });

  it('allows the console origin to call the API, and links emails and Stripe to it', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: Match.arrayWith([consoleUrl()]) }),
    });
    // Every function but the message trigger, whose link comes in the invitation it is given.
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(
        ([id, resource]) =>
          (resource.Properties as { Runtime?: string }).Runtime === 'nodejs22.x' && !/CustomMessage/.test(id),
      )
      .map(([, resource]) => resource);
    const urls = functions.map(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables
          ?.CONSOLE_URL,
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toEqual(consoleUrl());
  });

  it('keeps exports as long as the app says, from one context value', () => {
    const expiryOf = (template: Template) =>
      Object.values(template.findResources('AWS::S3::Bucket'))
        .map((bucket) => JSON.stringify(bucket.Properties))
        .find((properties) => properties.includes('AbortIncompleteMultipartUpload'));
    expect(expiryOf(template)).toContain('"ExpirationInDays":7');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], exportRetentionDays: '14' } });
    const custom = Template.fromStack(new TenantryStack(app, 'LongerExports'));
    expect(expiryOf(custom)).toContain('"ExpirationInDays":14');
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EXPORT_RETENTION_DAYS: '14' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EXPORT_RETENTION_DAYS: '7' }) },
    });
  });

  it('serves tenants by host under a base domain from the cdk context: one wildcard custom domain, its certificate, every function told', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], tenantBaseDomain: 'Tenants.Example.com' },
    });
    const hosts = Template.fromStack(new TenantryStack(app, 'TenantHosts'));
    hosts.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: '*.tenants.example.com',
      ValidationMethod: 'DNS',
    });
    hosts.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: '*.tenants.example.com',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: { Ref: Match.stringLikeRegexp('TenantHostsCertificate') } }),
      ],
    });
    hosts.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: Match.stringLikeRegexp('HttpApi') },
      DomainName: { Ref: Match.stringLikeRegexp('TenantHostsDomain') },
    });
    hosts.hasOutput('TenantHostsTarget', {});
    const functions = Object.entries(hosts.findResources('AWS::Lambda::Function')).filter(
      ([id, fn]) =>
        (fn.Properties as { Runtime?: string }).Runtime === 'nodejs22.x' && !/CustomMessage/.test(id),
    );
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) {
      const env = (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
        .Variables;
      expect(env.TENANT_BASE_DOMAINS, id).toBe('tenants.example.com');
    }
    // Without the context: no custom domain, no base domain (the positive control of the above).
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toContain(
      'TENANT_BASE_DOMAINS',
    );
    // A value that is not a domain name stops the synth.
    for (const bad of ['*.example.com', 'example', 'tenants..example.com', 'https://example.com']) {
      const wrong = new App({ context: { 'aws:cdk:bundling-stacks': [], tenantBaseDomain: bad } });
      expect(() => new TenantryStack(wrong, 'BadHosts'), bad).toThrow(/tenantBaseDomain/);
    }
  });

  it('serves tenants’ verified domains through one multi-tenant CloudFront distribution and connection group', () => {
    // One distribution in tenant-only mode, in front of the HTTP API, caching nothing, passing every
    // header but Host, with the function that passes the host asked for.
    template.resourceCountIs('AWS::CloudFront::ConnectionGroup', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        ConnectionMode: 'tenant-only',
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('HttpApi') }])] },
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
          AllowedMethods: Match.arrayWith(['PATCH', 'POST', 'DELETE']),
          // CachingDisabled and AllViewerExceptHostHeader (CloudFront's managed policies).
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
        }),
      }),
    });
    const [viewerHost] = Object.values(template.findResources('AWS::CloudFront::Function'));
    expect(JSON.stringify(viewerHost)).toContain(
      "request.headers['x-forwarded-host'] = { value: request.headers.host.value }",
    );
    template.hasOutput('CustomDomainsTarget', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ConnectionGroup'), 'RoutingEndpoint'] },
    });
    // Only the domains function and the jobs worker (the hourly domain check) manage distribution
    // tenants, and they are told where: the distribution, the connection group, its endpoint.
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    const told = functions
      .filter(([, fn]) => JSON.stringify(fn).includes('CLOUDFRONT_DISTRIBUTION_ID'))
      .map(([id]) => id);
    expect(told).toHaveLength(2);
    expect(
      told.every((id) => /domains|JobsWorker/.test(id)),
      told.join(),
    ).toBe(true);
    const managing = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy).includes('cloudfront:CreateDistributionTenant'))
      .map(([id]) => id);
    expect(managing).toHaveLength(2);
    expect(
      managing.every((id) => /domains|JobsWorker/.test(id)),
      managing.join(),
    ).toBe(true);
    const [domainsFunction] = functions.filter(([id]) => /domains/.test(id)).map(([, fn]) => fn);
    expect(domainsFunction?.Properties.Environment.Variables).toMatchObject({
      CUSTOM_DOMAIN_SERVING: 'cloudfront',
      CLOUDFRONT_DISTRIBUTION_ID: { Ref: expect.stringMatching(/CustomDomainsDistribution/) },
      CUSTOM_DOMAIN_TARGET: { 'Fn::GetAtt': [expect.stringMatching(/ConnectionGroup/), 'RoutingEndpoint'] },
    });
    // Every API function reads the tenant's host from the header the CDN sets.
    for (const [id, fn] of functions.filter(([, fn]) => JSON.stringify(fn).includes('TABLE_NAME'))) {
      expect(fn.Properties.Environment.Variables.TENANT_FORWARDED_HOST_HEADER, id).toBe('x-forwarded-host');
    }
    // Pending domains are checked hourly, and the job's heartbeat is watched as an hourly one.
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(20 * * * ? *)',
    });
  });

  it('takes a custom console address from the cdk context', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], consoleUrl: 'https://console.example.com' },
    });
    const custom = Template.fromStack(new TenantryStack(app, 'CustomConsole'));
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: Match.arrayWith(['https://console.example.com']) }),
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONSOLE_URL: 'https://console.example.com' }) },
    });
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('passes with every finding fixed or acknowledged with a reason', () => {
    expect(() => sharedTemplate()).not.toThrow();
  });

  it('fails synthesis when a finding is not acknowledged (the check is live)', () => {
    const { app, stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    // A queue without SSL enforcement or a dead-letter queue, acknowledged by nobody.
    new Queue(stack, 'UnreviewedQueue');
    expect(() => app.synth()).toThrow();
  });
});

describe('CloudFormation validation at synth', () => {
  it('fails synthesis on a template CloudFormation would refuse (cdk.json turns its warnings into errors)', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new TenantryStack(app, 'Refused');
    // IAM refuses descriptions outside Latin-1: a typographic apostrophe is enough.
    new Role(stack, 'BadRole', { assumedBy: new AccountRootPrincipal(), description: 'A tenant’s role' });
    expect(() => app.synth()).toThrow(/does not match pattern/);
  });

  it('synthesizes the real stack with the same validation (positive control)', () => {
    expect(() => sharedTemplate()).not.toThrow();
  });
});
