import { traced } from '../observability/tracer';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { getConfig } from '../config';
import { sdkLogger } from '../observability/sdk-logger';

const config = getConfig();

/** One STS client per process, made only where a tenant role is configured (AWS). */
let sts: STSClient | undefined;

/**
 * The credentials a tenant's data client signs with. In AWS (a tenant role configured) they come
 * from STS AssumeRole with the tenant id as a session tag, so the role's `dynamodb:LeadingKeys`
 * condition lets them touch that tenant's partition only; the SDK refreshes them before they
 * expire. Without a role (the twin, tests) the process's own credentials are used: undefined.
 */
export function tenantCredentials(tenantId: string): AwsCredentialIdentityProvider | undefined {
  const roleArn = config.tenantRoleArn;
  if (!roleArn) return undefined;
  return async function assumeTenantRole(): Promise<AwsCredentialIdentity> {
    sts ??= traced(new STSClient({ region: config.region, logger: sdkLogger as never }));
    const { Credentials: credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: `tenant-${tenantId}`.slice(0, 64),
        DurationSeconds: 3600,
        Tags: [{ Key: 'tenantId', Value: tenantId }],
      }),
    );
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error('STS returned no credentials for the tenant role');
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    };
  };
}
