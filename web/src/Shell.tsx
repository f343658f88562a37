import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate, useParams } from 'react-router';
import type { Permission } from '../../shared/model/roles';
import { useSession } from './auth/session';
import { useMe, useTenant } from './context';
import { useBranding } from './branding';

const TENANT_PAGES: Array<{ path: string; label: string; permission: Permission }> = [
  { path: '', label: 'Overview', permission: 'tenant:read' },
  { path: 'projects', label: 'Projects', permission: 'projects:read' },
  { path: 'agents', label: 'Agents', permission: 'agents:read' },
  { path: 'runs', label: 'Runs', permission: 'runs:read' },
  { path: 'customers', label: 'Customers', permission: 'children:read' },
  { path: 'users', label: 'Users', permission: 'users:read' },
  { path: 'api-keys', label: 'API keys', permission: 'apiKeys:manage' },
  { path: 'webhooks', label: 'Webhooks', permission: 'webhooks:manage' },
  { path: 'domains', label: 'Domains', permission: 'domains:manage' },
  { path: 'sso', label: 'Single sign-on', permission: 'sso:manage' },
  { path: 'settings', label: 'Settings', permission: 'tenant:update' },
  { path: 'partner-access', label: 'Partner access', permission: 'delegations:read' },
  { path: 'audit', label: 'Audit log', permission: 'audit:read' },
  { path: 'billing', label: 'Billing', permission: 'billing:manage' },
  { path: 'data', label: 'Data', permission: 'tenant:export' },
];

/** The frame of every signed-in page: the tenant switcher, the account, sign-out, and the skip link. */
export function Shell() {
  const { tokens, signOut } = useSession();
  const { me } = useMe();
  const branding = useBranding();
  const { tenantId } = useParams();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">{branding ? branding.displayName : 'Tenantry'}</span>
        {/* At a tenant's host the console is that tenant's: no switching (the host would refuse another). */}
        {me.memberships.length > 0 && !branding && (
          <div className="switcher">
            <label htmlFor="tenant-switcher">Tenant</label>
            <select
              id="tenant-switcher"
              value={tenantId ?? ''}
              onChange={(event) => event.target.value && navigate(`/t/${event.target.value}`)}
            >
              {!tenantId && <option value="">Choose a tenant</option>}
              {/* A tenant the person acts in for a partner (a delegation) is not among their own. */}
              {tenantId && !me.memberships.some((membership) => membership.tenantId === tenantId) && (
                <option value={tenantId}>This tenant (not yours)</option>
              )}
              {me.memberships.map((membership) => (
                <option key={membership.tenantId} value={membership.tenantId}>
                  {membership.tenantName} ({membership.role}
                  {membership.tenantStatus !== 'active' ? `, ${membership.tenantStatus}` : ''})
                </option>
              ))}
            </select>
          </div>
        )}
        <nav aria-label="Account" className="account">
          {me.user.platformAdmin && <NavLink to="/platform/tenants">Platform</NavLink>}
          <NavLink to="/account">{tokens?.email ?? me.user.email ?? 'Account'}</NavLink>
          <button type="button" onClick={() => void signOut().then(() => navigate('/'))}>
            Sign out
          </button>
        </nav>
      </header>
      <Outlet />
    </>
  );
}

/** A tenant's pages: the status banner, the navigation its role allows, the page. */
export function TenantLayout() {
  const { tenant, tenantId, can, platformVisit, delegatedVisit } = useTenant();
  const pages = TENANT_PAGES.filter((page) => can(page.permission));
  // On a phone the pages fold behind a Menu button (CSS shows it there only); choosing one folds them.
  const [open, setOpen] = useState(false);
  return (
    <div className="layout">
      <nav aria-label="Tenant pages" className={open ? 'side open' : 'side'}>
        <p className="tenant-name">
          {tenant.name}
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={open}
            aria-controls="tenant-pages"
            onClick={() => setOpen((was) => !was)}
          >
            Menu
          </button>
        </p>
        <ul id="tenant-pages">
          {pages.map((page) => (
            <li key={page.path}>
              <NavLink
                end
                to={`/t/${tenantId}${page.path ? `/${page.path}` : ''}`}
                onClick={() => setOpen(false)}
              >
                {page.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {platformVisit && (
          <div className="banner banner-info" role="note" data-testid="platform-visit">
            <strong>You are in {tenant.name} as a platform admin.</strong> You see what its owners see;
            whatever you change here is recorded in its audit log as yours.{' '}
            <Link to={`/platform/tenants/${tenantId}`}>Back to the platform’s page of this tenant</Link>
          </div>
        )}
        {delegatedVisit && (
          <div className="banner banner-info" role="note" data-testid="delegated-visit">
            <strong>
              You are in {tenant.name} for {delegatedVisit.partnerName}, as {delegatedVisit.role}, until{' '}
              {new Date(delegatedVisit.expiresAt).toLocaleDateString()}.
            </strong>{' '}
            Its owners approved this access and can end it; whatever you change here is recorded in its audit
            log as yours, acting for {delegatedVisit.partnerName}.{' '}
            <Link to={`/t/${delegatedVisit.partnerId}/customers`}>Back to {delegatedVisit.partnerName}</Link>
          </div>
        )}
        {tenant.status !== 'active' && (
          <div className={`banner banner-${tenant.status}`} role="status">
            <strong>
              {tenant.status === 'suspended' ? 'This tenant is suspended.' : 'This tenant is deleted.'}
            </strong>{' '}
            {tenant.statusReason && <span>Reason: {tenant.statusReason}. </span>}
            {tenant.status === 'suspended'
              ? `Its API keys are refused and nothing can be changed until ${tenant.statusReason === 'payment_overdue' ? 'what is owed is paid (Billing, for owners)' : 'a platform admin reactivates it'}; you can still read it, its usage and, as an owner or admin, its audit log and export its data.`
              : `It can be restored until ${new Date(tenant.purgeAfter ?? '').toLocaleDateString()}, then it is erased.`}
          </div>
        )}
        <Outlet />
      </main>
    </div>
  );
}
