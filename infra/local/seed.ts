import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { newId } from '../../shared/ids';
import { PLATFORM_ADMIN_GROUP } from '../../shared/model/user-pool-definition';

export interface SeededUser {
  email: string;
  password: string;
  userId: string;
}

export interface SeedResult {
  platformAdmin: SeededUser;
  demoTenant: { id: string; slug: string; owner: SeededUser };
}

export const LOCAL_PASSWORD = 'Tenantry-Local-1!';

export async function setPermanentPassword(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
  password: string,
): Promise<void> {
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
}

/**
 * Creates the platform admin (a Cognito user in the platform-admins group, in no tenant) and a demo
 * tenant with its owner. The tenant goes through the real provisioning service, so the demo data is
 * exactly what a signup would make. Must run after the runtime configuration is in place.
 */
export async function seedLocalData(options: {
  cognitoEndpoint: string;
  region: string;
  userPoolId: string;
}): Promise<SeedResult> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: options.cognitoEndpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const admin: SeededUser = {
    email: 'admin@tenantry.local',
    password: LOCAL_PASSWORD,
    userId: newId('user'),
  };
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: options.userPoolId,
      Username: admin.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: admin.email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:userId', Value: admin.userId },
      ],
    }),
  );
  await setPermanentPassword(cognito, options.userPoolId, admin.email, admin.password);
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: options.userPoolId,
      Username: admin.email,
      GroupName: PLATFORM_ADMIN_GROUP,
    }),
  );

  const { provisionTenant } = await import('../../shared/tenants/tenant-provisioning');
  const ownerEmail = 'owner@demo.tenantry.local';
  const provisioned = await provisionTenant(
    { name: 'Demo Tenant', slug: 'demo', owner: { email: ownerEmail, name: 'Demo Owner' } },
    () => ({
      actor: { type: 'system', id: 'local-seed', tenantId: undefined, isPlatformAdmin: false },
      meta: { requestId: 'local-seed', sourceIp: '127.0.0.1', userAgent: 'tenantry-local' },
    }),
  );
  await setPermanentPassword(cognito, options.userPoolId, ownerEmail, LOCAL_PASSWORD);
  cognito.destroy();
  return {
    platformAdmin: admin,
    demoTenant: {
      id: provisioned.tenant.id,
      slug: provisioned.tenant.slug,
      owner: { email: ownerEmail, password: LOCAL_PASSWORD, userId: provisioned.owner.id },
    },
  };
}
