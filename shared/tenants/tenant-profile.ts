import { imageSize } from 'image-size';
import { writeAudited } from '../audit/audited-transaction';
import { getConfig } from '../config';
import { requestTime, type TenantContext } from '../context/tenant-context';
import { hostLookups, loadTenant } from '../data/cached-records';
import { platformDocumentClient } from '../data/clients';
import { TenantLogoEntity, type TenantLogoItem } from '../data/entities/tenant-logo';
import type { TenantItem } from '../data/entities/tenant';
import type { TransactionItem } from '../data/service';
import { NotFoundError, ValidationError } from '../errors';
import { requestHost, tenantOfHost } from '../tenancy/tenant-resolution';
import { mutateTenant, readTenant } from './tenant-mutation';

/**
 * What a tenant says of itself: the name people see, how to reach it (contact and billing email,
 * phone, company), its locale and time zone, and its branding (a primary colour and a logo), shown on
 * the console's sign-in at the tenant's host and in its emails. The billing email and the name go to
 * the tenant's Stripe customer through the billing outbox, in the same write.
 */
export interface TenantProfileView {
  displayName: string;
  contactEmail: string | null;
  billingEmail: string | null;
  phone: string | null;
  company: string | null;
  primaryColor: string | null;
  locale: string | null;
  timeZone: string | null;
  logo: LogoView | null;
}

export interface LogoView {
  contentType: TenantLogoItem['contentType'];
  bytes: number;
  width: number;
  height: number;
  /** `data:<type>;base64,…`, for an `<img src>`. */
  dataUrl: string;
  updatedAt: string;
}

/** The profile's own fields; `null` clears one. */
export interface ProfileInput {
  displayName?: string | null | undefined;
  contactEmail?: string | null | undefined;
  billingEmail?: string | null | undefined;
  phone?: string | null | undefined;
  company?: string | null | undefined;
  primaryColor?: string | null | undefined;
}

const PROFILE_FIELDS = [
  'displayName',
  'contactEmail',
  'billingEmail',
  'phone',
  'company',
  'primaryColor',
] as const;

/** The largest logo, decoded; and the largest and smallest side in pixels. */
export const MAX_LOGO_BYTES = 64 * 1024;
const MAX_LOGO_SIDE = 1024;
const MIN_LOGO_SIDE = 16;
const IMAGE_TYPES: Record<TenantLogoItem['contentType'], string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/** WCAG's relative luminance of an sRGB colour `#rrggbb`. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((index) => parseInt(hex.slice(index, index + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast of white text on the colour (the console's buttons and email headers are so painted). */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

function logoView(item: TenantLogoItem): LogoView {
  return {
    contentType: item.contentType,
    bytes: item.bytes,
    width: item.width,
    height: item.height,
    dataUrl: `data:${item.contentType};base64,${item.data}`,
    updatedAt: item.updatedAt,
  };
}

function profileView(tenant: TenantItem, logo: TenantLogoItem | null): TenantProfileView {
  const profile = tenant.profile ?? {};
  return {
    displayName: profile.displayName ?? tenant.name,
    contactEmail: profile.contactEmail ?? null,
    billingEmail: profile.billingEmail ?? null,
    phone: profile.phone ?? null,
    company: profile.company ?? null,
    primaryColor: profile.primaryColor ?? null,
    locale: tenant.settings?.defaultLocale ?? null,
    timeZone: tenant.settings?.timezone ?? null,
    logo: logo ? logoView(logo) : null,
  };
}

async function readLogo(
  tenantId: string,
  client?: typeof platformDocumentClient,
): Promise<TenantLogoItem | null> {
  return (await TenantLogoEntity.get({ tenantId }).go({ consistent: true, ...(client ? { client } : {}) }))
    .data;
}

export async function getProfile(ctx: TenantContext): Promise<TenantProfileView> {
  const [tenant, logo] = await Promise.all([readTenant(ctx), readLogo(ctx.tenantId)]);
  return profileView(tenant, logo);
}

/**
 * Changes the profile's fields (`null` clears one). A primary colour must carry white text legibly
 * (WCAG AA, 4.5:1), as the console's buttons and the emails' headers do. When the billing email or
 * the name people see changes and the tenant has its Stripe customer, the customer is updated through
 * the billing outbox, queued in the same transaction. Audited with the fields that moved.
 */
export async function updateProfile(ctx: TenantContext, input: ProfileInput): Promise<TenantProfileView> {
  if (input.primaryColor) {
    const contrast = contrastWithWhite(input.primaryColor);
    if (contrast < 4.5) {
      throw new ValidationError(
        `White text on ${input.primaryColor} has a contrast of ${contrast.toFixed(2)}:1; choose a darker colour (at least 4.5:1).`,
        [{ path: 'primaryColor', message: 'too light for white text (WCAG AA needs 4.5:1)' }],
      );
    }
  }
  const now = requestTime(ctx);
  await mutateTenant(
    ctx,
    'tenant.profile_updated',
    (current) => {
      const profile: Record<string, string> = { ...(current.profile ?? {}) };
      for (const field of PROFILE_FIELDS) {
        const value = input[field];
        if (value === null) delete profile[field];
        else if (value !== undefined) profile[field] = value;
      }
      return { profile };
    },
    (entities, current, next) => {
      const items: Record<string, TransactionItem> = {};
      const billingChanged =
        current.profile?.billingEmail !== next.profile?.billingEmail ||
        current.profile?.displayName !== next.profile?.displayName;
      if (billingChanged && current.stripeCustomerId) {
        items.stripe = entities.billingOutbox
          .put({
            kind: 'updateCustomer',
            tenantId: ctx.tenantId,
            attempts: 0,
            nextAttemptAt: now.toISOString(),
          })
          .commit();
      }
      return items;
    },
  );
  return getProfile(ctx);
}

/** Checks an uploaded logo: its bytes are the image type it claims, of a size a page can show. */
function checkedLogo(contentType: TenantLogoItem['contentType'], data: string) {
  const refuse = (message: string): never => {
    throw new ValidationError(
      `The logo was refused: ${message}.`,
      [{ path: 'data', message }],
      'logo_invalid',
    );
  };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) refuse('it is not base64');
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_LOGO_BYTES)
    refuse(`it is ${bytes.length} bytes; a logo has at most ${MAX_LOGO_BYTES}`);
  let size: { width?: number; height?: number; type?: string };
  try {
    size = imageSize(bytes);
  } catch {
    return refuse('it is not an image (PNG, JPEG or WebP)');
  }
  if (size.type !== IMAGE_TYPES[contentType]) {
    refuse(`it is ${size.type ? `a ${size.type.toUpperCase()} image` : 'not an image'}, not ${contentType}`);
  }
  const { width = 0, height = 0 } = size;
  if (Math.max(width, height) > MAX_LOGO_SIDE || Math.min(width, height) < MIN_LOGO_SIDE) {
    refuse(`it is ${width}×${height} pixels; each side must be from ${MIN_LOGO_SIDE} to ${MAX_LOGO_SIDE}`);
  }
  return { bytes: bytes.length, width, height, data: bytes.toString('base64') };
}

/** Sets the tenant's logo (replacing one). Audited with its type, size and dimensions. */
export async function setLogo(
  ctx: TenantContext,
  input: { contentType: TenantLogoItem['contentType']; data: string },
  now: Date = requestTime(ctx),
): Promise<LogoView> {
  const checked = checkedLogo(input.contentType, input.data);
  const item: TenantLogoItem = {
    tenantId: ctx.tenantId,
    contentType: input.contentType,
    ...checked,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const { data: _data, ...described } = checked;
  await writeAudited(
    ctx,
    {
      action: 'tenant.logo_set',
      targetType: 'tenant',
      targetId: ctx.tenantId,
      after: { contentType: input.contentType, ...described },
    },
    ({ tenantLogo }) => ({ logo: tenantLogo.put(item).commit() }),
    { now },
  );
  return logoView(item);
}

/** Removes the logo; removing none is done already (nothing audited). */
export async function removeLogo(ctx: TenantContext, now: Date = requestTime(ctx)): Promise<void> {
  const current = await readLogo(ctx.tenantId);
  if (!current) return;
  await writeAudited(
    ctx,
    {
      action: 'tenant.logo_removed',
      targetType: 'tenant',
      targetId: ctx.tenantId,
      before: { contentType: current.contentType, bytes: current.bytes },
    },
    ({ tenantLogo }) => ({ logo: tenantLogo.delete({ tenantId: ctx.tenantId }).commit() }),
    { now },
  );
}

/** What anyone may see at a tenant's host before signing in: its name, colour and logo. */
export interface PublicBranding {
  /** The tenant the host names: the console there works in this tenant only. */
  tenantId: string;
  displayName: string;
  primaryColor: string | null;
  logo: string | null;
}

/**
 * The branding of the tenant the request's host names (its slug under a base domain, or its active
 * custom domain; in single-tenant mode the one tenant, at any host), for the console's sign-in there.
 * A host that names no tenant, a platform host and a deleted tenant are a 404: there is no branding.
 */
export async function brandingAtHost(
  headers: Readonly<Record<string, string | undefined>>,
): Promise<PublicBranding> {
  const { resolution } = getConfig();
  const host = requestHost(headers, headers.host, resolution);
  const unknown = () =>
    new NotFoundError(`No tenant answers at ${host ?? 'this host'}.`, 'tenant_host_unknown');
  const tenantId = resolution.singleTenant
    ? resolution.defaultTenantId
    : host
      ? await tenantOfHost(host, resolution, hostLookups)
      : undefined;
  const tenant = tenantId ? await loadTenant(tenantId) : null;
  if (!tenant || tenant.status === 'deleted') throw unknown();
  const logo = await readLogo(tenant.tenantId, platformDocumentClient);
  const view = profileView(tenant, logo);
  return {
    tenantId: tenant.tenantId,
    displayName: view.displayName,
    primaryColor: view.primaryColor,
    logo: view.logo?.dataUrl ?? null,
  };
}
