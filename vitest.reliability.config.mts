/**
 * The reliability suite (npm run test:reliability): property-based fuzzing of the auth and CORS
 * primitives, then real `next start` servers under garbage, load, Wix faults and a PostgreSQL
 * outage. Like the e2e suite it tests the production build and never builds: run `npm run build`
 * first. The PostgreSQL outage file runs only under `bash scripts/with-postgres.sh`, on a cluster
 * of its own.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Files named `*.alone.test.ts` run after the others, one at a time: sustained load measures a
 * server that must have the machine to itself. The rest start their own servers on free ports
 * (the outage file its own PostgreSQL too) and mostly wait (Wix faults, hanging Token Info, body
 * deadlines, a database down): two at a time kept 0.7 of this machine's two cores busy. Three at a
 * time measured 62 s twice against 75 s, the same CPU, every test passing; four, 53–60 s with the
 * outage and Wix-fault files half as slow again, closer to the bounds their tests assert.
 */
const ALONE = 'test/reliability/**/*.alone.test.ts';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    environment: 'node',
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    setupFiles: ['packages/wix-app-backend/src/testing/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'attacks',
          include: ['test/reliability/**/*.test.ts'],
          exclude: [ALONE, 'node_modules/**'],
          maxWorkers: 3,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: [ALONE],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
