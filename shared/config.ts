import * as z from 'zod/mini';
import { PLATFORM_ADMIN_GROUP } from './model/user-pool-definition';
import { PLAN_IDS } from './model/plans';
import { RESOLUTION_STRATEGIES } from './model/resolution-strategies';

/** The request body limit the functions enforce unless configured otherwise (MAX_BODY_BYTES). */
export const DEFAULT_MAX_BODY_BYTES = 16_384;

/**
 * The one place that reads `process.env`. Everything else asks {@link getConfig}, so a missing or
 * malformed setting fails at cold start with a message naming it, not deep inside a request.
 */
/** A whole number from the environment, between `min` and `max`, `fallback` when unset. */
function wholeNumber(min: number, max: number, fallback: number) {
  return z._default(
    z.coerce.number().check(z.gte(min), z.lte(max), z.refine(Number.isInteger, 'must be a whole number')),
    fallback,
  );
}

const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);
/** A comma-separated list, each entry trimmed (and made a bare lower-case name where `names`). */
const list = (fallback: string, names = false) =>
  z.pipe(
    z._default(z.string(), fallback),
    z.transform((value: string) =>
      value
        .split(',')
        .map((part) =>
          names
            ? part
                .trim()
                .toLowerCase()
                .replace(/^\.|\.$/g, '')
            : part.trim(),
        )
        .filter(Boolean),
    ),
  );

const configSchema = z.pipe(
  z.object({
    TABLE_NAME: text('tenantry'),
    AWS_REGION: text('us-east-1'),
    /** Set only for the local twin (DynamoDB Local); unset in AWS. */
    DYNAMODB_ENDPOINT: z.optional(z.url()),
    /** Set only for the local twin (cognito-local); unset in AWS. */
    COGNITO_ENDPOINT: z.optional(z.url()),
    COGNITO_USER_POOL_ID: text('unset'),
    COGNITO_CLIENT_ID: text('unset'),
    /**
     * The user pool's hosted domain (`https://<prefix>.auth.<region>.amazoncognito.com`, or its custom
     * domain): where federated sign-in starts and identity providers answer. The twin: cognito-local.
     */
    COGNITO_DOMAIN_URL: z.optional(z.url()),
    /** Defaults to Cognito's issuer for the pool; cognito-local is configured to issue the same form. */
    COGNITO_ISSUER: z.optional(z.url()),
    /** Defaults to `${issuer}/.well-known/jwks.json`. */
    COGNITO_JWKS_URI: z.optional(z.url()),
    PLATFORM_ADMIN_GROUP: text(PLATFORM_ADMIN_GROUP),
    /** Set only for the local twin (the SES stand-in); unset in AWS. */
    SES_ENDPOINT: z.optional(z.url()),
    /** The sender of the emails the API sends (an SES-verified identity in AWS). */
    EMAIL_FROM: text('Tenantry <no-reply@tenantry.local>'),
    /** Stripe's secret key (AWS: from the stack's Stripe secret); unset: billing answers 503. */
    STRIPE_SECRET_KEY: z.optional(z.string().check(z.minLength(1))),
    /** Verifies webhook signatures (`whsec_…`). */
    STRIPE_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(1))),
    /** Set only for the local twin (the Stripe stand-in); unset in AWS. */
    STRIPE_API_URL: z.optional(z.url()),
    /** Days a tenant whose payment failed keeps working before it is suspended (`payment_overdue`). */
    BILLING_GRACE_DAYS: wholeNumber(0, 60, 7),
    /** Where people sign in (named in emails). */
    CONSOLE_URL: z._default(z.url(), 'http://127.0.0.1:5173'),
    TENANT_CACHE_TTL_MS: wholeNumber(0, 60_000, 5_000),
    MEMBERSHIP_CACHE_TTL_MS: wholeNumber(0, 60_000, 5_000),
    MAX_BODY_BYTES: wholeNumber(1_024, 1_048_576, DEFAULT_MAX_BODY_BYTES),
    TRIAL_DAYS: wholeNumber(0, 365, 14),
    /** Days a deleted tenant's data is kept (and the tenant can be restored) before it is purged. */
    TENANT_DELETION_RETENTION_DAYS: wholeNumber(0, 365, 30),
    /** The plan a self-serve tenant tries during its trial. */
    TRIAL_PLAN: z._default(z.enum(PLAN_IDS), 'starter'),
    /** The plan a tenant drops to when its trial ends with no plan bought. */
    TRIAL_END_PLAN: z._default(z.enum(PLAN_IDS), 'free'),
    SIGNUP_LIMIT_PER_IP_PER_HOUR: wholeNumber(1, Number.MAX_SAFE_INTEGER, 5),
    PLATFORM_TENANT_SHARDS: wholeNumber(1, 64, 4),
    /** EventBridge bus for domain events; unset (the local default) keeps events in the table only. */
    EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
    /** SQS queue for per-tenant job messages; unset locally, where the worker runs in-process. */
    JOBS_QUEUE_URL: z.optional(z.url()),
    QUOTA_THRESHOLDS: z.pipe(
      z.pipe(
        text('80,90,95'),
        z.transform((value: string) => value.split(',').map((part) => Number(part.trim()))),
      ),
      z
        .array(z.number().check(z.gte(1), z.lte(100), z.refine(Number.isInteger, 'must be a whole number')))
        .check(z.minLength(1)),
    ),
    /** Seals pagination cursors (AES-256-GCM key derived from it); rotating it ends open cursors. */
    CURSOR_SECRET: z.string().check(z.minLength(32, 'CURSOR_SECRET must be at least 32 characters')),
    /**
     * The role tenant data clients assume with a `tenantId` session tag (AWS); unset in the twin,
     * where the process's own credentials are used.
     */
    TENANT_ROLE_ARN: z.optional(z.string().check(z.minLength(1))),
    /** The KMS key that wraps the data keys of secret settings (AWS). */
    SECRETS_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
    /** The local stand-in for that key (the twin, tests): secret settings are wrapped with a key derived from it. */
    LOCAL_SECRETS_KEY: z.optional(z.string().check(z.minLength(32))),
    /** The S3 bucket tenant exports are written to (AWS); unset in the twin. */
    EXPORTS_BUCKET: z.optional(z.string().check(z.minLength(3))),
    /** The twin's stand-in for it: a local directory, served at EXPORTS_LOCAL_URL with signed links. */
    EXPORTS_LOCAL_DIR: z.optional(z.string().check(z.minLength(1))),
    EXPORTS_LOCAL_URL: z.optional(z.url()),
    /** Signs the twin's download links (as S3 presigns its own). */
    EXPORTS_LOCAL_SECRET: z.optional(z.string().check(z.minLength(32))),
    /** How long an export's download link works. */
    EXPORT_LINK_TTL_SECONDS: wholeNumber(60, 3_600, 900),
    /** How long an export's file and record are kept. */
    EXPORT_RETENTION_DAYS: wholeNumber(1, 30, 7),
    /** The SQS queue of webhook deliveries (AWS); unset in the twin, which delivers in-process. */
    WEBHOOKS_QUEUE_URL: z.optional(z.url()),
    /** The twin only: webhook endpoints on loopback addresses (and plain http there) are allowed. */
    WEBHOOKS_ALLOW_LOOPBACK: z._default(z.enum(['true', 'false']), 'false'),
    /** Seconds before each retry of a failed delivery; one retry per entry. */
    WEBHOOK_RETRY_DELAYS_SECONDS: z.pipe(
      z.pipe(
        text('30,120,600,900,900'),
        z.transform((value: string) => value.split(',').map((part) => Number(part.trim()))),
      ),
      z.array(z.number().check(z.gte(0), z.lte(900))).check(z.minLength(0)),
    ),
    /** Failed deliveries in a row after which an endpoint is disabled (and its owners told). */
    WEBHOOK_DISABLE_AFTER_FAILURES: wholeNumber(1, 1_000, 15),
    IDEMPOTENCY_TTL_HOURS: wholeNumber(1, 168, 24),
    /** Which tenant resolution strategies apply, in order (shared/tenancy/tenant-resolution.ts). */
    TENANT_RESOLUTION: z.pipe(
      z.pipe(
        text(RESOLUTION_STRATEGIES.join(',')),
        z.transform((value: string) => value.split(',').map((part) => part.trim())),
      ),
      z.array(z.enum(RESOLUTION_STRATEGIES)).check(z.minLength(1)),
    ),
    /** The header that names a tenant (the `header` strategy). */
    TENANT_HEADER: z.pipe(
      text('x-tenant-id'),
      z.transform((value: string) => value.toLowerCase()),
    ),
    /** The query parameter that names a tenant; unset turns the `query` strategy off. */
    TENANT_QUERY_PARAMETER: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/))),
    /** Base domains whose subdomains name tenants by slug (`acme.<base>`), comma-separated. */
    TENANT_BASE_DOMAINS: list('', true),
    /** A header the deployment's CDN sets to the host the caller asked for (CloudFront in AWS); unset: none. */
    TENANT_FORWARDED_HOST_HEADER: z.optional(
      z.pipe(
        z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/)),
        z.transform((value: string) => value.toLowerCase()),
      ),
    ),
    /**
     * Single-tenant mode: every request acts on DEFAULT_TENANT_ID (which it then requires), new
     * tenants cannot be signed up, and the console has no tenant switcher.
     */
    SINGLE_TENANT: z._default(z.enum(['true', 'false']), 'false'),
    /** The deployment's default tenant (the `default` strategy); unset: none. */
    DEFAULT_TENANT_ID: z.optional(z.string().check(z.regex(/^ten_[0-9A-HJKMNP-TV-Z]{26}$/))),
    /** The DNS servers the domain verifier asks (`host` or `host:port`, comma-separated); unset: the system's. */
    DNS_SERVERS: list(''),
    /** How long the verifier waits for one DNS answer. */
    DNS_TIMEOUT_MS: wholeNumber(100, 4_000, 2_000),
    /** What a custom domain's CNAME points at (in AWS the CloudFront connection group's endpoint). */
    CUSTOM_DOMAIN_TARGET: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
    /** What serves a verified domain: CloudFront distribution tenants, the twin's gateway, or nothing yet. */
    CUSTOM_DOMAIN_SERVING: z._default(z.enum(['cloudfront', 'local', 'none']), 'none'),
    CLOUDFRONT_DISTRIBUTION_ID: z.optional(z.string().check(z.minLength(1))),
    CLOUDFRONT_CONNECTION_GROUP_ID: z.optional(z.string().check(z.minLength(1))),
    /** Certificate authorities a domain's CAA records must allow (those of ACM, which CloudFront uses). */
    CUSTOM_DOMAIN_CAS: list('amazon.com,amazontrust.com,awstrust.com,amazonaws.com', true),
    /** Days a domain whose record is gone stays at risk (still served) before it is suspended. */
    CUSTOM_DOMAIN_SUSPEND_AFTER_DAYS: wholeNumber(1, 90, 3),
    /** Days from the record's disappearance until a suspended domain is released. */
    CUSTOM_DOMAIN_RELEASE_AFTER_DAYS: wholeNumber(2, 365, 14),
    /** Domains of the platform itself (the console's, the API's), never claimable, comma-separated. */
    PLATFORM_DOMAINS: list('', true),
    /** How long an instance remembers which tenant a host names (warm lookups read nothing). */
    TENANT_HOST_CACHE_TTL_MS: wholeNumber(0, 3_600_000, 60_000),
    /** The largest block of API calls an instance leases for a hot tenant (1: a write per request). */
    METERING_MAX_BLOCK: wholeNumber(1, 1_000, 100),
    /** How long an invitation may wait to be accepted. */
    INVITATION_TTL_DAYS: wholeNumber(1, 90, 7),
    LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
    /** The API functions' log groups (comma-separated, AWS): the operator figures job queries their cost lines. */
    REQUEST_LOG_GROUPS: list(''),
    /** The twin's stand-in: a directory of cost lines, one file per hour (unset in AWS). */
    LOCAL_REQUEST_LOG_DIR: z.optional(z.string().check(z.minLength(1))),
  }),
  z.transform((env, ctx) => {
    if (env.SINGLE_TENANT === 'true' && env.DEFAULT_TENANT_ID === undefined) {
      ctx.issues.push({
        code: 'custom',
        message: 'SINGLE_TENANT=true needs DEFAULT_TENANT_ID, the one tenant',
        path: ['DEFAULT_TENANT_ID'],
        input: env.DEFAULT_TENANT_ID,
      });
    }
    const issuer =
      env.COGNITO_ISSUER ?? `https://cognito-idp.${env.AWS_REGION}.amazonaws.com/${env.COGNITO_USER_POOL_ID}`;
    return {
      tableName: env.TABLE_NAME,
      region: env.AWS_REGION,
      dynamoDbEndpoint: env.DYNAMODB_ENDPOINT,
      cognito: {
        endpoint: env.COGNITO_ENDPOINT,
        userPoolId: env.COGNITO_USER_POOL_ID,
        clientId: env.COGNITO_CLIENT_ID,
        issuer,
        jwksUri: env.COGNITO_JWKS_URI ?? `${issuer}/.well-known/jwks.json`,
        platformAdminGroup: env.PLATFORM_ADMIN_GROUP,
        domainUrl: (env.COGNITO_DOMAIN_URL ?? env.COGNITO_ENDPOINT ?? 'https://auth.invalid').replace(
          /\/+$/,
          '',
        ),
      },
      cache: {
        tenantTtlMs: env.TENANT_CACHE_TTL_MS,
        membershipTtlMs: env.MEMBERSHIP_CACHE_TTL_MS,
        hostTtlMs: env.TENANT_HOST_CACHE_TTL_MS,
      },
      resolution: {
        order: [...new Set(env.TENANT_RESOLUTION)],
        header: env.TENANT_HEADER,
        queryParameter: env.TENANT_QUERY_PARAMETER,
        baseDomains: env.TENANT_BASE_DOMAINS,
        defaultTenantId: env.DEFAULT_TENANT_ID,
        singleTenant: env.SINGLE_TENANT === 'true',
        platformDomains: env.PLATFORM_DOMAINS,
        forwardedHostHeader: env.TENANT_FORWARDED_HOST_HEADER,
      },
      customDomains: {
        dnsServers: env.DNS_SERVERS,
        dnsTimeoutMs: env.DNS_TIMEOUT_MS,
        target: env.CUSTOM_DOMAIN_TARGET?.toLowerCase().replace(/\.$/, ''),
        serving: env.CUSTOM_DOMAIN_SERVING,
        cloudFront: {
          distributionId: env.CLOUDFRONT_DISTRIBUTION_ID,
          connectionGroupId: env.CLOUDFRONT_CONNECTION_GROUP_ID,
        },
        certificateAuthorities: env.CUSTOM_DOMAIN_CAS,
        suspendAfterDays: env.CUSTOM_DOMAIN_SUSPEND_AFTER_DAYS,
        releaseAfterDays: env.CUSTOM_DOMAIN_RELEASE_AFTER_DAYS,
        platformDomains: env.PLATFORM_DOMAINS,
      },
      http: { maxBodyBytes: env.MAX_BODY_BYTES },
      tenants: {
        trialDays: env.TRIAL_DAYS,
        trialPlan: env.TRIAL_PLAN,
        trialEndPlan: env.TRIAL_END_PLAN,
        signupLimitPerIpPerHour: env.SIGNUP_LIMIT_PER_IP_PER_HOUR,
        platformShards: env.PLATFORM_TENANT_SHARDS,
        deletionRetentionDays: env.TENANT_DELETION_RETENTION_DAYS,
      },
      quotas: { thresholds: [...new Set(env.QUOTA_THRESHOLDS)].sort((a, b) => a - b) },
      events: { busName: env.EVENT_BUS_NAME },
      email: { endpoint: env.SES_ENDPOINT, from: env.EMAIL_FROM, consoleUrl: env.CONSOLE_URL },
      stripe: {
        secretKey: env.STRIPE_SECRET_KEY,
        webhookSecret: env.STRIPE_WEBHOOK_SECRET,
        apiUrl: env.STRIPE_API_URL,
        graceDays: env.BILLING_GRACE_DAYS,
      },
      jobs: { queueUrl: env.JOBS_QUEUE_URL },
      idempotency: { ttlSeconds: env.IDEMPOTENCY_TTL_HOURS * 3600 },
      webhooks: {
        queueUrl: env.WEBHOOKS_QUEUE_URL,
        allowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK === 'true',
        retryDelaysSeconds: env.WEBHOOK_RETRY_DELAYS_SECONDS,
        disableAfterFailures: env.WEBHOOK_DISABLE_AFTER_FAILURES,
      },
      exports: {
        bucket: env.EXPORTS_BUCKET,
        localDir: env.EXPORTS_LOCAL_DIR,
        localUrl: env.EXPORTS_LOCAL_URL,
        localSecret: env.EXPORTS_LOCAL_SECRET,
        linkTtlSeconds: env.EXPORT_LINK_TTL_SECONDS,
        retentionDays: env.EXPORT_RETENTION_DAYS,
      },
      metering: { maxBlock: env.METERING_MAX_BLOCK },
      cursors: { secret: env.CURSOR_SECRET },
      secrets: { kmsKeyId: env.SECRETS_KMS_KEY_ID, localKey: env.LOCAL_SECRETS_KEY },
      tenantRoleArn: env.TENANT_ROLE_ARN,
      invitations: { ttlDays: env.INVITATION_TTL_DAYS },
      logLevel: env.LOG_LEVEL,
      operations: {
        requestLog: { logGroups: env.REQUEST_LOG_GROUPS, localDir: env.LOCAL_REQUEST_LOG_DIR },
      },
    };
  }),
);

export type Config = z.output<typeof configSchema>;

let cached: Config | undefined;

/** Parses the environment once per process and returns the same object afterwards. */
export function getConfig(): Config {
  if (!cached) {
    const parsed = z.safeParse(configSchema, process.env);
    if (!parsed.success) {
      throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/**
 * Whether Powertools Tracer will trace in this process, by its own test (`Tracer.setTracingEnabled`):
 * a Lambda execution environment, not the Amplify mock or SAM local, tracing not turned off.
 */
export function tracerWillTrace(env: NodeJS.ProcessEnv = process.env): boolean {
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return (
    executionEnv !== '' &&
    executionEnv !== 'AWS_Lambda_amplify-mock' &&
    (env.AWS_SAM_LOCAL ?? '') === '' &&
    (env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false'
  );
}

/**
 * Where Tracer traces nothing, the X-Ray SDK is to load in manual mode (`AWS_XRAY_MANUAL_MODE`, read
 * by the SDK as it loads): see `observability/xray-mode.ts`. An explicit setting is kept.
 */
export function chooseXrayMode(): void {
  if (!tracerWillTrace()) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
}
