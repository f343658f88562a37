import { domainToASCII, domainToUnicode } from 'node:url';
import { isIP } from 'node:net';
import { ValidationError } from '../errors';

/**
 * A host a tenant may claim, in the form it is stored and looked up by: ASCII (an internationalized
 * name in its punycode form), lower case, without a trailing dot. Refused, each with a clear reason:
 * IP literals, wildcards, a single label, labels over 63 or names over 253 characters, characters a
 * host name cannot have, the platform's own domains and the names that never reach the internet
 * (`localhost`, `.local`, `.internal`, `.invalid`, `.arpa`, `.onion`), and internationalized labels
 * that can pass for another name (scripts mixed in one label; a Cyrillic or Greek label made only of
 * letters that look Latin), as browsers refuse to show them.
 */
export interface DomainNameRules {
  /** The base domains tenants' subdomains live under, and the platform's own domains. */
  reserved: readonly string[];
}

const MAX_NAME = 253;
const MAX_LABEL = 63;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Top-level names that never resolve on the internet (RFC 6761, 6762, 7686, 8375, ICANN's `.internal`). */
const NEVER_PUBLIC = ['localhost', 'local', 'internal', 'invalid', 'arpa', 'onion', 'home.arpa', 'alt'];

function refuse(message: string, code: 'domain_invalid' | 'domain_not_allowed' | 'domain_confusable'): never {
  throw new ValidationError(message, [{ path: 'domain', message }], code);
}

/** Scripts a label may not mix with another (the ones whose letters pass for each other). */
const SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Han', /\p{Script=Han}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
];
/** Mixes a language writes with (Japanese, Korean, and Latin beside CJK), as browsers allow them. */
const ALLOWED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Hangul']),
  new Set(['Latin', 'Han']),
];
/** Cyrillic and Greek letters that look like Latin ones: a label of these alone spells a Latin word. */
const LATIN_LOOKALIKES = new Set([...'аесԁһіјӏорԛѕԝхуԍү', ...'οαινκρυχ']);

function scriptsOf(label: string): Set<string> {
  const found = new Set<string>();
  for (const char of label) {
    for (const [name, pattern] of SCRIPTS) if (pattern.test(char)) found.add(name);
  }
  return found;
}

function checkConfusable(asciiLabel: string, unicodeLabel: string, name: string): void {
  if (!asciiLabel.startsWith('xn--')) return;
  const scripts = scriptsOf(unicodeLabel);
  if (scripts.size > 1 && !ALLOWED_MIXES.some((mix) => [...scripts].every((script) => mix.has(script)))) {
    refuse(
      `${name} mixes the ${[...scripts].join(' and ')} scripts in “${unicodeLabel}”: such a name can pass for another one, so it cannot be claimed.`,
      'domain_confusable',
    );
  }
  const letters = [...unicodeLabel].filter((char) => /\p{L}/u.test(char));
  if (
    (scripts.has('Cyrillic') || scripts.has('Greek')) &&
    letters.length > 0 &&
    letters.every((char) => LATIN_LOOKALIKES.has(char))
  ) {
    refuse(
      `${name} (“${unicodeLabel}”) is spelled only with letters that look Latin: it can pass for a Latin name, so it cannot be claimed.`,
      'domain_confusable',
    );
  }
}

/** The stored form of a claimed host, or a 400 saying why it cannot be one. */
export function normalizeDomain(input: string, rules: DomainNameRules): string {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '') refuse('The domain is empty.', 'domain_invalid');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || /[/?#@:]/.test(trimmed.replace(/^\[.*\]$/, ''))) {
    refuse(
      `“${trimmed}” is not a host name: give the host alone (shop.example.com), without a scheme, port, path or credentials.`,
      'domain_invalid',
    );
  }
  if (trimmed.startsWith('[') || isIP(trimmed) !== 0 || /^[0-9.]+$/.test(trimmed)) {
    refuse(`“${trimmed}” is an IP address: a custom domain is a host name.`, 'domain_invalid');
  }
  if (trimmed.includes('*')) {
    refuse(`“${trimmed}” is a wildcard: claim each host by its own name.`, 'domain_invalid');
  }
  // Punycode and the Unicode form both arrive here: WHATWG's IDNA (UTS #46) maps and checks them.
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || !/^[\x21-\x7e]+$/.test(ascii)) {
    refuse(`“${trimmed}” is not a valid host name.`, 'domain_invalid');
  }
  if (ascii.length > MAX_NAME) {
    refuse(
      `The domain is ${ascii.length} characters long; a host name has at most ${MAX_NAME}.`,
      'domain_invalid',
    );
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    refuse(`“${trimmed}” has a single label: give a full domain (shop.example.com).`, 'domain_invalid');
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL) {
      refuse(
        `The label “${label.slice(0, 20)}…” is ${label.length} characters long; a label has at most ${MAX_LABEL}.`,
        'domain_invalid',
      );
    }
    if (!ASCII_LABEL.test(label)) {
      refuse(
        `The label “${label}” is not a host-name label: letters, digits and inner hyphens only.`,
        'domain_invalid',
      );
    }
  }
  const top = labels.at(-1) ?? '';
  if (/^[0-9]+$/.test(top))
    refuse(`“${trimmed}” ends in a number: no top-level domain is one.`, 'domain_invalid');
  const unicodeLabels = domainToUnicode(ascii).split('.');
  labels.forEach((label, index) => checkConfusable(label, unicodeLabels[index] ?? label, trimmed));
  for (const reserved of NEVER_PUBLIC) {
    if (ascii === reserved || ascii.endsWith(`.${reserved}`)) {
      refuse(
        `Names under .${reserved} never reach the internet: claim a public domain.`,
        'domain_not_allowed',
      );
    }
  }
  for (const reserved of rules.reserved) {
    if (ascii === reserved || ascii.endsWith(`.${reserved}`)) {
      refuse(
        `${ascii} is one of the platform’s own domains: a tenant’s subdomain there is its slug; claim a domain you own.`,
        'domain_not_allowed',
      );
    }
  }
  return ascii;
}

/** The host as people read it (the Unicode form of an internationalized name). */
export function displayDomain(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

/**
 * The stored form of a domain named in a path, or `null` for a name that cannot be a domain (which is
 * then simply not found: no lookup is made).
 */
export function pathDomain(domain: string): string | null {
  try {
    return normalizeDomain(domain, { reserved: [] });
  } catch {
    return null;
  }
}
