/**
 * Runs once before the e2e suite: the suite tests the production build and never builds it.
 * Also warns (without failing) when sources look newer than the build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';

const SOURCES = [
  'app',
  'lib',
  'packages/wix-app-backend/src',
  'middleware.ts',
  'proxy.ts',
  'instrumentation.ts',
  'next.config.mjs',
];

function newestMtime(entry: string): number {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of readdirSync(entry)) {
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

export default function setup(): void {
  const buildId = path.join(PROJECT_ROOT, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) {
    throw new Error(
      `The e2e suite tests the production build, but ${buildId} is missing: run npm run build first.`,
    );
  }
  const builtAt = statSync(buildId).mtimeMs;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(PROJECT_ROOT, s))));
  if (newest > builtAt + 1_000) {
    console.warn(
      '[e2e] app/, lib/, the package or middleware.ts changed after the last build: results reflect the old ' +
        'build until you run npm run build again.',
    );
  }
}
