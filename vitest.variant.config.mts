/**
 * The proxy.ts variant's suite: run by .ci/run in the copy `npm run proxy:rename` renamed
 * (scripts/proxy-variant.sh), after that copy's own build. The unit tests that find Next's
 * middleware file by either name, and the standalone server built from the renamed file — whose
 * middleware answers what no route can (a path Next cannot decode).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = { '@': fileURLToPath(new URL('./', import.meta.url)) };

export default defineConfig({
  resolve: { alias },
  test: {
    environment: 'node',
    setupFiles: ['packages/wix-app-backend/src/testing/setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/middleware.test.ts',
            'test/structure/{demo-removable,import-graph,next-config,shared-modules}.test.ts',
            'test/scripts/lib/rename-to-proxy.test.ts',
          ],
          env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', DATABASE_URL: '' },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/standalone.test.ts'],
          globalSetup: ['test/e2e/helpers/global-setup.ts'],
          hookTimeout: 120_000,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
