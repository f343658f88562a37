// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'coverage/**', 'web/dist/**', 'web/src/api/schema.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-nocheck': true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'Focused tests hide the rest of the suite.' },
        { object: 'it', property: 'only', message: 'Focused tests hide the rest of the suite.' },
        { object: 'test', property: 'only', message: 'Focused tests hide the rest of the suite.' },
        { object: 'describe', property: 'skip', message: 'Skipped tests hide a gap.' },
        { object: 'it', property: 'skip', message: 'Skipped tests hide a gap.' },
        { object: 'test', property: 'skip', message: 'Skipped tests hide a gap.' },
      ],
    },
  },
  {
    files: ['functions/**', 'shared/**', 'infra/**'],
    ignores: ['shared/config.ts', 'infra/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through shared/config.ts.' },
      ],
    },
  },
  {
    // The functions' code validates with zod/mini: the full zod adds about 410 KB to every bundle that
    // reaches it (measured with bench:bundles). Only the OpenAPI writer needs the full one.
    files: ['functions/**', 'shared/**'],
    ignores: ['shared/api/openapi.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'zod', message: 'Import zod/mini (see eslint.config.js).' }] },
      ],
    },
  },
  {
    // Plain CommonJS started with node (the twin's start of cognito-local's server).
    files: ['infra/local/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
