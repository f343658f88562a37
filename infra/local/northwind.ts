import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Northwind Traders, the fictional company behind the twin's stand-in identity providers (OpenID in
 * oidc-idp.ts, SAML in saml-idp.ts): its people, their one password, and the sign-in page both show.
 * `npm start` gives both providers one directory, so a colleague IT adds is at both.
 */
export interface LocalPerson {
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

/** Everyone's password at the stand-in providers (the twin's only: nobody real signs in there). */
export const LOCAL_IDP_PASSWORD = 'Northwind-Local-1!';
export const LOCAL_IDP_DOMAIN = 'northwind.example';

export const NORTHWIND_PEOPLE: readonly LocalPerson[] = [
  {
    sub: 'nw-0001',
    email: `ada@${LOCAL_IDP_DOMAIN}`,
    name: 'Ada Lovelace',
    groups: ['tenantry-admins', 'staff'],
  },
  { sub: 'nw-0002', email: `grace@${LOCAL_IDP_DOMAIN}`, name: 'Grace Hopper', groups: ['staff'] },
  { sub: 'nw-0003', email: `linus@${LOCAL_IDP_DOMAIN}`, name: 'Linus Pauling', groups: ['contractors'] },
];

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font-family:system-ui;max-width:24rem;margin:4rem auto;color:#1b1b1b}label{display:block;margin:.75rem 0}
input{width:100%;padding:.5rem;font-size:1rem}button{padding:.5rem 1rem;font-size:1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px}
.error{color:#a40000}`;

/** The company's sign-in page: posts `email` and `password` to `action`. */
export function loginPage(action: string, audience: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind sign-in</title>
<style>${STYLE}</style></head><body><main>
<h1>Northwind Traders</h1><p>Sign in to continue to <strong>${escapeHtml(audience)}</strong>.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></main></body></html>`;
}

/** The person this email and password sign in, if they do. */
export function signIn(people: readonly LocalPerson[], form: URLSearchParams): LocalPerson | undefined {
  const email = (form.get('email') ?? '').trim().toLowerCase();
  const person = people.find((candidate) => candidate.email === email);
  return person && form.get('password') === LOCAL_IDP_PASSWORD ? person : undefined;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `POST /_stand-in/people` `{ email, name?, groups? }`: IT adds a colleague (or changes one's name and
 * groups; the subject stays). Answers the person.
 */
export async function addPerson(
  people: LocalPerson[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let body: Partial<LocalPerson>;
  try {
    body = JSON.parse(await readBody(req)) as Partial<LocalPerson>;
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"JSON body required"}');
    return;
  }
  const email = String(body.email ?? '')
    .trim()
    .toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"email required"}');
    return;
  }
  const person: LocalPerson = {
    sub: body.sub ?? `p-${randomBytes(8).toString('hex')}`,
    email,
    name: body.name ?? email.split('@')[0] ?? email,
    groups: Array.isArray(body.groups) ? body.groups.map(String) : [],
  };
  const at = people.findIndex((candidate) => candidate.email === email);
  if (at >= 0) people[at] = { ...person, sub: (people[at] as LocalPerson).sub };
  else people.push(person);
  res
    .writeHead(201, { 'content-type': 'application/json' })
    .end(JSON.stringify(people.find((p) => p.email === email)));
}
