import { getExport, listExports, requestExport } from '../../shared/exports/tenant-exports';
import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { TENANT_ROUTES } from '../../shared/api/routes/tenants';
import { requirePrincipal, requireTenant } from '../../shared/http/request-scope';
import {
  deleteSecretSetting,
  listSecretSettings,
  putSecretSetting,
} from '../../shared/secrets/secret-settings';
import { createOwnTenant, signUpTenant } from '../../shared/tenants/tenant-provisioning';
import {
  changePlan,
  createTenantAsPlatformAdmin,
  deleteTenant,
  getTenant,
  listTenants,
  reactivateTenant,
  restoreTenant,
  suspendTenant,
  updateTenant,
} from '../../shared/tenants/tenant-service';

const operations: Operations<typeof TENANT_ROUTES> = {
  'tenants.signup': async ({ body }, scope) => ({ status: 202, body: await signUpTenant(scope.meta, body) }),
  'tenants.createOwn': async ({ body }, scope) => ({
    status: 201,
    body: await createOwnTenant(requirePrincipal(scope), scope.meta, body),
  }),
  'tenants.create': async ({ body }, scope) => ({
    status: 201,
    body: await createTenantAsPlatformAdmin(requirePrincipal(scope), scope.meta, body),
  }),
  'tenants.list': async ({ query }) => ({ status: 200, body: await listTenants(query) }),
  'tenants.getCurrent': async (_input, scope) => ({
    status: 200,
    body: await getTenant(requireTenant(scope)),
  }),
  'tenants.get': async (_input, scope) => ({ status: 200, body: await getTenant(requireTenant(scope)) }),
  'tenants.update': async ({ body }, scope) => ({
    status: 200,
    body: await updateTenant(requireTenant(scope), body),
  }),
  'tenants.changePlan': async ({ body }, scope) => ({
    status: 200,
    body: await changePlan(requireTenant(scope), body),
  }),
  'tenants.suspend': async ({ body }, scope) => ({
    status: 200,
    body: await suspendTenant(requireTenant(scope), body, scope.receivedAt),
  }),
  'tenants.secrets.list': async (_input, scope) => ({
    status: 200,
    body: await listSecretSettings(requireTenant(scope)),
  }),
  'tenants.secrets.put': async ({ path, body }, scope) => ({
    status: 200,
    body: await putSecretSetting(requireTenant(scope), path.name, body.value, scope.receivedAt),
  }),
  'tenants.secrets.delete': async ({ path }, scope) => {
    await deleteSecretSetting(requireTenant(scope), path.name, scope.receivedAt);
    return { status: 204, body: undefined };
  },
  'tenants.reactivate': async (_input, scope) => ({
    status: 200,
    body: await reactivateTenant(requireTenant(scope)),
  }),
  'tenants.exports.create': async (_input, scope) => ({
    status: 202,
    body: await requestExport(requireTenant(scope), scope.receivedAt),
  }),
  'tenants.exports.list': async ({ query }, scope) => ({
    status: 200,
    body: await listExports(requireTenant(scope), query),
  }),
  'tenants.exports.get': async ({ path }, scope) => ({
    status: 200,
    body: await getExport(requireTenant(scope), path.exportId),
  }),
  'tenants.delete': async ({ body }, scope) => ({
    status: 200,
    body: await deleteTenant(requireTenant(scope), body, scope.receivedAt),
  }),
  'tenants.restore': async (_input, scope) => ({
    status: 200,
    body: await restoreTenant(requireTenant(scope), scope.receivedAt),
  }),
};

export const handler = createApiHandler(TENANT_ROUTES, operations);
