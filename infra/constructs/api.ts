import { Duration, Validations } from 'aws-cdk-lib';
import {
  CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { logRetentionOf } from './log-retention';
import { throttleStage } from './bulkheads';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { DOCS_PACKAGE_FILES } from '../../shared/api/docs/assets';
import { ROUTES } from '../../shared/api/manifest';
import { API_KEY_LOOKUP_KEY_PREFIX, MFA_EVIDENCE_KEY_PREFIX } from '../../shared/data/table-definition';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../shared/http/api-constants';
import { CORS_POLICY } from '../../shared/http/cors';
import type { FunctionName } from '../../shared/http/route';
import type { TenantryTable } from './table';
import { grantTable, tenantryFunction } from './tenantry-function';

/** Which Cognito admin actions each function needs; none for the rest. */
const COGNITO_ACTIONS: Partial<Record<FunctionName, string[]>> = {
  // Signup and invitations make a person's sign-in once and never delete one; a new temporary
  // password for a person who has never signed in is set by the API and emailed by it.
  tenants: [
    'cognito-idp:AdminCreateUser',
    'cognito-idp:AdminEnableUser',
    'cognito-idp:AdminGetUser',
    'cognito-idp:AdminSetUserPassword',
  ],
  // …and a person signing out everywhere has their refresh tokens revoked.
  users: [
    'cognito-idp:AdminCreateUser',
    'cognito-idp:AdminDisableUser',
    'cognito-idp:AdminEnableUser',
    'cognito-idp:AdminGetUser',
    'cognito-idp:AdminSetUserPassword',
    'cognito-idp:AdminUserGlobalSignOut',
  ],
  // Platform-admin power is a group claim and a record: granting by email adds the group,
  // revoking takes it away. Nothing else of the pool.
  platform: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup'],
  // A tenant's identity provider is a Cognito identity provider offered by the app client; the
  // client is read whole and written whole (UpdateUserPoolClient resets what it is not sent).
  sso: [
    'cognito-idp:CreateIdentityProvider',
    'cognito-idp:UpdateIdentityProvider',
    'cognito-idp:DeleteIdentityProvider',
    'cognito-idp:DescribeIdentityProvider',
    'cognito-idp:DescribeUserPoolClient',
    'cognito-idp:UpdateUserPoolClient',
    // Directory sync (SCIM): a provisioned person's sign-in is looked up; a deactivated one's
    // sessions through the tenant's provider end; a deprovisioned one's last membership disables it.
    'cognito-idp:AdminGetUser',
    'cognito-idp:AdminDisableUser',
    'cognito-idp:AdminUserGlobalSignOut',
  ],
};

export interface TenantryApiProps {
  data: TenantryTable;
  userPool: UserPool;
  client: UserPoolClient;
  /** Runtime settings every function gets (table, pool, event bus). */
  environment: Record<string, string>;
  /** Origins browsers may call the API from (CORS); API Gateway answers their preflights. */
  corsAllowedOrigins: string[];
}

/**
 * The HTTP API, built from the route manifest: one NodejsFunction per domain (nodejs22.x, arm64,
 * minified CJS bundles with source maps), the Lambda authorizer (simple responses, cached per
 * Authorization header), access logs, and least-privilege grants per function.
 */
export class TenantryApi extends Construct {
  readonly httpApi: HttpApi;
  readonly functions: Record<string, NodejsFunction> = {};
  /** The Lambda authorizer every non-public route goes through. */
  readonly authorizer: NodejsFunction;

  constructor(scope: Construct, id: string, props: TenantryApiProps) {
    super(scope, id);
    const makeFunction = (name: FunctionName | 'authorizer', description: string) =>
      tenantryFunction(this, name, {
        entry: name,
        description,
        environment: props.environment,
        ...(name === 'docs' ? { files: DOCS_PACKAGE_FILES } : {}),
      });

    const authorizerFunction = makeFunction(
      'authorizer',
      'Verifies Cognito ID tokens and tenant API keys for the HTTP API.',
    );
    this.authorizer = authorizerFunction;
    // It reads whether the caller has MFA enrolled, for tenants that require it, and an API key's
    // lookup item by the hash of its secret: GetItem on `APIKEY#…` partition keys; and it keeps
    // when it last saw a person without MFA: GetItem and UpdateItem on `MFA#…`. Nothing else.
    authorizerFunction.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['cognito-idp:AdminGetUser'],
        resources: [props.userPool.userPoolArn],
      }),
    );
    authorizerFunction.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem'],
        resources: [props.data.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${API_KEY_LOOKUP_KEY_PREFIX}*`] },
        },
      }),
    );
    authorizerFunction.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.data.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${MFA_EVIDENCE_KEY_PREFIX}*`] },
        },
      }),
    );
    const authorizer = new HttpLambdaAuthorizer('CognitoAuthorizer', authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Tenantry API',
      createDefaultStage: true,
      ...(props.corsAllowedOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: props.corsAllowedOrigins,
              allowMethods: CORS_POLICY.allowMethods.map((method) => CorsHttpMethod[method]),
              allowHeaders: [...CORS_POLICY.allowHeaders],
              exposeHeaders: [...CORS_POLICY.exposeHeaders],
              maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
            },
          }
        : {}),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetentionOf(this) });
    const stage = this.httpApi.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        tenantId: '$context.authorizer.tenantId',
        userId: '$context.authorizer.userId',
      }),
    };
    throttleStage(stage);

    const functionNames = [...new Set(ROUTES.map((route) => route.function))];
    for (const name of functionNames) {
      const fn = makeFunction(name, `Tenantry ${name} API.`);
      this.functions[name] = fn;
      // The documentation function reads no data.
      if (name !== 'docs') grantTable(fn, props.data);
      const actions = COGNITO_ACTIONS[name];
      if (actions) {
        fn.addToRolePolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [props.userPool.userPoolArn] }),
        );
      }
      // One invoke permission per function, for this API's routes (`<api>/*/*/*`), not one per route:
      // a function serves only its own routes (its router answers 404 to any other), and a
      // permission per route cost the stack ~90 of CloudFormation's 500 resources.
      const integration = new HttpLambdaIntegration(`${name}Integration`, fn, {
        scopePermissionToRoute: false,
      });
      for (const route of ROUTES.filter((r) => r.function === name)) {
        const routes = this.httpApi.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          authorizer: route.auth === 'public' ? new HttpNoneAuthorizer() : authorizer,
        });
        if (route.auth === 'public') {
          for (const r of routes) {
            Validations.of(r).acknowledge({
              id: 'AwsSolutions-APIG4',
              reason: `${route.id} is public by design (signup, limited per source IP; the plans; Stripe's webhook, verified by its signature; or documentation).`,
            });
          }
        }
      }
      if (name === 'docs') {
        // Whatever matches no route lands on the docs function, which answers a problem+json 404/405.
        const fallback = new HttpRoute(this, 'DefaultRoute', {
          httpApi: this.httpApi,
          routeKey: HttpRouteKey.DEFAULT,
          integration,
          authorizer: new HttpNoneAuthorizer(),
        });
        Validations.of(fallback).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'The $default route only answers 404/405 problems for paths and methods no route has.',
        });
      }
    }
  }
}
