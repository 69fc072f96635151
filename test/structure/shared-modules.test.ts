/**
 * The unit suite runs with `isolate: false` (vitest.config.mts, decision 026): the test files a
 * worker runs share one module registry. A module mock (`vi.mock`) would then reach, or miss,
 * whichever files happen to share its worker — so none may use one. Inject what a test needs
 * through the context instead (test/kit.ts), as every route test does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles, ROOT } from './project-files';

/** The e2e and reliability suites have their own configs, isolated per file. */
const OWN_CONFIG = ['test/e2e', 'test/reliability'];

describe('the unit suite, whose files share modules', () => {
  const files = [...listFiles('test', OWN_CONFIG), ...listFiles('packages/wix-app-backend/test')];

  it('is found (the scan is not empty)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('packages/wix-app-backend/test/http/route.test.ts');
  });

  it('mocks no module (vi.mock, vi.doMock, vi.importMock, vi.unmock)', () => {
    const mocking = files.filter((file) =>
      /\bvi\.(mock|doMock|importMock|unmock)\s*\(/.test(
        fs.readFileSync(path.join(ROOT, file), 'utf8'),
      ),
    );
    expect(mocking).toEqual([]);
  });
});
