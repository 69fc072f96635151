/**
 * The route inventory's own parts: the URL a route file serves, and which files are route files.
 * The whole inventory runs against the template's app (test/app/api/route-inventory.test.ts),
 * whose route files it imports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRouteFiles, routeUrl } from '../../src/testing/route-inventory';

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
