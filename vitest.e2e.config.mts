/**
 * The end-to-end suite: real `next start` servers (and real Chromium) against the production
 * build in .next. It does not build: run `npm run build` first (CI builds before this step).
 * The global setup checks for .next/BUILD_ID and stops the run with a clear message otherwise.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    exclude: ['node_modules/**'],
    environment: 'node',
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // Every file starts its own servers on free ports, so two files can run at once, and much of
    // this suite waits (Wix faults, budget windows, Chromium): two at a time measured 147 s and
    // 140 s against 217 s one by one, every test passing. The reliability suite runs its waiting
    // files three at a time, and its load file alone (vitest.reliability.config.mts).
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
