/**
 * The end-to-end suite: real `next start` servers (and real Chromium) against the production
 * build in .next. It does not build: run `npm run build` first (CI builds before this step).
 * The global setup checks for .next/BUILD_ID and stops the run with a clear message otherwise.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * A file that mostly waits on real time (a retry's backoff) carries this marker and starts first,
 * so its wait overlaps the other worker's files instead of ending the run alone (without it the
 * event-retries file, small and so sorted last, added its 30 s wait to the suite's wall time).
 */
const MOSTLY_WAITS = '@e2e-mostly-waits';

class WaitingFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waits = (file: TestSpecification) =>
      fs.readFileSync(file.moduleId, 'utf8').includes(MOSTLY_WAITS);
    return [...sorted.filter(waits), ...sorted.filter((file) => !waits(file))];
  }
}

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    exclude: ['node_modules/**'],
    environment: 'node',
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    setupFiles: ['packages/wix-app-backend/src/testing/setup.ts'],
    // Every file starts its own servers on free ports, so two files can run at once, and much of
    // this suite waits (Wix faults, budget windows, Chromium): two at a time measured 147 s and
    // 140 s against 217 s one by one, every test passing. The reliability suite runs its waiting
    // files three at a time, and its load file alone (vitest.reliability.config.mts).
    fileParallelism: true,
    maxWorkers: 2,
    sequence: { sequencer: WaitingFilesFirst },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
