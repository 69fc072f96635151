/**
 * Ends `npm test` with one line saying what the skipped tests are, when they are the PostgreSQL
 * runs: without TEST_DATABASE_URL the storage contracts and route batteries registered for
 * PostgreSQL skip, and a bare "97 skipped" looks like something is wrong.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SkippedNoticeReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        if (test.result().state === 'skipped') skipped++;
      }
    }
    if (skipped === 0 || process.env.TEST_DATABASE_URL) return;
    process.stdout.write(
      `\n${skipped} skipped: tests that need PostgreSQL (TEST_DATABASE_URL is not set). Include them with ` +
        '`bash scripts/with-postgres.sh npm test` (needs PostgreSQL server binaries: ' +
        '`apt-get install postgresql`).\n',
    );
  }
}
