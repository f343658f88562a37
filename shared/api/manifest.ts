import { AGENT_ROUTES } from './routes/agents';
import { PROJECT_ROUTES } from './routes/projects';
import { API_KEY_ROUTES } from './routes/api-keys';
import { AUDIT_ROUTES } from './routes/audit';
import { BILLING_ROUTES } from './routes/billing';
import { DOCS_ROUTES } from './routes/docs';
import { DOMAIN_ROUTES } from './routes/domains';
import { SSO_ROUTES } from './routes/sso';
import { SCIM_ROUTES } from './routes/scim';
import { PROFILE_ROUTES } from './routes/profile';
import { PLATFORM_ROUTES } from './routes/platform';
import { QUOTA_ROUTES } from './routes/quotas';
import { RUN_ROUTES } from './routes/runs';
import { EXPORT_ROUTES } from './routes/exports';
import { SECRET_ROUTES } from './routes/secrets';
import { SETTING_ROUTES } from './routes/settings';
import { TENANT_ROUTES } from './routes/tenants';
import { DELEGATION_ROUTES } from './routes/delegations';
import { USER_ROUTES } from './routes/users';
import { WEBHOOK_ROUTES } from './routes/webhooks';

/**
 * The route manifest: every endpoint, once, with its schemas. The CDK stack creates API routes from
 * it, the local adapter mounts it, the OpenAPI document is generated from it, and the isolation and
 * contract suites walk it. A route not listed here does not exist. Each function imports only its
 * own domain's list (`routes/<domain>.ts`), so a bundle carries no other domain's schemas.
 */
export const ROUTES = [
  ...TENANT_ROUTES,
  ...DELEGATION_ROUTES,
  ...EXPORT_ROUTES,
  ...SECRET_ROUTES,
  ...SETTING_ROUTES,
  ...USER_ROUTES,
  ...API_KEY_ROUTES,
  ...AUDIT_ROUTES,
  ...PROJECT_ROUTES,
  ...AGENT_ROUTES,
  ...RUN_ROUTES,
  ...QUOTA_ROUTES,
  ...BILLING_ROUTES,
  ...PLATFORM_ROUTES,
  ...WEBHOOK_ROUTES,
  ...DOMAIN_ROUTES,
  ...SSO_ROUTES,
  ...SCIM_ROUTES,
  ...PROFILE_ROUTES,
  ...DOCS_ROUTES,
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];
