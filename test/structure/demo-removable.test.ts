/**
 * The demo goes before going live: deleting DEMO_PATHS and the four `/api/dev/…` lines of
 * lib/wix-app.ts (docs/architecture.md, "Removing the demo") must leave an app that builds and
 * passes its tests. That holds while nothing outside the demo imports from it, and while the
 * dev paths are named nowhere else in the app's code — checked here on the source text, so the
 * check costs no build. (It was also tried once for real: a clone with the demo deleted ran
 * `npm run typecheck`, `npm test` and `npm run build` clean.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PATHS, DEMO_PRESENT, ENTRY_FILE, isDemoPath, listFiles, ROOT } from './project-files';

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|vi\.mock\(\s*['"]([^'"]+)['"]/g;

const CODE = [
  ...listFiles('app'),
  ...listFiles('lib'),
  ...listFiles('test'),
  ...listFiles('scripts'),
  ...listFiles('packages'),
  ENTRY_FILE,
  'instrumentation.ts',
].filter((file) => !isDemoPath(file));

/** The repository path an import names, when it is a relative or `@/` one. */
function target(from: string, specifier: string): string | null {
  if (specifier.startsWith('@/')) return specifier.slice(2);
  if (specifier.startsWith('.')) return path.posix.join(path.posix.dirname(from), specifier);
  return null;
}

describe('the demo can be removed', () => {
  it('is there in full or gone in full, and the check reads the app (a control)', () => {
    for (const demo of DEMO_PATHS) {
      expect(fs.existsSync(path.join(ROOT, demo)), demo).toBe(DEMO_PRESENT);
    }
    expect(CODE).toContain('lib/wix-app.ts');
    expect(CODE.length).toBeGreaterThan(100);
  });

  it('is imported by nothing outside it', () => {
    const offenders = CODE.flatMap((file) =>
      [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(IMPORT)]
        .map((m) => target(file, (m[1] ?? m[2] ?? m[3])!))
        .filter((t): t is string => t !== null && isDemoPath(t))
        .map((t) => `${file} → ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('has its dev paths named, in the app, only in the lines the docs say to delete', () => {
    // scripts/dev.ts warms the demo up when it is there and skips it when not.
    const appCode = CODE.filter((f) => f.startsWith('app/') || f.startsWith('lib/'));
    const naming = appCode.flatMap((file) =>
      fs
        .readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .map((line, i) => ({ file, line: i + 1, text: line.trim() }))
        .filter(({ text }) => /['"]\/api\/dev\//.test(text)),
    );
    // Once the demo is gone, so are those lines: a leftover path would be public for nothing.
    expect(naming.map(({ file, text }) => `${file}: ${text}`)).toEqual(
      DEMO_PRESENT
        ? [
            "lib/wix-app.ts: '/api/dev/instance',",
            "lib/wix-app.ts: '/api/dev/access-token',",
            "lib/wix-app.ts: '/api/dev/webhook',",
            "lib/wix-app.ts: '/api/dev/service-plugin',",
          ]
        : [],
    );
  });
});
