import { domainToASCII } from 'node:url';

/**
 * The domain an email address would be captured by, as captured domains are stored (lower-case
 * ASCII, no trailing dot), or `null` for an address without one. Every lookup of a capture uses it.
 */
export function capturedDomainOf(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 1) return null;
  return (
    domainToASCII(
      email
        .slice(at + 1)
        .trim()
        .toLowerCase()
        .replace(/\.$/, ''),
    ) || null
  );
}
