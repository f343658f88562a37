import { describe, expect, it } from 'vitest';
import { displayDomain, normalizeDomain } from '../../../shared/custom-domains/domain-name';

const rules = { reserved: ['tenants.example.com', 'localhost', 'console.tenantry.example'] };
const refused = (input: string) => {
  try {
    normalizeDomain(input, rules);
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('custom domain names', () => {
  it('stores a host in one form: ASCII, lower case, no trailing dot', () => {
    expect(normalizeDomain('App.Acme.Example.', rules)).toBe('app.acme.example');
    expect(normalizeDomain('  shop.acme.co.uk ', rules)).toBe('shop.acme.co.uk');
    // The Unicode form and the punycode form are one name.
    expect(normalizeDomain('bücher.example', rules)).toBe('xn--bcher-kva.example');
    expect(normalizeDomain('XN--BCHER-KVA.example', rules)).toBe('xn--bcher-kva.example');
    expect(displayDomain('xn--bcher-kva.example')).toBe('bücher.example');
    // Full-width letters map to their ASCII forms (UTS #46), as browsers do.
    expect(normalizeDomain('ＡＰＰ.acme.example', rules)).toBe('app.acme.example');
    // Writing systems that mix by nature are accepted: Japanese, and Latin beside CJK.
    expect(refused('東京タワー.example')).toBe('accepted');
    expect(refused('ελληνικά.example')).toBe('accepted');
    expect(refused('москва.example')).toBe('accepted');
  });

  it.each([
    ['192.0.2.10', 'domain_invalid'],
    ['[2001:db8::1]', 'domain_invalid'],
    ['2001:db8::1', 'domain_invalid'],
    ['10.1', 'domain_invalid'],
    ['*.acme.example', 'domain_invalid'],
    ['a*.acme.example', 'domain_invalid'],
    ['acme', 'domain_invalid'],
    ['', 'domain_invalid'],
    ['https://app.acme.example', 'domain_invalid'],
    ['app.acme.example/path', 'domain_invalid'],
    ['user@app.acme.example', 'domain_invalid'],
    ['app.acme.example:443', 'domain_invalid'],
    [`${'a'.repeat(64)}.example`, 'domain_invalid'],
    [`${'abcdefghi.'.repeat(26)}example`, 'domain_invalid'],
    ['under_score.example', 'domain_invalid'],
    ['-lead.example', 'domain_invalid'],
    ['trail-.example', 'domain_invalid'],
    ['double..dot.example', 'domain_invalid'],
    ['app.acme.123', 'domain_invalid'],
    ['sp ace.example', 'domain_invalid'],
    ['xn--invalid-.example', 'domain_invalid'],
    ['acme.localhost', 'domain_not_allowed'],
    ['localhost', 'domain_invalid'],
    ['printer.local', 'domain_not_allowed'],
    ['db.internal', 'domain_not_allowed'],
    ['x.invalid', 'domain_not_allowed'],
    ['1.0.0.127.in-addr.arpa', 'domain_not_allowed'],
    ['hidden.onion', 'domain_not_allowed'],
    ['tenants.example.com', 'domain_not_allowed'],
    ['acme.tenants.example.com', 'domain_not_allowed'],
    ['console.tenantry.example', 'domain_not_allowed'],
    // Cyrillic а inside a Latin word; Greek ο inside one; a Cyrillic word made of Latin look-alikes.
    ['pаypal.example', 'domain_confusable'],
    ['gοogle.example', 'domain_confusable'],
    ['аррӏе.example', 'domain_confusable'],
    ['xn--80ak6aa92e.example', 'domain_confusable'],
  ])('refuses %s (%s)', (input, code) => {
    expect(refused(input)).toBe(code);
  });

  it('says why, in words, naming what was wrong', () => {
    expect(() => normalizeDomain('*.acme.example', rules)).toThrow(/wildcard/);
    expect(() => normalizeDomain('192.0.2.10', rules)).toThrow(/IP address/);
    expect(() => normalizeDomain(`${'a'.repeat(70)}.example`, rules)).toThrow(
      /70 characters long; a label has at most 63/,
    );
    expect(() => normalizeDomain('pаypal.example', rules)).toThrow(/mixes the Latin and Cyrillic scripts/);
    // The neighbours of each refusal pass: the platform's own domain's sibling, a plain subdomain.
    expect(refused('tenants-example.com')).toBe('accepted');
    expect(refused('paypal.example')).toBe('accepted');
    expect(refused(`${'a'.repeat(63)}.example`)).toBe('accepted');
  });
});
