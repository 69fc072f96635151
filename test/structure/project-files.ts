/** The project's TypeScript files, for the structure tests that read source text. */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const EXTENSIONS = ['.ts', '.tsx'];

/**
 * Next's request middleware file: the template's middleware.ts, or the proxy.ts that
 * `npm run proxy:rename` makes of it (Next 16's name). Tests name neither file directly, so the
 * renamed project passes them too (.ci/run builds and tests that variant).
 */
export const ENTRY_FILE = fs.existsSync(path.join(ROOT, 'proxy.ts')) ? 'proxy.ts' : 'middleware.ts';

/** `.ts`/`.tsx` files under `dir` (relative to the project, posix paths), minus folders in `skip`. */
export function listFiles(dir: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.includes(rel)) out.push(...listFiles(rel, skip));
    } else if (EXTENSIONS.some((ext) => entry.name.endsWith(ext))) out.push(rel);
  }
  return out;
}

/**
 * The demo, as docs/architecture.md ("Removing the demo") tells an author to delete it: the page
 * and its development routes, and their tests.
 */
export const DEMO_PATHS = ['app/(demo)', 'test/app/(demo)', 'test/e2e/demo-page.test.ts'] as const;

/** False once an author removed the demo: the checks of it then check that it is all gone. */
export const DEMO_PRESENT = fs.existsSync(path.join(ROOT, DEMO_PATHS[0]));

/** True for a path inside one of DEMO_PATHS. */
export const isDemoPath = (rel: string): boolean =>
  DEMO_PATHS.some((demo) => rel === demo || rel.startsWith(`${demo}/`));
