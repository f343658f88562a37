import { createContext, useContext, type ReactNode } from 'react';

/** What the tenant a host names shows before anyone signs in (`GET /v1/branding`). */
export interface Branding {
  tenantId: string;
  displayName: string;
  primaryColor: string | null;
  logo: string | null;
}

/**
 * The branding of the tenant this page's host names, or `null` (the platform's own host, or a host
 * that names no tenant). Opened at a tenant's host, or anywhere in a single-tenant deployment, the
 * console signs in to that tenant and stays in it.
 */
export async function loadBranding(apiUrl: string): Promise<Branding | null> {
  try {
    const response = await fetch(`${apiUrl}/v1/branding`);
    return response.ok ? ((await response.json()) as Branding) : null;
  } catch {
    return null;
  }
}

const BrandingContext = createContext<Branding | null>(null);

export function BrandingProvider({ branding, children }: { branding: Branding | null; children: ReactNode }) {
  return <BrandingContext.Provider value={branding}>{children}</BrandingContext.Provider>;
}

export function useBranding(): Branding | null {
  return useContext(BrandingContext);
}

/** The tenant's band: its logo and name on its colour (white text, which its colour was checked for). */
export function BrandBand({ branding }: { branding: Branding }) {
  return (
    <div
      className="brand-band"
      data-testid="brand-band"
      style={branding.primaryColor ? { background: branding.primaryColor } : undefined}
    >
      {branding.logo && <img src={branding.logo} alt="" className="brand-logo" />}
      <span>{branding.displayName}</span>
    </div>
  );
}
