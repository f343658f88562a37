import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { extname, join, normalize, relative, sep } from 'node:path';
import { consoleContentSecurityPolicy, type ConsoleRuntimeConfig } from '../../shared/http/console-policy';
import type { GatewayResponse } from './gateway-front-protocol';

const ROOT = join(import.meta.dirname, '..', '..');
export const CONSOLE_SOURCE_DIR = join(ROOT, 'web');
export const CONSOLE_DIST_DIR = join(CONSOLE_SOURCE_DIR, 'dist');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path)
      .filter((name) => name !== 'dist' && name !== 'node_modules')
      .map((name) => newestChange(join(path, name))),
  );
}

/**
 * Builds the console (Vite) when `web/dist` is missing or older than its sources, so `npm start`
 * stays the one command and a console edit shows at the next start. About two seconds. Vite runs in
 * a process of its own: it sets `NODE_ENV` and more in the process that runs it, and the twin's
 * handlers must run with the environment Lambda gives them.
 */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<void> {
  const index = join(CONSOLE_DIST_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestChange(CONSOLE_SOURCE_DIR)) return;
  log('Building the console (web/)…');
  const vite = join(createRequire(import.meta.url).resolve('vite/package.json'), '..', 'bin', 'vite.js');
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', join(CONSOLE_SOURCE_DIR, 'vite.config.ts'), '--logLevel', 'warn'],
    // A production build whatever runs the twin (vitest sets NODE_ENV=test, which Vite would keep).
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_ENV: 'production' } },
  );
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The console's security headers, as CloudFront's response-headers policy adds them in AWS. */
export function consoleSecurityHeaders(connectSources: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(connectSources),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

/**
 * The twin's stand-in for the console's CloudFront distribution, on the API's own port: the built
 * files of `web/dist`, `/config.json`, and `index.html` for any other page path (the app routes
 * them), as CloudFront's error responses do in AWS. API paths (`/v1/…`, `/docs…`) are not its.
 */
export function consoleResponder(
  config: ConsoleRuntimeConfig,
  dir: string = CONSOLE_DIST_DIR,
): (method: string, pathname: string) => GatewayResponse | undefined {
  const security = consoleSecurityHeaders(config.cognito.endpoint ? [config.cognito.endpoint] : []);
  const configBody = JSON.stringify(config);
  return (method, pathname) => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (
      pathname.startsWith('/v1/') ||
      pathname === '/v1' ||
      pathname === '/docs' ||
      pathname.startsWith('/docs/')
    )
      return undefined;
    if (pathname === '/config.json')
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...security },
        body: configBody,
      };
    let file: string | undefined;
    try {
      const candidate = normalize(join(dir, decodeURIComponent(pathname)));
      const inside = relative(dir, candidate);
      if (
        inside &&
        !inside.startsWith('..') &&
        !inside.startsWith(sep) &&
        existsSync(candidate) &&
        statSync(candidate).isFile()
      )
        file = candidate;
    } catch {
      file = undefined;
    }
    // An asset path that is not there is a 404; any other path is a page of the app.
    if (!file && pathname.startsWith('/assets/'))
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
    const path = file ?? join(dir, 'index.html');
    if (!existsSync(path))
      return {
        status: 503,
        headers: { 'content-type': 'text/plain' },
        body: 'The console is not built: npm run web:build',
      };
    const hashed = path.includes(`${sep}assets${sep}`);
    return {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...security,
      },
      ...(method === 'HEAD' ? {} : { body: new Uint8Array(readFileSync(path)) }),
    };
  };
}
