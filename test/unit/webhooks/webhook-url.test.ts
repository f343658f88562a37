import { describe, expect, it } from 'vitest';
import { addressAllowed, checkWebhookUrl } from '../../../shared/webhooks/webhook-url';

/** IPv4 addresses a webhook must never reach, each with the IPv6 forms that embed it. */
const REFUSED_IPV4 = {
  'the metadata service (169.254.169.254)': [0xa9fe, 0xa9fe],
  'loopback (127.0.0.1)': [0x7f00, 0x0001],
  'private (10.0.0.1)': [0x0a00, 0x0001],
  'carrier-grade NAT (100.64.0.1)': [0x6440, 0x0001],
} as const;

const hex = (n: number) => n.toString(16);

/** Every IPv6 spelling of an IPv4 address (high and low 16 bits). */
function ipv6Forms([high, low]: readonly [number, number]): Record<string, string> {
  return {
    'IPv4-mapped': `::ffff:${hex(high)}:${hex(low)}`,
    'IPv4-mapped, dotted': `::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`,
    'IPv4-compatible': `::${hex(high)}:${hex(low)}`,
    'IPv4-compatible, dotted': `::${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`,
    'IPv4-translated (SIIT)': `::ffff:0:${hex(high)}:${hex(low)}`,
    'NAT64 well-known prefix': `64:ff9b::${hex(high)}:${hex(low)}`,
    'NAT64 local-use prefix': `64:ff9b:1::${hex(high)}:${hex(low)}`,
    '6to4': `2002:${hex(high)}:${hex(low)}::1`,
    'Teredo (server)': `2001:0:${hex(high)}:${hex(low)}::1`,
    'Teredo (client, obfuscated)': `2001:0:4136:e378:8000:63bf:${hex(high ^ 0xffff)}:${hex(low ^ 0xffff)}`,
  };
}

describe('webhook target addresses', () => {
  for (const [name, ipv4] of Object.entries(REFUSED_IPV4)) {
    for (const [form, address] of Object.entries(ipv6Forms(ipv4))) {
      it(`refuses ${name} spelled ${form} (${address})`, async () => {
        expect(addressAllowed(address, false)).toBe(false);
        expect(await checkWebhookUrl(`https://[${address}]/hook`)).toMatchObject({ ok: false });
      });
    }
  }

  it('accepts public addresses, IPv4 and IPv6, and a public IPv4 address mapped into IPv6 (positive control)', async () => {
    for (const address of ['93.184.216.34', '2606:4700::1111', '::ffff:5db8:d822', '::ffff:93.184.216.34']) {
      expect(addressAllowed(address, false), address).toBe(true);
    }
    expect(await checkWebhookUrl('https://[2606:4700::1111]/hook')).toMatchObject({ ok: true, family: 6 });
  });

  it("judges IPv6's own loopback and unspecified addresses as such, not as embedded IPv4", () => {
    expect(addressAllowed('::1', false)).toBe(false);
    expect(addressAllowed('::', false)).toBe(false);
    expect(addressAllowed('::1', true)).toBe(true);
  });
});
