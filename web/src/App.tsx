import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './auth/session';
import { MeProvider, TenantProvider, useMe } from './context';
import { Shell, TenantLayout } from './Shell';
import { Account } from './pages/Account';
import { AgentPage, Agents } from './pages/Agents';
import { Projects } from './pages/Projects';
import { Customers } from './pages/Customers';
import { PartnerAccess } from './pages/PartnerAccess';
import { ApiKeys } from './pages/ApiKeys';
import { RunPage, Runs } from './pages/Runs';
import { Audit } from './pages/Audit';
import { Billing } from './pages/Billing';
import { Data } from './pages/Data';
import { Overview } from './pages/Overview';
import { PlatformAdmins, PlatformAudit } from './pages/platform/Admins';
import { PlatformFigures } from './pages/platform/Figures';
import { PlatformTenant } from './pages/platform/Tenant';
import { PlatformTenants } from './pages/platform/Tenants';
import { Settings } from './pages/Settings';
import { SignIn, SsoCallback } from './pages/SignIn';
import { Users } from './pages/Users';
import { WebhookPage, Webhooks } from './pages/Webhooks';
import { Domains } from './pages/Domains';
import { SingleSignOn } from './pages/SingleSignOn';
import { useBranding } from './branding';

/** Where a signed-in person lands: their default tenant, else their first, else the platform pages. */
function Home() {
  const { me } = useMe();
  const { search } = useLocation();
  // At a tenant's host, the console is that tenant's.
  const branding = useBranding();
  if (branding) return <Navigate replace to={`/t/${branding.tenantId}${search}`} />;
  const tenantId =
    me.memberships.find((m) => m.tenantId === me.user.defaultTenantId && m.status !== 'disabled')?.tenantId ??
    me.memberships.find((m) => m.status !== 'disabled')?.tenantId;
  if (tenantId) return <Navigate replace to={`/t/${tenantId}${search}`} />;
  if (me.user.platformAdmin) return <Navigate replace to="/platform/tenants" />;
  return (
    <main id="main" className="page">
      <h1>No tenant yet</h1>
      <p>You are not a member of any tenant. Ask an owner to invite you, or create one through the API.</p>
    </main>
  );
}

/** `/billing` (Stripe's return address from older links) goes to the person's tenant's billing. */
function BillingRedirect() {
  const { me } = useMe();
  const { search } = useLocation();
  const tenantId = me.user.defaultTenantId ?? me.memberships[0]?.tenantId;
  return <Navigate replace to={tenantId ? `/t/${tenantId}/billing${search}` : '/'} />;
}

function NotFound() {
  return (
    <main id="main" className="page">
      <h1>Page not found</h1>
      <p>There is no such page in the console.</p>
    </main>
  );
}

export function App() {
  const { tokens } = useSession();
  if (!tokens) return window.location.pathname === '/sso/callback' ? <SsoCallback /> : <SignIn />;
  return (
    <BrowserRouter>
      <MeProvider>
        <Routes>
          <Route element={<Shell />}>
            <Route index element={<Home />} />
            <Route path="billing" element={<BillingRedirect />} />
            <Route path="account" element={<Account />} />
            <Route path="platform/tenants" element={<PlatformTenants />} />
            <Route path="platform/figures" element={<PlatformFigures />} />
            <Route path="platform/admins" element={<PlatformAdmins />} />
            <Route path="platform/audit" element={<PlatformAudit />} />
            <Route path="platform/tenants/:tenantId" element={<PlatformTenant />} />
            <Route
              path="t/:tenantId"
              element={
                <TenantProvider>
                  <TenantLayout />
                </TenantProvider>
              }
            >
              <Route index element={<Overview />} />
              <Route path="projects" element={<Projects />} />
              <Route path="customers" element={<Customers />} />
              <Route path="partner-access" element={<PartnerAccess />} />
              <Route path="agents" element={<Agents />} />
              <Route path="agents/:agentId" element={<AgentPage />} />
              <Route path="runs" element={<Runs />} />
              <Route path="runs/:runId" element={<RunPage />} />
              <Route path="webhooks" element={<Webhooks />} />
              <Route path="webhooks/:endpointId" element={<WebhookPage />} />
              <Route path="domains" element={<Domains />} />
              <Route path="sso" element={<SingleSignOn />} />
              <Route path="users" element={<Users />} />
              <Route path="api-keys" element={<ApiKeys />} />
              <Route path="settings" element={<Settings />} />
              <Route path="audit" element={<Audit />} />
              <Route path="billing" element={<Billing />} />
              <Route path="data" element={<Data />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </MeProvider>
    </BrowserRouter>
  );
}
