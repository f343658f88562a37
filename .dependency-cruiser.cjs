/**
 * The layers of the code base, lowest first, written once. A module may import from its own layer
 * and the layers below it, never from one above; `functions/` and `infra/` meet only through
 * `shared/`; nothing imports in a cycle. `npm run lint` runs this (dependency-cruiser).
 */
const LAYERS = [
  {
    name: 'base: configuration, ids, errors, observability and the definitions every layer reads',
    paths: [
      '^shared/(config|ids|errors)\\.ts$',
      '^shared/observability/',
      '^shared/tenants/(plans|tenant-status|secret-names)\\.ts$',
      '^shared/tenancy/roles\\.ts$',
      '^shared/runs/run-status\\.ts$',
      '^shared/exports/export-statuses\\.ts$',
      '^shared/events/(event-types|event-source)\\.ts$',
      '^shared/users/membership-status\\.ts$',
      '^shared/api-keys/api-key-status\\.ts$',
      '^shared/identity/user-pool-definition\\.ts$',
    ],
  },
  { name: 'context: the tenant context (AsyncLocalStorage)', paths: ['^shared/tenancy/context\\.ts$'] },
  { name: 'data: table, entities, guarded client, cached records', paths: ['^shared/data/'] },
  {
    name: 'domain services',
    paths: [
      '^shared/(agents|api-keys|audit|auth|billing|events|exports|identity|jobs|memory|notifications|platform|quotas|runs|tenancy|tenants|users|webhooks)/',
    ],
  },
  { name: 'http: request scope, validation, problems, middlewares', paths: ['^shared/http/'] },
  { name: 'api: route manifest, request stack, OpenAPI document', paths: ['^shared/api/'] },
  { name: 'functions: Lambda entry points', paths: ['^functions/'] },
  { name: 'infra: the CDK app and the local twin', paths: ['^infra/'] },
];

/** Which layer a path belongs to: the lowest whose patterns match (base files sit inside domain folders). */
const layerOf = (index) => LAYERS[index].paths.map((path) => `(${path})`).join('|');

const upward = LAYERS.flatMap((layer, index) => {
  const higher = LAYERS.slice(index + 1).flatMap((above) => above.paths);
  const lower = LAYERS.slice(0, index).flatMap((below) => below.paths);
  if (higher.length === 0) return [];
  return [
    {
      name: `no-upward-import-from-${index}`,
      comment: `${layer.name} may not import from a higher layer`,
      severity: 'error',
      from: { path: layerOf(index), ...(lower.length ? { pathNot: lower.join('|') } : {}) },
      to: { path: higher.join('|'), pathNot: [...lower, ...layer.paths].join('|') },
    },
  ];
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'functions-and-infra-meet-only-through-shared',
      severity: 'error',
      from: { path: '^(functions|infra)/' },
      to: { path: '^(functions|infra)/', pathNot: '$1' },
    },
    {
      name: 'console-reads-only-base-definitions',
      comment:
        'The console (web/) runs in a browser: of the project it may read only the base definitions (roles, plans, statuses), never code that reaches AWS',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(shared|functions|infra)/', pathNot: LAYERS[0].paths.join('|') },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^(shared|functions|infra)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.data|web/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
