import ipaddr from 'ipaddr.js';

/** Whether `value` is an IPv4 or IPv6 CIDR block (`203.0.113.0/24`, `2001:db8::/32`). */
export function isCidr(value: string): boolean {
  return ipaddr.isValidCIDR(value);
}

/** A CIDR block in its canonical form: the network address and the prefix length. */
export function canonicalCidr(value: string): string {
  const [address, bits] = ipaddr.parseCIDR(value);
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(value)
      : ipaddr.IPv6.networkAddressFromCIDR(value);
  return `${network.toString()}/${bits}`;
}

/**
 * Whether an address falls inside one of the blocks. IPv4 addresses mapped into IPv6
 * (`::ffff:203.0.113.7`) count as IPv4; an address that does not parse is allowed by no list.
 */
export function allowlistAllows(blocks: readonly string[], address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return blocks.some((block) => {
    const range = ipaddr.parseCIDR(block);
    return parsed.kind() === range[0].kind() && parsed.match(range);
  });
}
