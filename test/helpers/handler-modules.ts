/** The function handlers the worker processes (races, crashes) can load, by function name. */
const modules = {
  agents: () => import('../../functions/agents/handler'),
  runs: () => import('../../functions/runs/handler'),
  tenants: () => import('../../functions/tenants/handler'),
};

export async function loadHandler(fn: string) {
  const load = modules[fn as keyof typeof modules];
  if (!load) throw new Error(`unknown function ${fn}`);
  return (await load()).handler;
}
