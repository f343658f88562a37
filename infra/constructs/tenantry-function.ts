import { CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { functionEntry } from '../../shared/api/function-entries';
import { FUNCTION_TIMEOUT_SECONDS } from '../../shared/http/api-constants';
import { BUNDLE_OPTIONS } from './bundling';
import { DATA_ACTIONS } from './table';
import { logRetentionOf } from './log-retention';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A Lambda function from its entry in `functions/`: nodejs22.x, arm64, minified CJS with source maps and
 * the AWS SDK bundled (the deployed versions are the tested ones), X-Ray, JSON logs kept as long as
 * the stack keeps logs (`logRetentionOf`).
 */
export function tenantryFunction(
  scope: Construct,
  id: string,
  props: {
    entry: Parameters<typeof functionEntry>[0];
    description: string;
    environment: Record<string, string>;
    timeout?: Duration;
    /** Package files the function reads at run time (`package/file`), copied beside its bundle. */
    files?: readonly string[];
  },
): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetentionOf(scope) });
  const fn = new NodejsFunction(scope, `${id}Function`, {
    entry: join(ROOT, functionEntry(props.entry)),
    handler: 'handler',
    projectRoot: ROOT,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    description: props.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: props.timeout ?? Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
    tracing: Tracing.ACTIVE,
    loggingFormat: LoggingFormat.JSON,
    logGroup,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    bundling: {
      format: OutputFormat.CJS,
      minify: BUNDLE_OPTIONS.minify,
      sourceMap: true,
      target: BUNDLE_OPTIONS.target,
      externalModules: [],
      banner: BUNDLE_OPTIONS.banner,
      define: BUNDLE_OPTIONS.define,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      ...(props.files?.length ? { commandHooks: copyFiles(props.files) } : {}),
    },
  });
  acknowledgeLambdaDefaults(fn);
  return fn;
}

/** Copies package files into the bundle's own node_modules, where `require.resolve` finds them. */
function copyFiles(files: readonly string[]) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      files.map((file) => {
        const target = join(outputDir, 'node_modules', file);
        return `mkdir -p "${dirname(target)}" && cp "${join(inputDir, 'node_modules', file)}" "${target}"`;
      }),
  };
}

export function acknowledgeLambdaDefaults(fn: NodejsFunction): void {
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

/**
 * Data access for a function: the item actions the code uses (never Scan, never streams) on the
 * table and its indexes, for the platform paths (tenant resolution, signup, jobs); and the right to
 * assume the tenant data role with a tenant tag, which tenant code paths sign with.
 */
export function grantTable(fn: NodejsFunction, data: { table: TableV2; tenantDataRole: Role }): void {
  const { table } = data;
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: DATA_ACTIONS,
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      resources: [data.tenantDataRole.roleArn],
    }),
  );
  Validations.of(fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement)}.Arn>/index/*]`,
    reason: 'Queries on the table’s own GSIs (gsi1, gsi2); the grant covers this table’s indexes only.',
  });
}
