import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../../shared/api/openapi';

/** `npm run openapi`: writes the OpenAPI document generated from the route manifest, which the API serves. */
export const OPENAPI_PATH = join(import.meta.dirname, '..', '..', 'shared', 'api', 'openapi.json');

export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

writeFileSync(OPENAPI_PATH, renderOpenApiDocument());
console.log(`Wrote ${OPENAPI_PATH}`);
