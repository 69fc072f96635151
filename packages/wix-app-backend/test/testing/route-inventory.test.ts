/**
 * The route inventory's own parts: the URL a route file serves, which files are route files, and
 * the checks it makes of them — shown catching each fault on a fixture app's route files
 * (test/fixtures/route-inventory). The whole inventory, credential probes included, runs against
 * the template's app (test/app/api/route-inventory.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  accessLists,
  exportProblem,
  findRouteFiles,
  listProblems,
  loadRouteFiles,
  routeUrl,
} from '../../src/testing/route-inventory';
import { fixtureApp } from '../fixtures/route-inventory/fixture-app';

const FIXTURE_ROOT = fileURLToPath(new URL('../fixtures/route-inventory/', import.meta.url));

describe('routeUrl', () => {
  it.each([
    ['app/api/users/route.ts', '/api/users', {}, true],
    ['app/(demo)/api/dev/instance/route.ts', '/api/dev/instance', {}, true],
    ['app/api/notes/[id]/route.ts', '/api/notes/sample-id', { id: 'sample-id' }, false],
    ['app/api/[...path]/route.ts', '/api/sample/path', { path: ['sample', 'path'] }, false],
    [
      'app/api/docs/[[...slug]]/route.ts',
      '/api/docs/sample/path',
      { slug: ['sample', 'path'] },
      false,
    ],
    ['app/(a)/@panel/api/x/route.ts', '/api/x', {}, true],
  ])('derives the URL of %s as %s', (file, urlPath, params, isStatic) => {
    expect(routeUrl(file)).toEqual({ path: urlPath, params, isStatic });
  });

  it('skips route files in private _folders, which Next does not serve', () => {
    expect(routeUrl('app/api/_internal/route.ts')).toBeNull();
  });
});

describe('findRouteFiles', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'route-inventory-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const touch = (file: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '');
  };

  it('finds every route.ts under app/, in groups and dynamic folders, sorted; nothing else', () => {
    for (const file of [
      'app/api/me/route.ts',
      'app/(demo)/api/dev/route.ts',
      'app/api/notes/[id]/route.ts',
      'app/(bench)/api/bench/floor/route.bench.ts',
      'app/api/me/helpers.ts',
      'app/page.tsx',
      'lib/route.ts',
    ])
      touch(file);
    expect(findRouteFiles(root)).toEqual([
      'app/(demo)/api/dev/route.ts',
      'app/api/me/route.ts',
      'app/api/notes/[id]/route.ts',
    ]);
  });
});

describe("the inventory's checks, on a fixture app", async () => {
  const routes = await loadRouteFiles(FIXTURE_ROOT);
  const lists = accessLists(fixtureApp, 'fixture-app.ts');
  const problemOf = (file: string) => {
    const route = routes.find((r) => r.file === file)!;
    return route.methods.map(({ method, handler }) => exportProblem(route, method, handler, lists));
  };

  it('imports each routed file, and skips the private one', () => {
    expect(routes.map(({ file, path: urlPath }) => [file, urlPath])).toEqual([
      ['app/api/hooks/[...path]/route.ts', '/api/hooks/sample/path'],
      ['app/api/misdeclared/route.ts', '/api/misdeclared'],
      ['app/api/ok/route.ts', '/api/ok'],
      ['app/api/unwrapped/route.ts', '/api/unwrapped'],
    ]);
  });

  it('passes an authenticated route and a server route its list covers', () => {
    expect(problemOf('app/api/ok/route.ts')).toEqual([null]);
    expect(problemOf('app/api/hooks/[...path]/route.ts')).toEqual([null]);
  });

  it('catches an export made without a wrapper', () => {
    expect(problemOf('app/api/unwrapped/route.ts')).toEqual([
      expect.stringContaining('GET in app/api/unwrapped/route.ts is not made with route()'),
    ]);
  });

  it('catches a public route its list does not name, with both ways to resolve it', () => {
    const [problem] = problemOf('app/api/misdeclared/route.ts');
    expect(problem).toContain(
      'makes it with publicRoute(), but fixture-app.ts lists /api/misdeclared in neither',
    );
    expect(problem).toContain("add '/api/misdeclared' to publicPaths");
    expect(problem).toContain('make GET with route()');
  });

  it('catches a list entry no route file serves, and a path in both lists', () => {
    expect(listProblems(routes, lists)).toEqual([
      expect.stringContaining("publicPaths in fixture-app.ts names '/api/gone'"),
    ]);
    const both = { ...lists, serverPaths: [...lists.serverPaths, '/api/gone'] };
    expect(listProblems(routes, both)).toContainEqual(
      "fixture-app.ts names '/api/gone' in both publicPaths and serverPaths.",
    );
  });
});
