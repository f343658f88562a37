import { writeAuditedAs } from '../audit/audited-transaction';
import { createHash } from 'node:crypto';
import type { AuditSource } from '../audit/actor';
import { getConfig } from '../config';
import { platformDocumentClient } from '../data/clients';
import { STANDING_PERIOD } from '../data/entities/quota-counter';
import { MembershipEntity } from '../data/entities/membership';
import { SlugClaimEntity } from '../data/entities/slug-claim';
import { ConflictError, ForbiddenError, ValidationError, type AppError } from '../errors';
import type { TransactionEntities, TransactionItem } from '../data/service';
import { newId } from '../ids';
import { ensureDirectoryPerson } from '../identity/directory-person';
import { enableDirectoryUser, findDirectoryUser } from '../identity/user-directory';
import { sendNewTemporaryPassword } from '../identity/temporary-password';
import { welcomeLink, type Welcome } from '../identity/welcome-email';
import { sendEmail, type EmailMessage } from '../notifications/email';
import { logger } from '../observability/logger';
import type { RequestMeta, UserPrincipal } from '../context/tenant-context';
import { consumeFixedWindow } from '../platform/fixed-window-limiter';
import type { PlanId } from '../model/plans';
import { toTenantView, type TenantView } from './tenant-view';

export interface ProvisionTenantInput {
  name: string;
  slug: string;
  plan?: PlanId | undefined;
  owner: { email: string; name?: string | undefined };
  /** Its locale and time zone, from the start. */
  settings?: { defaultLocale?: string | undefined; timezone?: string | undefined } | undefined;
}

/**
 * Where a new tenant goes in a partner's hierarchy: its parent and ancestors (recorded on it), and
 * what the same transaction writes in their partitions (the parent's count, the subtree's records).
 */
export interface TenantPlacement {
  parentId: string;
  /** Root first, the parent last. */
  ancestorIds: string[];
  alsoWrite(
    entities: TransactionEntities,
    tenant: { tenantId: string; name: string; slug: string; plan: PlanId; status: 'active' },
  ): Record<string, TransactionItem>;
  /** What to answer when one of those items' condition failed. */
  rejections: Record<string, () => AppError | Promise<AppError>>;
}

export interface ProvisionedTenant {
  tenant: TenantView;
  owner: { id: string; email: string; role: 'owner'; status: 'invited' | 'active' };
}

/**
 * A person who already has an identity and becomes the owner of a new tenant: active when they are
 * the signed-in caller, invited when signup made it for them.
 */
export interface ExistingOwner {
  userId: string;
  username: string;
  email: string;
  status: 'active' | 'invited';
}

/** What a public signup answers, whoever owns the email: nothing that tells the two apart. */
export interface SignupAccepted {
  status: 'accepted';
  email: string;
  message: string;
}

const config = getConfig();

async function assertSlugFree(slug: string): Promise<void> {
  const existing = await SlugClaimEntity.get({ slug }).go();
  if (existing.data) throw new ConflictError(`The slug ${slug} is taken.`, 'slug_taken');
}

/** The platform listing shard of a tenant: stable, and spread evenly by hashing the id. */
export function platformShardOf(tenantId: string): number {
  const digest = createHash('sha256').update(tenantId).digest();
  return digest.readUInt32BE(0) % config.tenants.platformShards;
}

function trialEnd(now: Date): string {
  return new Date(now.getTime() + config.tenants.trialDays * 86_400_000).toISOString();
}

/** Whether the person belongs to any tenant (memberships are the only grant). */
async function hasMemberships(userId: string): Promise<boolean> {
  const found = await MembershipEntity.query
    .byUser({ userId })
    .go({ client: platformDocumentClient, count: 1 });
  return found.data.length > 0;
}

/** A tenant made for an address, as the email with its owner's temporary password tells it. */
function newTenantWelcome(input: ProvisionTenantInput, tenantId: string): Welcome {
  return {
    kind: 'new-tenant',
    tenantName: input.name,
    tenantSlug: input.slug,
    link: welcomeLink(config.email.consoleUrl, tenantId, input.owner.email),
  };
}

/**
 * The owner of a new tenant who was not named as an existing one: a new person (their sign-in made
 * through the address's claim, so racing requests make it once), or a person with a sign-in and no
 * tenant (one whose earlier signup failed after the sign-in was made). A person who belongs to a
 * tenant is refused (409 `email_taken`): they make tenants from their own account.
 */
async function newOwner(input: ProvisionTenantInput, tenantId: string, now: Date): Promise<ExistingOwner> {
  const person = await ensureDirectoryPerson({
    ...input.owner,
    tenantId,
    now,
    welcome: newTenantWelcome(input, tenantId),
  });
  if (!person.created && (await hasMemberships(person.userId))) {
    throw new ConflictError('A user with this email already exists.', 'email_taken');
  }
  if (!person.enabled) await enableDirectoryUser(person.username);
  return { userId: person.userId, username: person.username, email: input.owner.email, status: 'invited' };
}

/**
 * Creates a tenant and its owner so that a failure leaves nothing half-made:
 * 1. the slug is checked (a cheap early 409);
 * 2. the owner's sign-in is made sure of (409 if the email belongs to a member of a tenant);
 * 3. one transaction puts the slug guard (`attribute_not_exists`), the tenant, the owner's
 *    membership, the audit event and the `users` counter at one.
 * A sign-in made in step 2 stays when step 3 fails: the next signup or invitation for the address
 * uses it, and it grants nothing without a membership.
 */
export async function provisionTenant(
  input: ProvisionTenantInput,
  source: (ids: { tenantId: string; ownerUserId: string }) => AuditSource,
  now: Date = new Date(),
  existingOwner?: ExistingOwner,
  placement?: TenantPlacement,
): Promise<ProvisionedTenant> {
  await assertSlugFree(input.slug);

  const tenantId = newId('tenant', now.getTime());
  const owner = existingOwner ?? (await newOwner(input, tenantId, now));
  const { userId: ownerUserId, username } = owner;
  // A signed-in person who makes a tenant owns it at once; an invited owner once they sign in.
  const ownerStatus = owner.status;

  const timestamp = now.toISOString();
  const tenant = {
    tenantId,
    name: input.name,
    slug: input.slug,
    // No plan named (self-serve): a trial of the trial plan, ending on trialEndsAt.
    plan: input.plan ?? config.tenants.trialPlan,
    status: 'active' as const,
    ...(input.plan === undefined ? { trialEndsAt: trialEnd(now) } : {}),
    ...(placement ? { parentId: placement.parentId, ancestorIds: placement.ancestorIds } : {}),
    activeOwnerCount: ownerStatus === 'active' ? 1 : 0,
    settings: Object.fromEntries(
      Object.entries(input.settings ?? {}).filter(([, value]) => value !== undefined),
    ),
    shard: platformShardOf(tenantId),
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  const membership = {
    tenantId,
    userId: ownerUserId,
    email: input.owner.email,
    name: input.owner.name,
    role: 'owner' as const,
    status: ownerStatus,
    cognitoUsername: username,
  };
  // The tenant's first records and its first audit event, at the signup's time.
  await writeAuditedAs(
    tenantId,
    source({ tenantId, ownerUserId }),
    {
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: tenantId,
      after: { name: tenant.name, slug: tenant.slug, plan: tenant.plan, owner: input.owner.email },
    },
    (entities) => ({
      ...(placement ? placement.alsoWrite(entities, tenant) : {}),
      ...provisioningItems(entities),
    }),
    {
      rejections: {
        slug: () => new ConflictError(`The slug ${input.slug} is taken.`, 'slug_taken'),
        ...(placement?.rejections ?? {}),
      },
      now,
      client: platformDocumentClient,
    },
  );

  return {
    tenant: toTenantView(tenant),
    owner: { id: ownerUserId, email: input.owner.email, role: 'owner', status: ownerStatus },
  };

  function provisioningItems({
    slugClaim,
    tenant: tenants,
    membership: memberships,
    quotaCounter,
    billingOutbox,
  }: TransactionEntities) {
    return {
      slug: slugClaim.create({ slug: input.slug, tenantId }).commit(),
      tenant: tenants.create(tenant).commit(),
      owner: memberships.create(membership).commit(),
      // The owner is the tenant's first user.
      users: quotaCounter
        .create({ tenantId, resource: 'users', period: STANDING_PERIOD, used: 1, updatedAt: timestamp })
        .commit(),
      // Its Stripe customer is made by the billing outbox: Stripe slow or down never fails this.
      billing: billingOutbox
        .create({ kind: 'createCustomer', tenantId, attempts: 0, nextAttemptAt: timestamp })
        .commit(),
    };
  }
}

/** New tenants per source IP and hour, for signup and for a person's own tenants alike. */
function consumeSignupAllowance(meta: RequestMeta): Promise<void> {
  if (config.resolution.singleTenant) {
    throw new ForbiddenError(
      'This deployment serves one tenant: new tenants cannot be signed up.',
      'single_tenant_mode',
    );
  }
  return consumeFixedWindow({
    scope: `SIGNUP#IP#${meta.sourceIp}`,
    resource: 'signup',
    limit: config.tenants.signupLimitPerIpPerHour,
    windowSeconds: 3600,
  });
}

/**
 * A signed-in person makes a tenant of their own (a member of one tenant may own another): free plan
 * with a trial, limited per source IP like signup, owned by them at once, audited as them.
 */
export async function createOwnTenant(
  principal: UserPrincipal,
  meta: RequestMeta,
  input: { name: string; slug: string; settings?: ProvisionTenantInput['settings'] },
): Promise<ProvisionedTenant> {
  if (!principal.email) throw new ValidationError('The token carries no email address.', [], 'invalid_user');
  const identity = await findDirectoryUser(principal.email);
  if (!identity || identity.userId !== principal.userId) {
    throw new ValidationError('The signed-in identity could not be found.', [], 'invalid_user');
  }
  await consumeSignupAllowance(meta);
  return provisionTenant(
    { ...input, owner: { email: principal.email } },
    ({ tenantId }) => ({
      actor: { type: 'user', id: principal.userId, tenantId, isPlatformAdmin: false },
      meta,
    }),
    meta.receivedAt ?? new Date(),
    { userId: principal.userId, username: identity.username, email: principal.email, status: 'active' },
  );
}

const ACCEPTED_MESSAGE =
  'Check this address’s inbox: the next step is in an email (for a new account, the temporary password to sign in with).';

async function notify(message: EmailMessage): Promise<void> {
  // A failed email must not change the answer (that would tell known addresses apart); it is logged.
  await sendEmail(message).catch((error: unknown) =>
    logger.error('Could not send a signup email', { error, subject: message.subject }),
  );
}

/**
 * Self-service signup: free plan with a trial, limited per source IP, audited as the new owner. The
 * answer is the same `202` whether or not the email is known, so signup reveals no account:
 * - an unknown email: the tenant and its owner are created (Cognito emails the temporary password);
 * - a person who belongs to a tenant: nothing is created, and they get an email saying so, with how
 *   to create the tenant from their account (`POST /v1/me/tenants`);
 * - a person with a sign-in and no tenant (none left, or an earlier signup that failed half-way):
 *   the tenant is created with them as its invited owner, sign-in is enabled again, and they get an
 *   email saying so (or, never having signed in, their temporary password again).
 * A taken slug is a `409` in every case (slugs are public), checked before anything else.
 */
export async function signUpTenant(
  meta: RequestMeta,
  input: Omit<ProvisionTenantInput, 'plan'>,
): Promise<SignupAccepted> {
  await consumeSignupAllowance(meta);
  const email = input.owner.email;
  await assertSlugFree(input.slug);
  const known = await findDirectoryUser(email);
  const audited = ({ tenantId, ownerUserId }: { tenantId: string; ownerUserId: string }) => ({
    actor: { type: 'user' as const, id: ownerUserId, tenantId, isPlatformAdmin: false },
    meta,
  });
  const where = `"${input.name}" (${input.slug})`;
  const created = await provisionTenant(input, audited, meta.receivedAt ?? new Date()).catch(
    (error: unknown) => {
      // The address belongs to a member of a tenant: answered like any other, by email.
      if (error instanceof ConflictError && error.code === 'email_taken') return null;
      throw error;
    },
  );
  if (!created) {
    await notify({
      to: email,
      subject: 'Your Tenantry sign-up',
      text: `Someone, probably you, asked to sign up the tenant ${where} with this address. You already have a Tenantry account, so nothing was created.\n\nTo create the tenant, sign in at ${config.email.consoleUrl} and create it from your account (POST /v1/me/tenants). If this was not you, ignore this email: nothing changes.`,
    });
  } else if (known?.neverSignedIn) {
    const welcome = newTenantWelcome(input, created.tenant.id);
    await sendNewTemporaryPassword({ username: known.username, email }, welcome).catch((error: unknown) =>
      logger.error('Could not send a new temporary password at signup', { error }),
    );
  } else if (known) {
    await notify({
      to: email,
      subject: 'Your new Tenantry tenant',
      text: `The tenant ${where} was created for this address, and you are its owner. Your account, which had no tenant left, can sign in again: sign in at ${config.email.consoleUrl} with your existing password.`,
    });
  }
  // Otherwise a new person: Cognito emailed their temporary password.
  return { status: 'accepted', email, message: ACCEPTED_MESSAGE };
}
