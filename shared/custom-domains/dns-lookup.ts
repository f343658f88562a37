import { Resolver } from 'node:dns/promises';
import { getConfig } from '../config';

/**
 * The DNS questions a domain check asks, over the DNS protocol, of the configured servers (the twin's
 * local server; in AWS the resolver Lambda is given). A name with no such record, or no name at all,
 * answers an empty list; a server that fails or does not answer is an {@link DnsLookupError}, which a
 * check reports as a finding rather than as "no record".
 */
export interface DnsLookup {
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  /** The name's own CAA records (no climbing), each as its tag and value. */
  caa(name: string): Promise<Array<{ tag: string; value: string }>>;
}

export class DnsLookupError extends Error {
  constructor(
    readonly lookedUp: string,
    readonly code: string,
  ) {
    super(`DNS lookup of ${lookedUp} failed (${code})`);
  }
}

/** Answers that mean "no such record" rather than "the lookup failed". */
const EMPTY = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME', 'NXDOMAIN']);

async function ask<T>(name: string, question: () => Promise<T[]>): Promise<T[]> {
  try {
    return await question();
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'EUNKNOWN';
    if (EMPTY.has(code)) return [];
    // Cancelled at the check's deadline: the server did not answer in time.
    throw new DnsLookupError(name, code === 'ECANCELLED' ? 'ETIMEOUT' : code);
  }
}

/**
 * The lookups of one check. Each question is tried twice, `timeoutMs` each; whatever is still
 * unanswered `timeoutMs * 2` after the first question is cancelled, so a check that meets a silent or
 * slow server answers within that (with the lookups it could not make reported as failed), well
 * inside the gateway's 30 s.
 */
export function dnsLookup(
  servers: readonly string[] = getConfig().customDomains.dnsServers,
  timeoutMs: number = getConfig().customDomains.dnsTimeoutMs,
): DnsLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  let deadline: NodeJS.Timeout | undefined;
  const within = <T>(name: string, question: () => Promise<T[]>): Promise<T[]> => {
    deadline ??= setTimeout(() => resolver.cancel(), timeoutMs * 2).unref();
    return ask(name, question);
  };
  return {
    txt: (name) =>
      within(name, async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    cname: (name) =>
      within(name, async () => (await resolver.resolveCname(name)).map((target) => target.toLowerCase())),
    caa: (name) =>
      within(name, async () =>
        (await resolver.resolveCaa(name)).flatMap((record) =>
          Object.entries(record)
            .filter(([tag]) => tag !== 'critical')
            .map(([tag, value]) => ({ tag, value: String(value) })),
        ),
      ),
  };
}
