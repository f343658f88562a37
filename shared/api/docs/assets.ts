import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The files of the reference page, served from the `swagger-ui-dist` package, with their media types. */
export const DOCS_ASSETS = {
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const;
export type DocsAsset = keyof typeof DOCS_ASSETS;
export const DOCS_ASSET_NAMES = Object.keys(DOCS_ASSETS) as [DocsAsset, ...DocsAsset[]];

/** The package files the docs function reads at run time; its bundle carries them. */
export const DOCS_PACKAGE_FILES = ['package.json', ...DOCS_ASSET_NAMES].map(
  (file) => `swagger-ui-dist/${file}`,
);

const loaded = new Map<DocsAsset, string>();

/**
 * A file of the reference page. Resolved like any package file, so it is found in `node_modules`
 * locally and in the Lambda bundle, whose build copies these files beside the code.
 */
export function docsAsset(name: DocsAsset): string {
  let text = loaded.get(name);
  if (text === undefined) {
    const require = createRequire(import.meta.url);
    text = readFileSync(require.resolve(`swagger-ui-dist/${name}`), 'utf8');
    loaded.set(name, text);
  }
  return text;
}
