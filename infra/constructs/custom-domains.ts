import { Aws, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  CachePolicy,
  CfnConnectionGroup,
  CfnDistribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  OriginRequestPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

/** The header the CDN sets to the host a caller asked for (the API sees its own host). */
export const FORWARDED_HOST_HEADER = 'x-forwarded-host';

/**
 * Tenants' own domains, served over TLS: one multi-tenant CloudFront distribution (connection mode
 * `tenant-only`) in front of the HTTP API, and one connection group whose routing endpoint is the
 * CNAME target every verified domain points at. Each verified domain becomes a distribution tenant
 * with a CloudFront-managed certificate, made at run time by the domains function through the
 * CloudFront API (shared/custom-domains/domain-serving.ts). One distribution and one target serve any
 * number of domains: API Gateway allows about 120 custom domains per region and ACM 2,500
 * certificates per account by default, both far below 10,000 tenants (docs/operations.md).
 *
 * A CloudFront Function copies the host the caller asked for into `x-forwarded-host` (overwriting
 * whatever the caller sent), and the origin request carries every header but Host, which must be
 * the API's own. The API reads the tenant's host from that header (TENANT_FORWARDED_HOST_HEADER).
 */
export class CustomDomains extends Construct {
  readonly distribution: CfnDistribution;
  readonly connectionGroup: CfnConnectionGroup;
  /** What the functions that resolve tenants and manage domains are told. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: { httpApi: HttpApi }) {
    super(scope, id);
    const stack = Stack.of(this);
    const viewerHost = new CloudFrontFunction(this, 'ViewerHost', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Passes the host a tenant’s domain was asked at to the API (x-forwarded-host).',
      code: FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          `  request.headers['${FORWARDED_HOST_HEADER}'] = { value: request.headers.host.value };`,
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });
    this.distribution = new CfnDistribution(this, 'Distribution', {
      distributionConfig: {
        enabled: true,
        comment: 'Tenantry: tenants’ custom domains, one distribution tenant per domain.',
        connectionMode: 'tenant-only',
        httpVersion: 'http2and3',
        origins: [
          {
            id: 'api',
            domainName: `${props.httpApi.apiId}.execute-api.${stack.region}.${Aws.URL_SUFFIX}`,
            customOriginConfig: {
              originProtocolPolicy: 'https-only',
              originSslProtocols: ['TLSv1.2'],
            },
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: 'api',
          // An API: never a redirect (a POST does not survive one), never a cached answer.
          viewerProtocolPolicy: 'https-only',
          allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          cachedMethods: ['GET', 'HEAD'],
          cachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
          originRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
          compress: true,
          functionAssociations: [
            { eventType: FunctionEventType.VIEWER_REQUEST, functionArn: viewerHost.functionArn },
          ],
        },
        viewerCertificate: { cloudFrontDefaultCertificate: true },
      },
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Tenants’ domains serve every country the API serves.' },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The API behind it is throttled per route and rate-limited per tenant; a web ACL can be attached per distribution tenant where a tenant needs one.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Every request it passes on is in the API’s access log (with the host asked for) and the per-request cost line; nothing is cached here.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution has no domain of its own; each tenant’s domain gets a CloudFront-managed certificate, served with CloudFront’s TLS 1.2 security policy for SNI.',
      },
    );
    this.connectionGroup = new CfnConnectionGroup(this, 'ConnectionGroup', {
      name: `${stack.stackName}-custom-domains`,
      enabled: true,
      ipv6Enabled: true,
    });
    this.environment = {
      CUSTOM_DOMAIN_SERVING: 'cloudfront',
      CLOUDFRONT_DISTRIBUTION_ID: this.distribution.ref,
      CLOUDFRONT_CONNECTION_GROUP_ID: this.connectionGroup.attrId,
      CUSTOM_DOMAIN_TARGET: this.connectionGroup.attrRoutingEndpoint,
    };
    new CfnOutput(stack, 'CustomDomainsTarget', {
      value: this.connectionGroup.attrRoutingEndpoint,
      description: 'The CNAME target of every tenant’s verified custom domain.',
    });
  }

  /**
   * Lets a function make, read, disable and delete the distribution tenants of this distribution,
   * with their managed certificates, and tells it where they live.
   */
  grantManage(fn: NodejsFunction): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
    const partition = Aws.PARTITION;
    const account = Stack.of(this).account;
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [
          'cloudfront:CreateDistributionTenant',
          'cloudfront:GetDistributionTenant',
          'cloudfront:UpdateDistributionTenant',
          'cloudfront:DeleteDistributionTenant',
          'cloudfront:GetManagedCertificateDetails',
          'cloudfront:TagResource',
        ],
        resources: [
          `arn:${partition}:cloudfront::${account}:distribution/${this.distribution.ref}`,
          `arn:${partition}:cloudfront::${account}:distribution-tenant/*`,
          `arn:${partition}:cloudfront::${account}:connection-group/${this.connectionGroup.attrId}`,
        ],
      }),
    );
    // CloudFront requests the managed certificate from ACM (us-east-1) as the caller.
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['acm:RequestCertificate', 'acm:DescribeCertificate'],
        resources: ['*'],
      }),
    );
    Validations.of(fn).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution-tenant/*]',
        reason:
          'Distribution tenants are made at run time, one per verified domain, with ids CloudFront assigns.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ACM certificates CloudFront requests for a tenant’s domain have no ARN before they exist.',
      },
    );
  }
}
