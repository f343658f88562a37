import type { TenantContext } from '../context/tenant-context';
import type { MembershipItem } from '../data/entities/membership';
import { signOutEverywhere } from '../identity/user-directory';
import { logger } from '../observability/logger';
import { ssoProviderName } from '../model/sso';

/**
 * Ends the sessions in the tenant of a person its directory deactivated or deprovisioned:
 * - the API refuses their requests to the tenant at once: every request reads the membership
 *   (cached seconds per process), which is disabled or gone;
 * - their sign-in through the tenant's provider, a Cognito user of that provider alone, is signed
 *   out everywhere (its refresh tokens revoked), and the sign-in trigger refuses to mint it more.
 * A password sign-in the person uses for other tenants is left alone: those tenants keep them.
 */
export async function endDirectorySessions(ctx: TenantContext, member: MembershipItem): Promise<void> {
  if (!member.cognitoUsername) return;
  // The tenant's provider's users are `<provider>_<subject>`, the provider named by the tenant's id.
  if (!member.cognitoUsername.startsWith(`${ssoProviderName(ctx.tenantId)}_`)) return;
  await signOutEverywhere(member.cognitoUsername).catch((error: unknown) =>
    // The membership is what ended (committed); the revocation is the second wall, logged if it failed.
    logger.error('A deactivated person’s provider sign-in could not be signed out', {
      userId: member.userId,
      error,
    }),
  );
}
