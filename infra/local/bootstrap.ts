import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  AddCustomAttributesCommand,
  UpdateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { TABLE_DEFINITION } from '../../shared/data/table-definition';
import { SSO_GROUPS_ATTRIBUTE } from '../../shared/model/sso';
import {
  PASSWORD_POLICY,
  PLATFORM_ADMIN_GROUP,
  USER_POOL_CUSTOM_ATTRIBUTES,
} from '../../shared/model/user-pool-definition';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Creates the one table from the shared definition, unless it exists. */
export async function ensureTable(endpoint: string, region: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  const def = TABLE_DEFINITION;
  const attributes = new Set<string>([def.partitionKey, def.sortKey]);
  for (const index of def.globalSecondaryIndexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: def.partitionKey, KeyType: 'HASH' },
        { AttributeName: def.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
    }),
  );
  client.destroy();
}

/**
 * MFA as the CDK pool has it (infra/constructs/auth.ts): optional, by authenticator app, so a
 * person who enrolled one is asked for its code at every sign-in. (cognito-local's pools are
 * created with MFA off: without this the twin never asked.)
 */
async function configureMfa(client: CognitoIdentityProviderClient, userPoolId: string): Promise<void> {
  await client.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
}

export interface LocalUserPool {
  userPoolId: string;
  clientId: string;
}

/** Creates the user pool, its app client and the platform-admins group, unless `existing` still exists. */
export async function ensureUserPool(
  endpoint: string,
  region: string,
  existing?: LocalUserPool,
): Promise<LocalUserPool> {
  const client = new CognitoIdentityProviderClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    if (existing) {
      let found = false;
      try {
        await client.send(new DescribeUserPoolCommand({ UserPoolId: existing.userPoolId }));
        found = true;
      } catch {
        // The pool is gone (data removed): create a new one below.
      }
      if (found) {
        // Pools made before MFA was configured here get it too, and the SSO groups attribute.
        await configureMfa(client, existing.userPoolId);
        await addSsoGroupsAttribute(client, existing.userPoolId);
        return existing;
      }
    }
    const pool = await client.send(
      new CreateUserPoolCommand({
        PoolName: 'tenantry-local',
        UsernameAttributes: ['email'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: PASSWORD_POLICY.minLength,
            RequireLowercase: PASSWORD_POLICY.requireLowercase,
            RequireUppercase: PASSWORD_POLICY.requireUppercase,
            RequireNumbers: PASSWORD_POLICY.requireDigits,
            RequireSymbols: PASSWORD_POLICY.requireSymbols,
            TemporaryPasswordValidityDays: PASSWORD_POLICY.temporaryPasswordValidityDays,
          },
        },
        Schema: [
          ...USER_POOL_CUSTOM_ATTRIBUTES.map((name) => ({
            Name: name,
            AttributeDataType: 'String' as const,
            Mutable: false,
          })),
          { Name: SSO_GROUPS_ATTRIBUTE, AttributeDataType: 'String', Mutable: true },
        ],
      }),
    );
    const userPoolId = pool.UserPool?.Id;
    if (!userPoolId) throw new Error('cognito-local returned no user pool id');
    await configureMfa(client, userPoolId);
    const appClient = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'tenantry-local',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = appClient.UserPoolClient?.ClientId;
    if (!clientId) throw new Error('cognito-local returned no app client id');
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: PLATFORM_ADMIN_GROUP }));
    return { userPoolId, clientId };
  } finally {
    client.destroy();
  }
}

/** A pool made before SSO gets the attribute a tenant's provider fills (as the CDK pool has it). */
async function addSsoGroupsAttribute(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<void> {
  const pool = await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
  const names = (pool.UserPool?.SchemaAttributes ?? []).map((attribute) => attribute.Name);
  if (names.includes(`custom:${SSO_GROUPS_ATTRIBUTE}`) || names.includes(SSO_GROUPS_ATTRIBUTE)) return;
  await client.send(
    new AddCustomAttributesCommand({
      UserPoolId: userPoolId,
      CustomAttributes: [{ Name: SSO_GROUPS_ATTRIBUTE, AttributeDataType: 'String', Mutable: true }],
    }),
  );
}

/**
 * The app client's hosted sign-in, as the CDK client has it: the authorization-code flow back to the
 * console's `/sso/callback` (the console's address changes with the twin's port, so it is set at each
 * start). The identity providers it offers are left as they are: tenants' owners add them.
 */
export async function configureHostedSignIn(
  endpoint: string,
  region: string,
  pool: LocalUserPool,
  consoleUrls: string[],
): Promise<void> {
  const client = new CognitoIdentityProviderClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: pool.userPoolId,
        ClientId: pool.clientId,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: consoleUrls.map((url) => `${url.replace(/\/+$/, '')}/sso/callback`),
        LogoutURLs: consoleUrls,
      }),
    );
  } finally {
    client.destroy();
  }
}
