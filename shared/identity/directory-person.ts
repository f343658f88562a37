import { isConditionalFailure } from '../data/dynamo-errors';
import { EmailClaimEntity, type EmailClaimItem } from '../data/entities/email-claim';
import { ConflictError } from '../errors';
import { newId } from '../ids';
import { logger } from '../observability/logger';
import type { Welcome } from './welcome-email';
import { createDirectoryUser, findDirectoryUser, type DirectoryUser } from './user-directory';

/** A person as the directory knows them, made sure of by {@link ensureDirectoryPerson}. */
export interface DirectoryPerson {
  userId: string;
  username: string;
  enabled: boolean;
  /** Still on the temporary password Cognito emailed: their invitation is their first. */
  neverSignedIn: boolean;
  /** Whether this call made the sign-in (Cognito emailed its temporary password). */
  created: boolean;
}

/** The one spelling of an address that keys a person: Cognito's user names are case-insensitive. */
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The address's claim, made with a new `usr_` id unless another request made it first; with the
 * sign-in this call found on its way (`undefined` when it did not look: the claim was there).
 */
async function claimEmail(
  email: string,
  now: Date,
  preferredUserId?: string,
): Promise<{ claim: Pick<EmailClaimItem, 'email' | 'userId'>; signIn?: DirectoryUser | null }> {
  const stored = await EmailClaimEntity.get({ email }).go({ consistent: true });
  if (stored.data) return { claim: stored.data };
  // A person from before claims existed keeps their id: the claim records the sign-in they have.
  const known = await findDirectoryUser(email);
  const claim = { email, userId: known?.userId ?? preferredUserId ?? newId('user', now.getTime()) };
  try {
    await EmailClaimEntity.create(claim).go({ response: 'none' });
    return { claim, signIn: known };
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
  const winner = await EmailClaimEntity.get({ email }).go({ consistent: true });
  if (!winner.data)
    throw new ConflictError('The address changed meanwhile; retry.', 'concurrent_modification');
  return { claim: winner.data };
}

/**
 * The person an address names, claimed now if it names none yet, and their password sign-in if they
 * have one (`null`): for a person the tenant's directory provisions (SCIM), who signs in through the
 * tenant's provider and gets no password from here.
 */
export async function claimPerson(
  email: string,
  now: Date,
): Promise<{ userId: string; signIn: DirectoryUser | null }> {
  const normalized = normalizedEmail(email);
  const { claim, signIn } = await claimEmail(normalized, now);
  return {
    userId: claim.userId,
    signIn: signIn === undefined ? await findDirectoryUser(normalized) : signIn,
  };
}

/**
 * Records the address of a sign-in made outside the API (the twin's seeded platform admin), so that
 * it names its person as every other does. Nothing changes when it is recorded already.
 */
export async function claimDirectoryEmail(email: string, userId: string): Promise<void> {
  await claimEmail(normalizedEmail(email), new Date(), userId);
}

/**
 * Makes sure the person with this email exists in the directory, once, however many requests ask
 * at the same time: the address is claimed first (one item per normalized email, put with
 * `attribute_not_exists`), so every racing request agrees on one `usr_` id, and whichever gets to
 * Cognito first creates the sign-in with it; the others find it. Nothing here deletes a sign-in:
 * a membership that a concurrent request acknowledged may name it. A sign-in whose request then
 * failed is reused by the next invitation or signup for the address.
 */
export async function ensureDirectoryPerson(input: {
  email: string;
  name?: string | undefined;
  tenantId: string;
  now: Date;
  /** The id a new claim takes (a membership that already names the person); a new one if not given. */
  userId?: string;
  /** Why, for the email a new sign-in brings (its temporary password with the invitation). */
  welcome: Welcome;
}): Promise<DirectoryPerson> {
  const email = normalizedEmail(input.email);
  const { claim, signIn } = await claimEmail(email, input.now, input.userId);
  // Looked up already when this call made the claim (a new address: one directory read, not two).
  const existing = signIn === undefined ? await findDirectoryUser(email) : signIn;
  if (existing) {
    if (existing.userId !== claim.userId) {
      // The sign-in's id is what tokens carry, so it wins; only data from before claims can differ.
      logger.warn('An email claim names another user id than its sign-in', { claimed: claim.userId });
    }
    return { ...existing, created: false };
  }
  try {
    const { username } = await createDirectoryUser({
      email,
      name: input.name,
      // The sign-in's default tenant: whichever racing request's tenant reached Cognito first.
      tenantId: input.tenantId,
      userId: claim.userId,
      welcome: input.welcome,
    });
    return { userId: claim.userId, username, enabled: true, neverSignedIn: true, created: true };
  } catch (error) {
    if (!(error instanceof ConflictError && error.code === 'email_taken')) throw error;
  }
  // Another request for the same claim created it a moment ago.
  const made = await findDirectoryUser(email);
  if (!made) throw new ConflictError('The address changed meanwhile; retry.', 'concurrent_modification');
  return { ...made, created: false };
}
