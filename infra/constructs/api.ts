import { CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { ROUTES } from '../../functions/routes';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../shared/http/api-constants';
import type { FunctionName } from '../../shared/http/route';

const ROOT = join(import.meta.dirname, '..', '..');

/** Which Cognito admin actions each function needs; none for the rest. */
const COGNITO_ACTIONS: Partial<Record<FunctionName, string[]>> = {
  tenants: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser'],
  users: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminDisableUser'],
};

export interface TenantryApiProps {
  table: TableV2;
  userPool: UserPool;
  client: UserPoolClient;
}

/**
 * The HTTP API, built from the route manifest: one NodejsFunction per domain (nodejs22.x, arm64,
 * minified CJS bundles with source maps), the Lambda authorizer (simple responses, cached per
 * Authorization header), access logs, and least-privilege grants per function.
 */
export class TenantryApi extends Construct {
  readonly httpApi: HttpApi;
  readonly functions: Record<string, NodejsFunction> = {};

  constructor(scope: Construct, id: string, props: TenantryApiProps) {
    super(scope, id);
    const environment = {
      TABLE_NAME: props.table.tableName,
      COGNITO_USER_POOL_ID: props.userPool.userPoolId,
      COGNITO_CLIENT_ID: props.client.userPoolClientId,
      LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const makeFunction = (name: string, description: string) => {
      const logGroup = new LogGroup(this, `${name}Logs`, { retention: RetentionDays.ONE_MONTH });
      return new NodejsFunction(this, `${name}Function`, {
        entry: join(ROOT, 'functions', name, 'handler.ts'),
        handler: 'handler',
        projectRoot: ROOT,
        depsLockFilePath: join(ROOT, 'package-lock.json'),
        description,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(10),
        tracing: Tracing.ACTIVE,
        loggingFormat: LoggingFormat.JSON,
        logGroup,
        environment,
        // The SDK is bundled, not taken from the runtime: the deployed versions are the tested ones.
        bundling: {
          format: OutputFormat.CJS,
          minify: true,
          sourceMap: true,
          target: 'node22',
          externalModules: [],
        },
      });
    };

    const authorizerFunction = makeFunction('authorizer', 'Verifies Cognito ID tokens for the HTTP API.');
    const authorizer = new HttpLambdaAuthorizer('CognitoAuthorizer', authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
    });

    this.httpApi = new HttpApi(this, 'HttpApi', { description: 'Tenantry API', createDefaultStage: true });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
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
    stage.defaultRouteSettings = { throttlingBurstLimit: 500, throttlingRateLimit: 1000 };

    const functionNames = [...new Set(ROUTES.map((route) => route.function))];
    for (const name of functionNames) {
      const fn = makeFunction(name, `Tenantry ${name} API.`);
      this.functions[name] = fn;
      props.table.grantReadWriteData(fn);
      const actions = COGNITO_ACTIONS[name];
      if (actions) {
        fn.addToRolePolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [props.userPool.userPoolArn] }),
        );
      }
      const integration = new HttpLambdaIntegration(`${name}Integration`, fn);
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
              reason: `${route.id} is public by design (self-service signup), limited per source IP in the function.`,
            });
          }
        }
      }
      acknowledgeLambdaDefaults(fn);
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnElement)}.Arn>/index/*]`,
        reason: 'Queries on the table’s own GSIs (gsi1, gsi2); the grant covers this table’s indexes only.',
      });
    }
    acknowledgeLambdaDefaults(authorizerFunction);
  }
}

function acknowledgeLambdaDefaults(fn: NodejsFunction): void {
  Validations.of(fn).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only grants writing the function’s own logs.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and PutTelemetryRecords support no resource-level scoping.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is the runtime the project targets and tests; upgrades are deliberate.',
    },
  );
}
