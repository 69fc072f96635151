/**
 * The architecture, as rules on the import graph (issue 11): each rule names what it protects.
 * Imports are read from the source text (static `import`/`export … from`, dynamic `import()`),
 * resolved like TypeScript does here (relative paths, the `@/` alias, and the workspace package's
 * `exports` map, so an app file's import of `wix-app-backend/…` is an edge into its source).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PRESENT, ENTRY_FILE, EXTENSIONS, listFiles, ROOT } from './project-files';

const PACKAGE = 'wix-app-backend';
const PACKAGE_DIR = `packages/${PACKAGE}`;
const PACKAGE_EXPORTS = (
  JSON.parse(fs.readFileSync(path.join(ROOT, PACKAGE_DIR, 'package.json'), 'utf8')) as {
    exports: Record<string, string>;
  }
).exports;

const SOURCES = [
  ...listFiles(`${PACKAGE_DIR}/src`),
  ...listFiles('lib'),
  ...listFiles('app'),
  ...[ENTRY_FILE, 'instrumentation.ts'].filter((f) => fs.existsSync(path.join(ROOT, f))),
];

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s*['"]([^'"]+)['"]/g;

function resolve(from: string, specifier: string): string | null {
  let base: string;
  if (specifier === PACKAGE || specifier.startsWith(`${PACKAGE}/`)) {
    const target = PACKAGE_EXPORTS[`.${specifier.slice(PACKAGE.length)}`];
    if (!target) throw new Error(`${from}: '${specifier}' is not in the package's exports`);
    return path.posix.join(PACKAGE_DIR, target);
  }
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.')) base = path.posix.join(path.posix.dirname(from), specifier);
  else return null; // a package
  for (const candidate of [
    base,
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => `${base}/index${e}`),
  ]) {
    const full = path.join(ROOT, candidate);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return candidate;
  }
  return null;
}

const graph = new Map<string, { local: string[]; packages: string[]; text: string }>();
for (const file of SOURCES) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = (match[1] ?? match[2] ?? match[3])!;
    const target = resolve(file, specifier);
    if (target) local.push(target);
    else if (!specifier.startsWith('.') && !specifier.startsWith('@/')) packages.push(specifier);
    else throw new Error(`${file}: cannot resolve import '${specifier}'`);
  }
  graph.set(file, { local, packages, text });
}

const folderOf = (file: string) => file.split('/').slice(0, 2).join('/'); // lib/<folder>
const isDev = (file: string) =>
  file.startsWith(`${PACKAGE_DIR}/src/dev/`) ||
  file.startsWith(`${PACKAGE_DIR}/src/testing/`) ||
  file.startsWith('app/(demo)/') ||
  file.startsWith('app/(bench)/');

function closure(start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(graph.get(file)?.local ?? []));
  }
  return seen;
}

describe('the import graph', () => {
  it('reads a realistic graph (a control for the rules below)', () => {
    expect(graph.get(`${PACKAGE_DIR}/src/create-wix-app.ts`)?.local).toContain(
      `${PACKAGE_DIR}/src/http/gate.ts`,
    );
    expect(graph.get(ENTRY_FILE)?.local).toContain('lib/wix-app.ts');
    expect(graph.get('lib/wix-app.ts')?.local).toContain(`${PACKAGE_DIR}/src/create-wix-app.ts`);
    expect(SOURCES.length).toBeGreaterThan(50);
  });

  it('lets only the package’s http/ build problem responses: domain code throws coded AppErrors', () => {
    const offenders = SOURCES.filter(
      (file) =>
        (file.startsWith('lib/') || file.startsWith(`${PACKAGE_DIR}/src/`)) &&
        !file.startsWith(`${PACKAGE_DIR}/src/http/`) &&
        !file.startsWith(`${PACKAGE_DIR}/src/testing/`) &&
        graph.get(file)!.local.includes(`${PACKAGE_DIR}/src/http/problem.ts`),
    );
    expect(offenders, 'throw AppError (wix-app-backend/errors/app-error) instead').toEqual([]);
  });

  it('keeps production code from importing development, demo or benchmark code', () => {
    const offenders = SOURCES.filter((file) => !isDev(file)).flatMap((file) =>
      graph
        .get(file)!
        .local.filter(isDev)
        .map((target) => `${file} → ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the package free of the app: nothing under packages/ imports a file outside it', () => {
    const escapes = [...graph]
      .filter(([file]) => file.startsWith(`${PACKAGE_DIR}/`))
      .flatMap(([file, { local, text }]) => [
        ...local
          .filter((target) => !target.startsWith(`${PACKAGE_DIR}/`))
          .map((t) => `${file} → ${t}`),
        ...(text.includes("from '@/") ? [`${file} uses the app's @/ alias`] : []),
      ]);
    expect(escapes).toEqual([]);
  });

  it('keeps the package’s tests free of the app too: their fixtures are their own', () => {
    const tests = listFiles(`${PACKAGE_DIR}/test`);
    expect(tests.length).toBeGreaterThan(50);
    const escapes = tests.flatMap((file) =>
      [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(IMPORT)]
        .map((m) => (m[1] ?? m[2] ?? m[3])!)
        .filter(
          (specifier) =>
            specifier.startsWith('@/') ||
            (specifier.startsWith('.') &&
              !path.posix.join(path.posix.dirname(file), specifier).startsWith(`${PACKAGE_DIR}/`)),
        )
        .map((specifier) => `${file} → ${specifier}`),
    );
    expect(escapes).toEqual([]);
  });

  it('has no import cycle between lib/ folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, { local }] of graph) {
      if (!file.startsWith('lib/')) continue;
      for (const target of local) {
        if (!target.startsWith('lib/') || folderOf(target) === folderOf(file)) continue;
        const set = edges.get(folderOf(file)) ?? new Set<string>();
        set.add(folderOf(target));
        edges.set(folderOf(file), set);
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (folder: string, trail: string[]) => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(folder)), folder].join(' → '));
        return;
      }
      state.set(folder, 'visiting');
      for (const next of edges.get(folder) ?? []) visit(next, [...trail, folder]);
      state.set(folder, 'done');
    };
    for (const folder of edges.keys()) visit(folder, []);
    expect(cycles).toEqual([]);
  });

  it('keeps client components away from configuration, secrets and server code', () => {
    const clientFiles = SOURCES.filter((file) =>
      /^\s*['"]use client['"]/.test(graph.get(file)!.text),
    );
    // The demo's page is made of client components; an app without it may have none yet.
    if (DEMO_PRESENT) expect(clientFiles.length).toBeGreaterThan(0);
    const forbidden = (file: string) =>
      [
        'lib/app/',
        `${PACKAGE_DIR}/src/config/`,
        `${PACKAGE_DIR}/src/db/`,
        `${PACKAGE_DIR}/src/auth/`,
        `${PACKAGE_DIR}/src/wix/`,
      ].some((p) => file.startsWith(p));
    const leaks = clientFiles.flatMap((file) =>
      [...closure(file)].filter(forbidden).map((target) => `${file} reaches ${target}`),
    );
    expect(leaks).toEqual([]);
  });

  it('keeps next/* out of the package but for its front door: auth, cors, wix and the rest run anywhere', () => {
    const runsAnywhere = (file: string) =>
      file.startsWith(`${PACKAGE_DIR}/src/`) && file !== `${PACKAGE_DIR}/src/create-wix-app.ts`;
    const offenders = SOURCES.filter(runsAnywhere).filter((file) =>
      graph.get(file)!.packages.some((p) => p === 'next' || p.startsWith('next/')),
    );
    expect(offenders).toEqual([]);
  });
});
