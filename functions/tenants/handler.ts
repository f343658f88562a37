import * as z from 'zod/mini';
import { getExport, listExports, requestExport } from '../../shared/exports/tenant-exports';
import { listTenants } from '../../shared/tenants/tenant-listing';
import { createChildTenant, listChildTenants } from '../../shared/partners/child-tenants';
import { allocateToChild } from '../../shared/partners/allocations';
import { setChildBilling } from '../../shared/partners/child-billing';
import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { EXPORT_ROUTES } from '../../shared/api/routes/exports';
import { SECRET_ROUTES } from '../../shared/api/routes/secrets';
import { SETTING_ROUTES } from '../../shared/api/routes/settings';
import { parseWith } from '../../shared/http/validation';
import { SETTINGS } from '../../shared/setting-registry';
import { deleteSetting, getSetting, putSetting } from '../../shared/tenants/typed-settings';
import { TENANT_ROUTES } from '../../shared/api/routes/tenants';
import { DELEGATION_ROUTES } from '../../shared/api/routes/delegations';
import {
  approveDelegation,
  endDelegation,
  getDelegation,
  listDelegations,
  requestDelegation,
} from '../../shared/partners/delegations';
import { PROFILE_ROUTES } from '../../shared/api/routes/profile';
import {
  brandingAtHost,
  getProfile,
  removeLogo,
  setLogo,
  updateProfile,
} from '../../shared/tenants/tenant-profile';
import { importIntoTenant } from '../../shared/jobs/tenant-import';

/**
 * The tenants function serves the tenant's own routes, its children and delegations, its exports
 * and its secret settings.
 */
const ROUTES = [
  ...TENANT_ROUTES,
  ...DELEGATION_ROUTES,
  ...EXPORT_ROUTES,
  ...SECRET_ROUTES,
  ...SETTING_ROUTES,
  ...PROFILE_ROUTES,
] as const;
import {
  deleteSecretSetting,
  listSecretSettings,
  putSecretSetting,
} from '../../shared/secrets/secret-settings';
import { createOwnTenant, signUpTenant } from '../../shared/tenants/tenant-provisioning';
import {
  deleteTenant,
  reactivateTenant,
  restoreTenant,
  suspendTenant,
} from '../../shared/tenants/tenant-lifecycle';
import {
  changePlan,
  createTenantAsPlatformAdmin,
  getTenant,
  updateTenant,
} from '../../shared/tenants/tenant-service';

const operations: Operations<typeof ROUTES> = {
  'tenants.profile.get': async (_input, request) => ({ status: 200, body: await getProfile(request.tenant) }),
  'tenants.profile.update': async ({ body }, request) => ({
    status: 200,
    body: await updateProfile(request.tenant, body),
  }),
  'tenants.logo.set': async ({ body }, request) => ({
    status: 200,
    body: await setLogo(request.tenant, body, request.receivedAt),
  }),
  'tenants.logo.remove': async (_input, request) => {
    await removeLogo(request.tenant, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'tenants.import': async ({ body }, request) => ({
    status: 200,
    body: await importIntoTenant(request.tenant, body.file, request.receivedAt),
  }),
  'branding.get': async (_input, request) => ({
    status: 200,
    body: await brandingAtHost(request.raw?.headers ?? {}),
  }),
  'tenants.signup': async ({ body }, request) => ({
    status: 202,
    body: await signUpTenant(request.meta, body),
  }),
  'tenants.createOwn': async ({ body }, request) => ({
    status: 201,
    body: await createOwnTenant(request.principal, request.meta, body),
  }),
  'tenants.create': async ({ body }, request) => ({
    status: 201,
    body: await createTenantAsPlatformAdmin(request.principal, request.meta, body),
  }),
  'tenants.list': async ({ query }) => ({ status: 200, body: await listTenants(query) }),
  'children.create': async ({ body }, request) => ({
    status: 201,
    body: await createChildTenant(request.tenant, body, request.receivedAt),
  }),
  'children.list': async ({ query }, request) => ({
    status: 200,
    body: await listChildTenants(request.tenant, query),
  }),
  'children.allocate': async ({ path, body }, request) => ({
    status: 200,
    body: await allocateToChild(request.tenant, path.childId, body),
  }),
  'children.billing': async ({ path, body }, request) => ({
    status: 200,
    body: await setChildBilling(request.tenant, path.childId, body),
  }),
  'delegations.list': async ({ query }, request) => ({
    status: 200,
    body: await listDelegations(request.tenant, query),
  }),
  'delegations.request': async ({ body }, request) => ({
    status: 201,
    body: await requestDelegation(request.tenant, body),
  }),
  'delegations.get': async ({ path }, request) => ({
    status: 200,
    body: await getDelegation(request.tenant, path.counterpartId),
  }),
  'delegations.approve': async ({ path, body }, request) => ({
    status: 200,
    body: await approveDelegation(request.tenant, path.counterpartId, body),
  }),
  'delegations.end': async ({ path }, request) => ({
    status: 200,
    body: await endDelegation(request.tenant, path.counterpartId),
  }),
  'tenants.getCurrent': async (_input, request) => ({
    status: 200,
    body: await getTenant(request.tenant),
  }),
  'tenants.get': async (_input, request) => ({ status: 200, body: await getTenant(request.tenant) }),
  'tenants.update': async ({ body }, request) => ({
    status: 200,
    body: await updateTenant(request.tenant, body),
  }),
  'tenants.changePlan': async ({ body }, request) => ({
    status: 200,
    body: await changePlan(request.tenant, body),
  }),
  'tenants.suspend': async ({ body }, request) => ({
    status: 200,
    body: await suspendTenant(request.tenant, body, request.receivedAt),
  }),
  'tenants.settings.get': async ({ path }, request) => ({
    status: 200,
    body: await getSetting(request.tenant, path.key),
  }),
  // Each key's own schema, at the edge: the route's body takes any value.
  'tenants.settings.put': async ({ path, body }, request) => ({
    status: 200,
    body: await putSetting(
      request.tenant,
      path.key,
      parseWith(z.object({ value: SETTINGS[path.key].schema }), body, `value of ${path.key}`).value,
      request.receivedAt,
    ),
  }),
  'tenants.settings.delete': async ({ path }, request) => ({
    status: 200,
    body: await deleteSetting(request.tenant, path.key),
  }),
  'tenants.secrets.list': async (_input, request) => ({
    status: 200,
    body: await listSecretSettings(request.tenant),
  }),
  'tenants.secrets.put': async ({ path, body }, request) => ({
    status: 200,
    body: await putSecretSetting(request.tenant, path.name, body.value, request.receivedAt),
  }),
  'tenants.secrets.delete': async ({ path }, request) => {
    await deleteSecretSetting(request.tenant, path.name, request.receivedAt);
    return { status: 204, body: undefined };
  },
  'tenants.reactivate': async (_input, request) => ({
    status: 200,
    body: await reactivateTenant(request.tenant),
  }),
  'tenants.exports.create': async (_input, request) => ({
    status: 202,
    body: await requestExport(request.tenant, request.receivedAt),
  }),
  'tenants.exports.list': async ({ query }, request) => ({
    status: 200,
    body: await listExports(request.tenant, query),
  }),
  'tenants.exports.get': async ({ path }, request) => ({
    status: 200,
    body: await getExport(request.tenant, path.exportId),
  }),
  'tenants.delete': async ({ body }, request) => ({
    status: 200,
    body: await deleteTenant(request.tenant, body, request.receivedAt),
  }),
  'tenants.restore': async (_input, request) => ({
    status: 200,
    body: await restoreTenant(request.tenant, request.receivedAt),
  }),
};

export const handler = createApiHandler(ROUTES, operations);
