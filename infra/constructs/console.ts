import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  AssetHashType,
  CfnElement,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy, type ConsoleRuntimeConfig } from '../../shared/http/console-policy';

const ROOT = join(import.meta.dirname, '..', '..');
const WEB_DIR = join(ROOT, 'web');

/** The values of the console's `/config.json` (shared/http/console-policy.ts), resolved at deploy. */
export interface ConsoleRuntimeSettings {
  apiUrl: string;
  region: string;
  userPoolId: string;
  clientId: string;
}

/**
 * The console's built files, made by Vite when the stack is synthesised (`cdk synth` builds it on
 * this machine, offline; the container image is only CDK's fallback where local bundling fails).
 */
function consoleBuild(): ISource {
  return Source.asset(WEB_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    exclude: ['dist', 'node_modules'],
    bundling: {
      image: DockerImage.fromRegistry('node:22-slim'),
      command: ['sh', '-c', 'echo "Build the console on the host: npm run web:build" && exit 1'],
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(
            process.execPath,
            [
              join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
              'build',
              '--config',
              join(WEB_DIR, 'vite.config.ts'),
              '--outDir',
              outputDir,
              '--emptyOutDir',
              '--logLevel',
              'warn',
            ],
            {
              cwd: ROOT,
              stdio: ['ignore', 'ignore', 'inherit'],
              env: { ...process.env, NODE_ENV: 'production' },
            },
          );
          return true;
        },
      },
    },
  });
}

/**
 * The console: a private S3 bucket behind CloudFront, read only by the distribution (origin access
 * control). Any path that is not a file answers `index.html` (the app routes it). Hashed assets are
 * cached for a year; `index.html` and `config.json` are revalidated, so a deploy shows at once. The
 * response headers carry the console's security policy: scripts and styles from itself only, calls
 * to the API and Cognito only, no framing.
 */
export class TenantryConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the origin the API allows (CORS) and emails link to. */
  readonly url: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The console’s built files only, readable by the distribution alone; CloudFront logs the reads.',
    });
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Tenantry console: content security policy and hardening headers.',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: consoleContentSecurityPolicy([
            `https://*.execute-api.${region}.amazonaws.com`,
            `https://cognito-idp.${region}.amazonaws.com`,
            // The user pool's hosted domain, where a single sign-on's code is exchanged for tokens.
            `https://*.auth.${region}.amazoncognito.com`,
          ]),
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself.',
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tenantry console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'console/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        compress: true,
        responseHeadersPolicy: headers,
      },
      // The bucket answers 403 for a key it does not have: a page path of the app.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The console serves every country the API serves; the API decides who may sign in.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Static files only: every call that acts goes to the API, which is throttled and authorised.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution’s own domain uses CloudFront’s default certificate, whose TLS policy is fixed; a custom domain brings its certificate and a TLS 1.2 minimum.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Deploys the built console and its `config.json` (the API's URL and the user pool's ids, resolved
   * at deploy time), and invalidates the two entry files so the new version shows at once.
   */
  deploy(settings: ConsoleRuntimeSettings): void {
    const build = consoleBuild();
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [build],
      destinationBucket: this.bucket,
      exclude: ['index.html'],
      // Old hashed files stay for tabs still open on the previous version.
      prune: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      memoryLimit: 512,
    });
    const entry = new BucketDeployment(this, 'DeployEntry', {
      sources: [
        build,
        Source.jsonData('config.json', {
          apiUrl: settings.apiUrl,
          cognito: { region: settings.region, userPoolId: settings.userPoolId, clientId: settings.clientId },
        } satisfies ConsoleRuntimeConfig),
      ],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });
    // The entry page names the assets: they are in place first.
    entry.node.addDependency(assets);
    // CDK's own deployment function (one per stack, beside this construct): what it is granted is
    // CDK's choice, scoped to the assets bucket, this bucket and this distribution's invalidations.
    const stack = Stack.of(this);
    const deployer = stack.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (deployer)
      Validations.of(deployer).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'CDK’s bucket-deployment function writes its own logs only.',
        },
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: 'CDK’s bucket-deployment grant: read the staged build, write the console bucket.',
        })),
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'CloudFront invalidations name no resource: the function invalidates the console’s entry files.',
        },
        {
          id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
          reason: 'The console bucket’s objects are the built files it deploys.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
          reason: 'The CDK assets bucket, where the build is staged.',
        },
        { id: 'AwsSolutions-L1', reason: 'CDK pins the runtime of its bucket-deployment function.' },
      );
  }
}
