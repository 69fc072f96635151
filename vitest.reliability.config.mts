/**
 * The reliability suite (npm run test:reliability): property-based fuzzing of the auth and CORS
 * primitives, then real `next start` servers under garbage, load, Wix faults and a PostgreSQL
 * outage. Like the e2e suite it tests the production build and never builds: run `npm run build`
 * first. The PostgreSQL outage file runs only under `bash scripts/with-postgres.sh`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['test/reliability/**/*.test.ts'],
    exclude: ['node_modules/**'],
    environment: 'node',
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // Servers and load generators share 2 cores: one file at a time, or the load numbers lie.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
