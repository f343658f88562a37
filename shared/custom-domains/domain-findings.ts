import { DOMAIN_CHALLENGE_PREFIX, DOMAIN_CHALLENGE_VALUE_PREFIX } from '../model/domain-states';
import { DnsLookupError, type DnsLookup } from './dns-lookup';

/**
 * What one check of a domain saw in DNS, and what to change: the TXT values at the challenge name,
 * the host's CNAME target, the CAA records that decide who may issue its certificate. Each part says
 * whether it is as needed; `actions` says, in words, what the tenant should do next. A lookup that
 * failed is reported as such (with the resolver's code), never taken for a missing record.
 */
export interface DomainFindings {
  checkedAt: string;
  txt: { name: string; expected: string; found: string[]; ok: boolean; error: string | null };
  cname: { expected: string | null; found: string[]; ok: boolean; error: string | null };
  caa: {
    /** The name whose CAA records apply (the host's, or the closest parent's); null when none has any. */
    at: string | null;
    issuers: string[];
    allowed: string[];
    ok: boolean;
    error: string | null;
  };
  /** Another tenant holds the verified domain (its record must go before this one can take it). */
  heldByAnotherTenant: boolean;
  /** The serving resource's state, once one is being made. */
  serving: { ready: boolean; detail: string } | null;
  actions: string[];
}

export function challengeName(domain: string): string {
  return `${DOMAIN_CHALLENGE_PREFIX}.${domain}`;
}

export function challengeValue(token: string): string {
  return `${DOMAIN_CHALLENGE_VALUE_PREFIX}=${token}`;
}

function failure(error: unknown): string {
  if (error instanceof DnsLookupError) return `the DNS lookup failed (${error.code}); it is retried`;
  throw error;
}

/**
 * The CAA record set that applies to a host: its own, else its closest parent's (RFC 8659 §3). Every
 * name is asked at once (a check's lookups run side by side, within one deadline).
 */
async function relevantCaa(
  lookup: DnsLookup,
  domain: string,
): Promise<{ at: string | null; records: Array<{ tag: string; value: string }> }> {
  const labels = domain.split('.');
  const names = labels.slice(0, -1).map((_, index) => labels.slice(index).join('.'));
  const answers = await Promise.all(names.map((name) => lookup.caa(name)));
  const index = answers.findIndex((records) => records.length > 0);
  return index < 0 ? { at: null, records: [] } : { at: names[index] ?? null, records: answers[index] ?? [] };
}

/** The issuer domain a CAA `issue` value names (`amazon.com; account=…` → `amazon.com`; `;` → ''). */
function issuerOf(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

export interface InspectOptions {
  token: string;
  /** What the CNAME must point at; `null` where the deployment serves no custom domains yet. */
  target: string | null;
  certificateAuthorities: readonly string[];
  now: Date;
}

/** Asks DNS about a domain; a lookup that fails marks that part as failed and the check goes on. */
export async function inspectDomain(
  lookup: DnsLookup,
  domain: string,
  options: InspectOptions,
): Promise<DomainFindings> {
  const name = challengeName(domain);
  const expected = challengeValue(options.token);
  const txt: DomainFindings['txt'] = { name, expected, found: [], ok: false, error: null };
  const cname: DomainFindings['cname'] = { expected: options.target, found: [], ok: false, error: null };
  const caa: DomainFindings['caa'] = {
    at: null,
    issuers: [],
    allowed: [...options.certificateAuthorities],
    ok: false,
    error: null,
  };
  await Promise.all([
    lookup.txt(name).then(
      (found) => {
        txt.found = found;
        txt.ok = found.includes(expected);
      },
      (error: unknown) => {
        txt.error = failure(error);
      },
    ),
    lookup.cname(domain).then(
      (found) => {
        cname.found = found;
        cname.ok = options.target !== null && found.includes(options.target);
      },
      (error: unknown) => {
        cname.error = failure(error);
      },
    ),
    relevantCaa(lookup, domain).then(
      (relevant) => {
        caa.at = relevant.at;
        const issue = relevant.records.filter((record) => record.tag === 'issue');
        caa.issuers = issue.map((record) => issuerOf(record.value));
        // No record set, or one without `issue` properties, lets any authority issue.
        caa.ok =
          issue.length === 0 || caa.issuers.some((issuer) => options.certificateAuthorities.includes(issuer));
      },
      (error: unknown) => {
        caa.error = failure(error);
      },
    ),
  ]);
  return {
    checkedAt: options.now.toISOString(),
    txt,
    cname,
    caa,
    heldByAnotherTenant: false,
    serving: null,
    actions: [],
  };
}

/** What to change, in words, for the findings of a domain in the state a check left it in. */
export function actionsFor(findings: DomainFindings, domain: string, state: string): string[] {
  const actions: string[] = [];
  const { txt, cname, caa } = findings;
  if (txt.error) actions.push(`Checking the TXT record: ${txt.error}.`);
  else if (!txt.ok) {
    actions.push(
      txt.found.length === 0
        ? `Add a TXT record at ${txt.name} with the value ${txt.expected} (none was found there).`
        : `Set the TXT record at ${txt.name} to ${txt.expected}: found ${txt.found.map((value) => `“${value}”`).join(', ')} instead.`,
    );
  }
  if (findings.heldByAnotherTenant) {
    actions.push(
      `${domain} is verified by another tenant: it can be taken once that tenant's TXT record is gone and its claim lapses, or it removes the domain.`,
    );
  }
  if (cname.error) actions.push(`Checking the CNAME: ${cname.error}.`);
  else if (cname.expected === null) {
    actions.push(
      'This deployment does not serve custom domains yet: its operators have not set a CNAME target.',
    );
  } else if (!cname.ok) {
    const apex = domain.split('.').length === 2;
    actions.push(
      `${
        cname.found.length === 0
          ? `Add a CNAME record at ${domain} pointing to ${cname.expected} (none was found).`
          : `Point the CNAME at ${domain} to ${cname.expected}: it points to ${cname.found.join(', ')}.`
      }${apex ? ' An apex domain cannot hold a CNAME at most DNS providers: use a subdomain (www, app).' : ''}`,
    );
  }
  if (caa.error) actions.push(`Checking CAA records: ${caa.error}.`);
  else if (!caa.ok) {
    actions.push(
      `The CAA records at ${caa.at} allow only ${caa.issuers.map((issuer) => issuer || '(no authority)').join(', ')} to issue certificates: add a CAA record “0 issue "${caa.allowed[0] ?? 'amazon.com'}"” there.`,
    );
  }
  if (findings.serving && !findings.serving.ready) {
    actions.push(`The certificate and the serving are being set up: ${findings.serving.detail}`);
  }
  if (actions.length === 0) {
    actions.push(
      state === 'active'
        ? `Nothing to change: ${domain} names this tenant. Keep the TXT record: a daily check looks for it.`
        : `Nothing to change: the next check moves ${domain} on.`,
    );
  }
  return actions;
}
