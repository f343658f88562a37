import { createApiHandler, type Operations } from '../../shared/api/api-handler';
import { docsAsset, DOCS_ASSETS } from '../../shared/api/docs/assets';
import { problemsPage, referencePage } from '../../shared/api/docs/pages';
import { unmatchedRoute } from '../../shared/api/unmatched-route';
import { DOCS_ROUTES } from '../../shared/api/routes/docs';
import OPENAPI_DOCUMENT from '../../shared/api/openapi.json';

/** Documentation may be cached briefly; nothing in it is per caller. */
const CACHEABLE = { 'cache-control': 'public, max-age=300' };

const operations: Operations<typeof DOCS_ROUTES> = {
  'docs.openapi': async () => ({ status: 200, body: OPENAPI_DOCUMENT, headers: CACHEABLE }),
  'docs.reference': async () => ({ status: 200, body: referencePage(), headers: CACHEABLE }),
  'docs.problems': async () => ({ status: 200, body: problemsPage(), headers: CACHEABLE }),
  'docs.asset': async ({ path }) => ({
    status: 200,
    body: docsAsset(path.file),
    headers: { ...CACHEABLE, 'content-type': DOCS_ASSETS[path.file] },
  }),
};

/** The documentation, and API Gateway's `$default` route: an unknown path or method lands here. */
export const handler = createApiHandler(DOCS_ROUTES, operations, { unmatched: unmatchedRoute });
