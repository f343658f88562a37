import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console: a static single-page app. `npm start` builds it (when its sources changed) and the
 * twin serves `web/dist` at `/` of the API's port; in AWS it is an S3 bucket behind CloudFront. The
 * API's address and the Cognito ids are read at run time from `/config.json`, never built in.
 */
/** The running twin (`npm start`), which `npm run web:dev` sends the API and config.json to. */
const twin = process.env.TENANTRY_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run web:dev`: the console with hot reload on :5173, against the running twin (same
    // origin through this proxy). The console may import the project's base modules.
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: { '/v1': twin, '/config.json': twin },
  },
});
