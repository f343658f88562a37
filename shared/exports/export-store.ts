import { traced } from '../observability/tracer';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { getConfig } from '../config';
import { sdkLogger } from '../observability/sdk-logger';
import { localLinkSignature } from './local-links';

/** Where export files go and how a person downloads one: S3 in AWS, a local directory in the twin. */
export interface ExportStore {
  /** Writes the stream as the object `key`. */
  write(key: string, body: Readable, contentType: string): Promise<void>;
  /** A link that downloads the object for `ttlSeconds`, and then no more. */
  link(key: string, ttlSeconds: number, fileName: string): Promise<string>;
  /** Removes every object under `prefix` (a purged tenant's exports); returns how many went. */
  removePrefix(prefix: string): Promise<number>;
}

/** S3: a streamed multipart upload (the bucket encrypts and expires it), a presigned GET. */
function s3Store(bucket: string): ExportStore {
  const client = traced(new S3Client({ region: getConfig().region, logger: sdkLogger as never }));
  return {
    async write(key, body, contentType) {
      await new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      }).done();
    },
    async removePrefix(prefix) {
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length > 0) {
          await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
          );
          removed += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },
    link(key, ttlSeconds, fileName) {
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: `attachment; filename="${fileName}"`,
        }),
        { expiresIn: ttlSeconds },
      );
    },
  };
}

/** The twin: files under a directory, served by the twin's export file server with signed links. */
function localStore(dir: string, baseUrl: string, secret: string): ExportStore {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep)) throw new Error(`Export key outside the store: ${key}`);
    return path;
  };
  return {
    async write(key, body) {
      const path = pathOf(key);
      mkdirSync(dirname(path), { recursive: true });
      await pipeline(body, createWriteStream(path));
    },
    async removePrefix(prefix) {
      const dir = pathOf(prefix.replace(/\/$/, ''));
      if (!existsSync(dir)) return 0;
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) =>
        entry.isFile(),
      ).length;
      rmSync(dir, { recursive: true, force: true });
      return files;
    },
    async link(key, ttlSeconds) {
      const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
      const query = new URLSearchParams({
        expires: String(expires),
        signature: localLinkSignature(secret, key, expires),
      });
      return `${baseUrl.replace(/\/$/, '')}/${key}?${query.toString()}`;
    },
  };
}

let store: ExportStore | undefined;

/** The configured store: S3 where `EXPORTS_BUCKET` is set, else the twin's local directory. */
export function exportStore(): ExportStore {
  if (store) return store;
  const { bucket, localDir, localUrl, localSecret } = getConfig().exports;
  if (bucket) store = s3Store(bucket);
  else if (localDir && localUrl && localSecret) store = localStore(localDir, localUrl, localSecret);
  else throw new Error('No export store is configured (EXPORTS_BUCKET, or the twin’s EXPORTS_LOCAL_*).');
  return store;
}
