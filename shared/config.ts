import * as z from 'zod';
import { PLATFORM_ADMIN_GROUP } from './identity/user-pool-definition';

/**
 * The one place that reads `process.env`. Everything else asks {@link getConfig}, so a missing or
 * malformed setting fails at cold start with a message naming it, not deep inside a request.
 */
const configSchema = z
  .object({
    TABLE_NAME: z.string().min(1).default('tenantry'),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    /** Set only for the local twin (DynamoDB Local); unset in AWS. */
    DYNAMODB_ENDPOINT: z.url().optional(),
    /** Set only for the local twin (cognito-local); unset in AWS. */
    COGNITO_ENDPOINT: z.url().optional(),
    COGNITO_USER_POOL_ID: z.string().min(1).default('unset'),
    COGNITO_CLIENT_ID: z.string().min(1).default('unset'),
    /** Defaults to Cognito's issuer for the pool; cognito-local is configured to issue the same form. */
    COGNITO_ISSUER: z.url().optional(),
    /** Defaults to `${issuer}/.well-known/jwks.json`. */
    COGNITO_JWKS_URI: z.url().optional(),
    PLATFORM_ADMIN_GROUP: z.string().min(1).default(PLATFORM_ADMIN_GROUP),
    TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    MEMBERSHIP_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(16_384),
    TRIAL_DAYS: z.coerce.number().int().min(0).max(365).default(14),
    SIGNUP_LIMIT_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(5),
    PLATFORM_TENANT_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
    /** EventBridge bus for domain events; unset (the local default) keeps events in the table only. */
    EVENT_BUS_NAME: z.string().min(1).optional(),
    /** SQS queue for per-tenant job messages; unset locally, where the worker runs in-process. */
    JOBS_QUEUE_URL: z.url().optional(),
    QUOTA_THRESHOLDS: z
      .string()
      .default('80,90,95')
      .transform((value) => value.split(',').map((part) => Number(part.trim())))
      .pipe(z.array(z.number().int().min(1).max(100)).min(1)),
    /** Seals pagination cursors (AES-256-GCM key derived from it); rotating it ends open cursors. */
    CURSOR_SECRET: z.string().min(32, 'CURSOR_SECRET must be at least 32 characters'),
    IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(1).max(168).default(24),
    LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  })
  .transform((env) => {
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
      },
      cache: { tenantTtlMs: env.TENANT_CACHE_TTL_MS, membershipTtlMs: env.MEMBERSHIP_CACHE_TTL_MS },
      http: { maxBodyBytes: env.MAX_BODY_BYTES },
      tenants: {
        trialDays: env.TRIAL_DAYS,
        signupLimitPerIpPerHour: env.SIGNUP_LIMIT_PER_IP_PER_HOUR,
        platformShards: env.PLATFORM_TENANT_SHARDS,
      },
      quotas: { thresholds: [...new Set(env.QUOTA_THRESHOLDS)].sort((a, b) => a - b) },
      events: { busName: env.EVENT_BUS_NAME },
      jobs: { queueUrl: env.JOBS_QUEUE_URL },
      idempotency: { ttlSeconds: env.IDEMPOTENCY_TTL_HOURS * 3600 },
      cursors: { secret: env.CURSOR_SECRET },
      logLevel: env.LOG_LEVEL,
    };
  });

export type Config = z.output<typeof configSchema>;

let cached: Config | undefined;

/** Parses the environment once per process and returns the same object afterwards. */
export function getConfig(): Config {
  if (!cached) {
    const parsed = configSchema.safeParse(process.env);
    if (!parsed.success) {
      throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
    }
    cached = parsed.data;
  }
  return cached;
}
