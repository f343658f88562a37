/**
 * The layers of the code base, lowest first, written once, folder by folder (no file is an
 * exception). A module may import from its own folder and the layers below it, never from one above;
 * since every folder of `shared/` has its own place in the order, no two folders can import each
 * other; `functions/` and `infra/` meet only through `shared/`; nothing imports in a cycle.
 * `npm run lint` runs this (dependency-cruiser).
 */
const LAYERS = [
  {
    id: 'model',
    name: 'model: the vocabulary every layer shares (plans, statuses, roles, event types, secret names)',
    paths: ['^shared/model/'],
  },
  { id: 'base', name: 'base: configuration, ids, the typed errors', paths: ['^shared/[^/]+\\.ts$'] },
  {
    id: 'observability',
    name: 'observability: logger, metrics, the cost of a request',
    paths: ['^shared/observability/'],
  },
  { id: 'context', name: 'context: the tenant context (AsyncLocalStorage)', paths: ['^shared/context/'] },
  { id: 'data', name: 'data: table, entities, guarded client, cached records', paths: ['^shared/data/'] },
  {
    id: 'messaging',
    name: 'messaging: work queues (SQS in AWS, the worker in-process in the twin)',
    paths: ['^shared/messaging/'],
  },
  // The domains, each above those it may call: a domain reacts to a higher one's event instead of
  // calling it (billing cancels a subscription on `tenant.deleted`).
  ...[
    'tenancy',
    'audit',
    'events',
    'notifications',
    'identity',
    // Above identity: granting platform-admin power by email puts the person in the Cognito group.
    'platform',
    'secrets',
    'quotas',
    // Below agents: an agent joins a project in the transaction that makes or moves it.
    'projects',
    'agents',
    'memory',
    'runs',
    'api-keys',
    'auth',
    'users',
    'billing',
    'webhooks',
    'custom-domains',
    'sso',
    // Directory sync: provisions members (users) and reads the tenant's provider's role mapping (sso).
    'scim',
    'exports',
    'tenants',
    // Above tenants: a partner's child is provisioned as every tenant is.
    'partners',
    'operations',
  ].map((domain) => ({ id: domain, name: `domain: ${domain}`, paths: [`^shared/${domain}/`] })),
  {
    id: 'jobs',
    name: 'jobs: orchestrations across domains (dunning, trials, purge, the event consumer)',
    paths: ['^shared/jobs/'],
  },
  { id: 'http', name: 'http: request scope, admission, problems, middlewares', paths: ['^shared/http/'] },
  { id: 'api', name: 'api: route manifest, request stack, OpenAPI document', paths: ['^shared/api/'] },
  { id: 'functions', name: 'functions: Lambda entry points', paths: ['^functions/'] },
  { id: 'infra', name: 'infra: the CDK app and the local twin', paths: ['^infra/'] },
];

const upward = LAYERS.flatMap((layer, index) => {
  const higher = LAYERS.slice(index + 1).flatMap((above) => above.paths);
  if (higher.length === 0) return [];
  return [
    {
      name: `no-upward-import-from-${layer.id}`,
      comment: `${layer.name} may not import from a higher layer`,
      severity: 'error',
      from: { path: layer.paths.join('|') },
      to: { path: higher.join('|') },
    },
  ];
});

const everyLayer = LAYERS.flatMap((layer) => layer.paths);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'every-shared-folder-has-a-layer',
      comment: 'A folder of shared/ that is not in LAYERS would escape the order: give it its place',
      severity: 'error',
      from: { path: '^shared/', pathNot: everyLayer.join('|') },
      to: {},
    },
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
