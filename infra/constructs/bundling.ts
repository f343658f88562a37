/**
 * How every Lambda function is bundled (esbuild): CJS for node22 with the AWS SDK inside (the
 * deployed versions are the tested ones), minified, and `import.meta.url` provided for shared code
 * that resolves package files. The CDK functions and `npm run bench:bundles` both use these.
 */
export const BUNDLE_OPTIONS = {
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  minify: true,
  // The packages' ES module builds, which esbuild can tree-shake (the AWS SDK's CJS builds are one
  // file per client, every command included).
  mainFields: ['module', 'main'],
  banner: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;",
  define: { 'import.meta.url': '__importMetaUrl' },
} as const;
