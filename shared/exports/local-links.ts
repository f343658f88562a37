import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature of a local link: the key and its expiry, under the twin's secret. */
export function localLinkSignature(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
}

/** Whether a local link's signature is the one for its key and expiry, and it has not expired. */
export function localLinkIsValid(
  secret: string,
  key: string,
  expires: number,
  signature: string,
  now: Date,
): boolean {
  if (!Number.isInteger(expires) || expires * 1000 < now.getTime()) return false;
  const expected = Buffer.from(localLinkSignature(secret, key, expires));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
