import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, join, resolve, sep } from 'node:path';
import { localLinkIsValid } from '../../shared/exports/local-links';

/**
 * The twin's stand-in for the exports bucket: the files the export worker wrote under a local
 * directory, served only through links signed as the app signed them (key and expiry under the
 * twin's secret), as S3 serves presigned URLs: an expired or altered link is a 403.
 */
export interface LocalExportFiles {
  url: string;
  dir: string;
  secret: string;
  stop(): Promise<void>;
}

export async function startLocalExportFiles(options: {
  port: number;
  dir: string;
}): Promise<LocalExportFiles> {
  const root = resolve(options.dir);
  const secret = randomBytes(32).toString('base64url');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const key = decodeURIComponent(url.pathname.slice(1));
    const refuse = (status: number, code: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);
    };
    if (req.method !== 'GET') return refuse(405, 'MethodNotAllowed');
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('signature') ?? '';
    if (!localLinkIsValid(secret, key, expires, signature, new Date())) return refuse(403, 'AccessDenied');
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep) || !existsSync(path)) return refuse(404, 'NoSuchKey');
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': String(statSync(path).size),
      'content-disposition': `attachment; filename="${basename(path)}"`,
    });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => done());
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    dir: root,
    secret,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
