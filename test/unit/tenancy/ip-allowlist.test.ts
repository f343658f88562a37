import { describe, expect, it } from 'vitest';
import { allowlistAllows, canonicalCidr, isCidr } from '../../../shared/tenancy/ip-allowlist';

describe('IP allowlists', () => {
  const blocks = ['203.0.113.0/24', '2001:db8::/32'];

  it('allows addresses inside a block, IPv4 and IPv6', () => {
    expect(allowlistAllows(blocks, '203.0.113.7')).toBe(true);
    expect(allowlistAllows(blocks, '2001:db8:1::5')).toBe(true);
  });

  it('treats an IPv4 address mapped into IPv6 as IPv4', () => {
    expect(allowlistAllows(blocks, '::ffff:203.0.113.7')).toBe(true);
  });

  it('refuses addresses outside every block, and anything that is not an address', () => {
    expect(allowlistAllows(blocks, '198.51.100.1')).toBe(false);
    expect(allowlistAllows(blocks, '2001:db9::1')).toBe(false);
    expect(allowlistAllows(blocks, 'not-an-ip')).toBe(false);
    expect(allowlistAllows([], '203.0.113.7')).toBe(false);
  });

  it('knows a CIDR block from an address, and writes blocks canonically', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('10.0.0.1')).toBe(false);
    expect(canonicalCidr('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(canonicalCidr('2001:0db8:0000::1/32')).toBe('2001:db8::/32');
  });
});
