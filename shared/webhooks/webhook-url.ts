import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { getConfig } from '../config';

/** Why a webhook URL may not be called, or `null` with the address to call it at. */
export type UrlCheck = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

/**
 * The IPv4 address an IPv6 address carries in its last 32 bits and is delivered to: IPv4-mapped
 * (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`, deprecated but still routed by some stacks).
 * The other forms that embed one (SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`,
 * 6to4 `2002::/16`, Teredo `2001::/32`) have ranges of their own, which are refused whole.
 */
function deliveredIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  const parts = address.parts;
  const compatible = parts.slice(0, 6).every((part) => part === 0);
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as such.
  if (!compatible || (parts[6] === 0 && (parts[7] ?? 0) <= 1)) return null;
  return ipaddr.fromByteArray(address.toByteArray().slice(12)) as ipaddr.IPv4;
}

/**
 * Whether an address may receive webhooks: public unicast only. Private, loopback, link-local (the
 * cloud metadata service), carrier-grade NAT, multicast and reserved ranges would let a tenant make
 * the platform call into its own network, and so would any IPv6 spelling of such an IPv4 address;
 * the IPv6 transition ranges (NAT64, 6to4, Teredo, SIIT) are refused whatever they embed. The twin may
 * allow loopback, by configuration.
 */
export function addressAllowed(address: string, allowLoopback: boolean): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') parsed = deliveredIPv4(parsed as ipaddr.IPv6) ?? parsed;
  const range = parsed.range();
  return range === 'unicast' || (allowLoopback && range === 'loopback');
}

/**
 * Checks a webhook URL and finds the address to call it at: `https` (plain `http` only to an allowed
 * loopback address, in the twin), no credentials in it, and every address its host resolves to
 * allowed. The delivery connects to the address checked here, so a host that resolves elsewhere a
 * moment later (DNS rebinding) is not followed.
 */
export async function checkWebhookUrl(raw: string): Promise<UrlCheck> {
  const { allowLoopback } = getConfig().webhooks;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'not https' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(host, { all: true });
    } catch {
      return { ok: false, reason: `${host} does not resolve` };
    }
  }
  const refused = addresses.find((entry) => !addressAllowed(entry.address, allowLoopback));
  if (refused || addresses.length === 0) {
    return { ok: false, reason: `${host} is a private, loopback, link-local or reserved address` };
  }
  const [first] = addresses;
  if (!first) return { ok: false, reason: `${host} does not resolve` };
  const loopback = ipaddr.parse(first.address).range() === 'loopback';
  if (url.protocol === 'http:' && !(allowLoopback && loopback)) return { ok: false, reason: 'not https' };
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}
