import { describe, expect, it } from 'vitest';
import { DnsLookupError, type DnsLookup } from '../../../shared/custom-domains/dns-lookup';
import { actionsFor, inspectDomain } from '../../../shared/custom-domains/domain-findings';

function zone(records: {
  txt?: Record<string, string[]>;
  cname?: Record<string, string[]>;
  caa?: Record<string, Array<{ tag: string; value: string }>>;
  failing?: string[];
}): DnsLookup {
  const answer = <T>(table: Record<string, T[]> | undefined, name: string): Promise<T[]> =>
    records.failing?.includes(name)
      ? Promise.reject(new DnsLookupError(name, 'ETIMEOUT'))
      : Promise.resolve(table?.[name] ?? []);
  return {
    txt: (name) => answer(records.txt, name),
    cname: (name) => answer(records.cname, name),
    caa: (name) => answer(records.caa, name),
  };
}

const options = {
  token: 'tok123',
  target: 'tenants.cdn.example',
  certificateAuthorities: ['amazon.com', 'amazontrust.com'],
  now: new Date('2026-03-01T00:00:00Z'),
};
const domain = 'app.acme.example';
const challenge = '_tenantry-challenge.app.acme.example';

describe('custom domain findings', () => {
  it('says what it found and what to add when nothing is there', async () => {
    const findings = await inspectDomain(zone({}), domain, options);
    expect(findings.txt).toMatchObject({
      name: challenge,
      expected: 'tenantry-domain-verification=tok123',
      found: [],
      ok: false,
    });
    const actions = actionsFor(findings, domain, 'verifying').join('\n');
    expect(actions).toContain(
      `Add a TXT record at ${challenge} with the value tenantry-domain-verification=tok123`,
    );
    expect(actions).toContain(`Add a CNAME record at ${domain} pointing to tenants.cdn.example`);
    expect(actions).not.toMatch(/^pending$/im);
  });

  it('shows the values found beside the one expected, and where the CNAME points instead', async () => {
    const findings = await inspectDomain(
      zone({
        txt: { [challenge]: ['tenantry-domain-verification=old', 'v=spf1'] },
        cname: { [domain]: ['elsewhere.example'] },
      }),
      domain,
      options,
    );
    const actions = actionsFor(findings, domain, 'verifying').join('\n');
    expect(actions).toContain('found “tenantry-domain-verification=old”, “v=spf1” instead');
    expect(actions).toContain('it points to elsewhere.example');
  });

  it('reads CAA records where they apply (the closest parent) and names the authority to allow', async () => {
    const blocked = await inspectDomain(
      zone({
        caa: {
          'acme.example': [
            { tag: 'issue', value: 'letsencrypt.org' },
            { tag: 'iodef', value: 'mailto:x@acme.example' },
          ],
        },
      }),
      domain,
      options,
    );
    expect(blocked.caa).toMatchObject({ at: 'acme.example', issuers: ['letsencrypt.org'], ok: false });
    expect(actionsFor(blocked, domain, 'verified').join('\n')).toContain(
      'add a CAA record “0 issue "amazon.com"” there',
    );
    // The positive controls: an allowed authority (with parameters), a record set with no `issue`, none at all.
    const allowed = await inspectDomain(
      zone({
        caa: {
          [domain]: [{ tag: 'issue', value: 'amazon.com; account=1' }],
          'acme.example': [{ tag: 'issue', value: ';' }],
        },
      }),
      domain,
      options,
    );
    expect(allowed.caa).toMatchObject({ at: domain, ok: true });
    expect(
      (
        await inspectDomain(
          zone({ caa: { 'acme.example': [{ tag: 'iodef', value: 'mailto:x' }] } }),
          domain,
          options,
        )
      ).caa.ok,
    ).toBe(true);
    expect((await inspectDomain(zone({}), domain, options)).caa).toMatchObject({ at: null, ok: true });
    // `issue ";"` forbids every authority.
    expect(
      (
        await inspectDomain(
          zone({ caa: { 'acme.example': [{ tag: 'issue', value: ';' }] } }),
          domain,
          options,
        )
      ).caa.ok,
    ).toBe(false);
  });

  it('reports a failed lookup as such, never as a missing record', async () => {
    const findings = await inspectDomain(zone({ failing: [challenge] }), domain, options);
    expect(findings.txt).toMatchObject({ ok: false, error: expect.stringContaining('ETIMEOUT') });
    expect(actionsFor(findings, domain, 'active').join('\n')).toContain(
      'the DNS lookup failed (ETIMEOUT); it is retried',
    );
  });

  it('says there is nothing to change once everything is in place', async () => {
    const findings = await inspectDomain(
      zone({
        txt: { [challenge]: ['tenantry-domain-verification=tok123'] },
        cname: { [domain]: ['tenants.cdn.example'] },
      }),
      domain,
      options,
    );
    expect(findings.txt.ok && findings.cname.ok && findings.caa.ok).toBe(true);
    expect(actionsFor(findings, domain, 'active')).toEqual([
      `Nothing to change: ${domain} names this tenant. Keep the TXT record: a daily check looks for it.`,
    ]);
  });
});
