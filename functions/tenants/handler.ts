import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { noQueryParams, parseBody, parsePath, parseQuery } from '../../shared/http/validation';
import { requireTenant, requirePrincipal } from '../../shared/http/scope';
import { signUpTenant } from '../../shared/tenants/tenant-provisioning';
import {
  changePlan,
  createTenantAsPlatformAdmin,
  getTenant,
  listTenants,
  reactivateTenant,
  suspendTenant,
  updateTenant,
} from '../../shared/tenants/tenant-service';
import { routesOf } from '../routes';
import {
  changePlanBody,
  createTenantBody,
  listTenantsQuery,
  signupBody,
  suspendBody,
  tenantPath,
  updateTenantBody,
} from './schemas';

const operations: Record<string, Operation> = {
  'tenants.signup': async (event, scope) => {
    const body = parseBody(event, signupBody);
    return json(201, await signUpTenant(scope.meta, body));
  },
  'tenants.create': async (event, scope) => {
    const body = parseBody(event, createTenantBody);
    return json(201, await createTenantAsPlatformAdmin(requirePrincipal(scope), scope.meta, body));
  },
  'tenants.list': async (event) => {
    const query = parseQuery(event, listTenantsQuery);
    return json(200, await listTenants(query));
  },
  'tenants.getCurrent': async (event, scope) => {
    parseQuery(event, noQueryParams);
    return json(200, await getTenant(requireTenant(scope)));
  },
  'tenants.get': async (event, scope) => {
    parsePath(event, tenantPath);
    parseQuery(event, noQueryParams);
    return json(200, await getTenant(requireTenant(scope)));
  },
  'tenants.update': async (event, scope) => {
    parsePath(event, tenantPath);
    const body = parseBody(event, updateTenantBody);
    return json(200, await updateTenant(requireTenant(scope), body));
  },
  'tenants.changePlan': async (event, scope) => {
    parsePath(event, tenantPath);
    return json(200, await changePlan(requireTenant(scope), parseBody(event, changePlanBody)));
  },
  'tenants.suspend': async (event, scope) => {
    parsePath(event, tenantPath);
    return json(200, await suspendTenant(requireTenant(scope), parseBody(event, suspendBody)));
  },
  'tenants.reactivate': async (event, scope) => {
    parsePath(event, tenantPath);
    return json(200, await reactivateTenant(requireTenant(scope)));
  },
};

export const handler = createApiHandler(routesOf('tenants'), operations);
