/**
 * What the production build in .next ships. Next traces, for the middleware and every route,
 * the files it reads at run time into a `*.nft.json` next to its bundle; a deployment copies
 * exactly those. A dynamic filesystem access in server code makes Turbopack trace the whole
 * project, and development-only code reached from production would ship with it: neither the
 * test suites, the docs and the scripts nor anything under packages/wix-app-backend/src/dev/ may be listed. (That the
 * client bundles carry no app secret is checked in test/reliability/secret-leak.test.ts.)
 *
 * Paths in an nft file are relative to the folder the nft file is in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/paths';

const BUILD_DIR = path.join(PROJECT_ROOT, '.next');
/** Project folders whose files no deployment needs. */
const NEVER_TRACED = ['test', 'docs', 'scripts'];
/** Always traced (next.config.mjs outputFileTracingIncludes): proves the paths resolve. */
const MIGRATIONS_JOURNALS = [
  'lib/db/migrations/meta/_journal.json',
  'packages/wix-app-backend/migrations/meta/_journal.json',
];

interface Trace {
  /** e.g. `middleware`, `app/api/me/route`, `app/(demo)/page` */
  name: string;
  /** Every traced file, relative to the project root (`..` when outside it). */
  files: string[];
}

/** Every trace under .next/server, and Next's own server traces at the top of .next. */
function readTraces(): Trace[] {
  const entries = [
    ...fs.readdirSync(BUILD_DIR).filter((entry) => entry.endsWith('.nft.json')),
    ...fs
      .readdirSync(path.join(BUILD_DIR, 'server'), { recursive: true, encoding: 'utf8' })
      .filter((entry) => entry.endsWith('.nft.json'))
      .map((entry) => path.join('server', entry)),
  ];
  return entries.sort().map((entry) => {
    const nftFile = path.join(BUILD_DIR, entry);
    const { files } = JSON.parse(fs.readFileSync(nftFile, 'utf8')) as { files: string[] };
    return {
      name: entry
        .replace(/\.js\.nft\.json$/, '')
        .replace(/^server[\\/]/, '')
        .split(path.sep)
        .join('/'),
      files: files.map((file) =>
        path
          .relative(PROJECT_ROOT, path.resolve(path.dirname(nftFile), file))
          .split(path.sep)
          .join('/'),
      ),
    };
  });
}

/** Per trace, the files `matches` picks out; traces without any are left out. */
function offenders(traces: Trace[], matches: (file: string) => boolean) {
  const found: Record<string, string[]> = {};
  for (const trace of traces) {
    const files = trace.files.filter(matches);
    if (files.length > 0) found[trace.name] = files;
  }
  return found;
}

describe('the production build in .next', () => {
  const traces = readTraces();

  it('has a file trace for the middleware and every API route, with paths that resolve', () => {
    const names = traces.map((t) => t.name);
    for (const expected of ['middleware', 'app/api/me/route', 'app/api/webhooks/wix/route']) {
      expect(names).toContain(expected);
    }
    // A check over misresolved paths would find nothing: every trace must name the migrations.
    const withoutMigrations = traces
      .filter((t) => t.name === 'middleware' || t.name.startsWith('app/api/'))
      .filter((t) => !MIGRATIONS_JOURNALS.every((journal) => t.files.includes(journal)))
      .map((t) => t.name);
    expect(withoutMigrations).toEqual([]);
  });

  it('traces no file from the test, docs or scripts folders into any route or the middleware', () => {
    const found = offenders(traces, (file) =>
      NEVER_TRACED.some((folder) => file.startsWith(`${folder}/`)),
    );
    expect(found).toEqual({});
  });

  it('traces nothing of the dev tools (the package’s dev/) into any route or the middleware', () => {
    expect(
      offenders(traces, (file) => file.startsWith('packages/wix-app-backend/src/dev/')),
    ).toEqual({});
  });
});
