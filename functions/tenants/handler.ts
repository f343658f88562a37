import { getConfig } from '../../shared/config';
import { createApiHandler, type Operation } from '../../shared/http/api-handler';
import { json } from '../../shared/http/response';
import { noQueryParams, parseJsonBody, parseWith } from '../../shared/http/validation';
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

const { maxBodyBytes } = getConfig().http;

const operations: Record<string, Operation> = {
  'tenants.signup': async (event, scope) => {
    const body = parseJsonBody(event, signupBody, maxBodyBytes);
    return json(201, await signUpTenant(scope.meta, body));
  },
  'tenants.create': async (event, scope) => {
    const body = parseJsonBody(event, createTenantBody, maxBodyBytes);
    return json(201, await createTenantAsPlatformAdmin(requirePrincipal(scope), scope.meta, body));
  },
  'tenants.list': async (event) => {
    const query = parseWith(listTenantsQuery, event.queryStringParameters ?? {}, 'query string');
    return json(200, await listTenants(query));
  },
  'tenants.getCurrent': async (event, scope) => {
    parseWith(noQueryParams, event.queryStringParameters ?? {}, 'query string');
    return json(200, await getTenant(requireTenant(scope)));
  },
  'tenants.get': async (event, scope) => {
    parseWith(tenantPath, event.pathParameters, 'path');
    parseWith(noQueryParams, event.queryStringParameters ?? {}, 'query string');
    return json(200, await getTenant(requireTenant(scope)));
  },
  'tenants.update': async (event, scope) => {
    parseWith(tenantPath, event.pathParameters, 'path');
    const body = parseJsonBody(event, updateTenantBody, maxBodyBytes);
    return json(200, await updateTenant(requireTenant(scope), body));
  },
  'tenants.changePlan': async (event, scope) => {
    parseWith(tenantPath, event.pathParameters, 'path');
    return json(
      200,
      await changePlan(requireTenant(scope), parseJsonBody(event, changePlanBody, maxBodyBytes)),
    );
  },
  'tenants.suspend': async (event, scope) => {
    parseWith(tenantPath, event.pathParameters, 'path');
    return json(
      200,
      await suspendTenant(requireTenant(scope), parseJsonBody(event, suspendBody, maxBodyBytes)),
    );
  },
  'tenants.reactivate': async (event, scope) => {
    parseWith(tenantPath, event.pathParameters, 'path');
    return json(200, await reactivateTenant(requireTenant(scope)));
  },
};

export const handler = createApiHandler(routesOf('tenants'), operations);
