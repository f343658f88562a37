import * as z from 'zod/mini';
import { PASSWORD_POLICY } from '../model/user-pool-definition';

/**
 * Why a new sign-in was made, for the one email that brings its temporary password: an invitation to
 * a tenant, or a tenant made for the address (signup, a platform admin). It travels to Cognito's
 * custom message trigger as the `ClientMetadata` of `AdminCreateUser` (string values only), and is
 * read back there with this schema.
 */
export const welcomeSchema = z.object({
  kind: z.enum(['invitation', 'new-tenant']),
  tenantName: z.string().check(z.minLength(1), z.maxLength(200)),
  tenantSlug: z.string().check(z.minLength(1), z.maxLength(100)),
  /** Where the email's link leads: the tenant's pages in the console, the address filled in. */
  link: z.url(),
  role: z.optional(z.string().check(z.maxLength(40))),
  invitedBy: z.optional(z.string().check(z.maxLength(320))),
  /** The tenant's primary colour (`#rrggbb`, checked for white text when it was set): the email's band. */
  brandColor: z.optional(z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/))),
});
export type Welcome = z.infer<typeof welcomeSchema>;

/** The console's address of a tenant's pages for the person, their address filled in at sign-in. */
export function welcomeLink(consoleUrl: string, tenantId: string, email: string): string {
  const url = new URL(`/t/${encodeURIComponent(tenantId)}`, consoleUrl);
  url.searchParams.set('email', email);
  return url.toString();
}

/** As `AdminCreateUser`'s `ClientMetadata`: a map of strings, absent values left out. */
export function welcomeClientMetadata(welcome: Welcome): Record<string, string> {
  return Object.fromEntries(
    Object.entries(welcome).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** The metadata back as a welcome, or `undefined` when it is not one (then Cognito's own wording). */
export function welcomeFromClientMetadata(metadata: unknown): Welcome | undefined {
  const parsed = z.safeParse(welcomeSchema, metadata);
  return parsed.success ? parsed.data : undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The one email a new person gets: why (the invitation, or the tenant made for them), the link to
 * the console, their email and temporary password. `signIn` holds either the real values (the API
 * sends it itself when it renews a password) or Cognito's placeholders (`{username}`, `{####}`),
 * which Cognito replaces after the trigger answers. `html` is what Cognito sends; `text` what the API
 * sends through SES.
 */
export function welcomeEmail(
  welcome: Welcome,
  signIn: { email: string; username: string; password: string },
): { subject: string; text: string; html: string } {
  const where = `${welcome.tenantName} (${welcome.tenantSlug})`;
  const why =
    welcome.kind === 'invitation'
      ? `${welcome.invitedBy ?? 'Your team'} invited you to ${where}${welcome.role ? ` as ${welcome.role}` : ''}.`
      : `The tenant ${where} was created for you, and you are its owner.`;
  const days = PASSWORD_POLICY.temporaryPasswordValidityDays;
  // People sign in with their email; Cognito's account name is shown too where it differs (Cognito
  // requires its placeholder in the email, and fills it with the account's name).
  const usernameLine = signIn.username === signIn.email ? '' : `\n(Account: ${signIn.username})`;
  const after = `The temporary password works for ${days} days. At your first sign-in you choose your own password.`;
  const subject =
    welcome.kind === 'invitation'
      ? `[${welcome.tenantName}] You are invited to ${welcome.tenantName}`
      : `[${welcome.tenantName}] Your new Tenantry tenant`;
  const text = [
    welcome.tenantName,
    why,
    `Sign in: ${welcome.link}`,
    `Email: ${signIn.email}\nTemporary password: ${signIn.password}${usernameLine}`,
    after,
    `— ${welcome.tenantName}, on Tenantry`,
  ].join('\n\n');
  const band = welcome.brandColor
    ? `<p style="background:${welcome.brandColor};color:#ffffff;padding:12px 16px;border-radius:6px"><strong>${escapeHtml(welcome.tenantName)}</strong></p>`
    : `<p><strong>${escapeHtml(welcome.tenantName)}</strong></p>`;
  const html = [
    band,
    `<p>${escapeHtml(why)}</p>`,
    `<p><a href="${escapeHtml(welcome.link)}">Sign in to the console</a><br>${escapeHtml(welcome.link)}</p>`,
    // The placeholders are replaced by Cognito after this is made: left as they are.
    `<p>Email: ${escapeHtml(signIn.email)}<br>Temporary password: ${signIn.password}${usernameLine.replace('\n', '<br>')}</p>`,
    `<p>${escapeHtml(after)}</p>`,
    `<p>— ${escapeHtml(welcome.tenantName)}, on Tenantry</p>`,
  ].join('\n');
  return { subject, text, html };
}
