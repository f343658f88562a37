import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  CfnUserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { SSO_GROUPS_ATTRIBUTE } from '../../shared/model/sso';
import {
  PASSWORD_POLICY,
  PLATFORM_ADMIN_GROUP,
  REFRESH_TOKEN_DAYS,
  USER_POOL_CUSTOM_ATTRIBUTES,
} from '../../shared/model/user-pool-definition';

export interface TenantryAuthProps {
  /** Where people come back to after signing in through their tenant's identity provider. */
  consoleUrl: string;
  /** The hosted domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); default `tenantry-<account>`. */
  domainPrefix?: string;
}

/**
 * The user pool: email sign-in, strong passwords, optional MFA (TOTP; tenants may require it), the
 * immutable custom attributes `tenantId` and `userId` that only the API writes, the `ssoGroups`
 * attribute a tenant's identity provider fills at each sign-in, the platform-admins group, a hosted
 * domain for federated sign-in, and one public app client that can read but never write those
 * attributes. Tenants' identity providers are added to the client at run time by the sso function.
 */
export class TenantryAuth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: TenantryAuthProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        ...Object.fromEntries(
          USER_POOL_CUSTOM_ATTRIBUTES.map((name) => [
            name,
            new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
          ]),
        ),
        // Filled by a tenant's identity provider at each sign-in (its role claim or groups).
        [SSO_GROUPS_ATTRIBUTE]: new StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }),
      },
      passwordPolicy: {
        minLength: PASSWORD_POLICY.minLength,
        requireLowercase: PASSWORD_POLICY.requireLowercase,
        requireUppercase: PASSWORD_POLICY.requireUppercase,
        requireDigits: PASSWORD_POLICY.requireDigits,
        requireSymbols: PASSWORD_POLICY.requireSymbols,
        tempPasswordValidity: Duration.days(PASSWORD_POLICY.temporaryPasswordValidityDays),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional at pool level: tenants that require it enforce it through their settings (mfaRequired).',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (Plus feature plan) is a cost decision left to the operator; strong passwords and optional TOTP are set.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason: 'The Plus feature plan is a cost decision left to the operator (same reason as COG3).',
      },
    );

    const standardRead = new ClientAttributes().withStandardAttributes({
      email: true,
      emailVerified: true,
      fullname: true,
    });
    this.client = this.userPool.addClient('AppClient', {
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(REFRESH_TOKEN_DAYS),
      readAttributes: standardRead.withCustomAttributes(...USER_POOL_CUSTOM_ATTRIBUTES),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
      // Federated sign-in: the console sends people to the hosted domain's /oauth2/authorize with
      // their tenant's provider and PKCE, and takes the code back at /sso/callback. The providers are
      // added by the sso function (a template change to this client resets them: see docs/operations.md).
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.consoleUrl.replace(/\/+$/, '')}/sso/callback`],
        logoutUrls: [props.consoleUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
    });
    this.domain = this.userPool.addDomain('HostedDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix || `tenantry-${Stack.of(this).account}` },
    });

    new CfnUserPoolGroup(this, 'PlatformAdminsGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: PLATFORM_ADMIN_GROUP,
      description: 'Platform operators: may act on any tenant; every such act is audited.',
    });
  }
}
