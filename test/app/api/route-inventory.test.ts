/**
 * Every route file, checked with no test of its own: this file finds each `route.ts` under app/
 * (route groups such as app/(demo)/ included), imports it, and for each HTTP method it exports
 * checks that
 *   - the export is made with one of lib/wix-app.ts's wrappers (`route`, `publicRoute`,
 *     `serverRoute`);
 *   - the wrapper's access agrees with lib/wix-app.ts's `publicPaths` and `serverPaths`, the
 *     lists the middleware reads;
 *   - an authenticated (`route()`) export answers 401 without a credential and with a forged one
 *     — so a handler that forgets `app.authenticate` fails here;
 * and that every path the lists name has a route file. A route added later is picked up with no
 * edit here (docs/adding-a-route.md, docs/decisions/017-no-hidden-lists.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route, RouteAccess } from 'wix-app-backend';
import { wixApp } from '@/lib/wix-app';
import { createTestApp, expectProblem, TEST_BASE_URL, type TestApp } from '@/test/kit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const APP_DIR = path.join(ROOT, 'app');
const ACCESS_FILE = 'lib/wix-app.ts';
const PUBLIC_API_PATHS = wixApp.definition.publicPaths ?? [];
const SERVER_API_PATHS = wixApp.definition.serverPaths ?? [];

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const METHODS_WITH_BODIES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ACCESSES: readonly RouteAccess[] = ['instance', 'public', 'server'];
const WRAPPER: Record<RouteAccess, string> = {
  instance: 'route()',
  public: 'publicRoute()',
  server: 'serverRoute()',
};
const LIST: Record<Exclude<RouteAccess, 'instance'>, string> = {
  public: 'publicPaths',
  server: 'serverPaths',
};

interface RouteUrl {
  /** A URL path that reaches the route: dynamic segments filled with sample values. */
  path: string;
  /** The params Next would pass for that path. */
  params: Record<string, string | string[]>;
  /** True when the path has no dynamic segment (only those can be in the exact-path lists). */
  isStatic: boolean;
}

/**
 * The URL a route file serves, from its path under app/: `(group)` and `@slot` folders add no
 * segment; `[id]` becomes `sample-id`; `[...path]` and `[[...path]]` become `sample/path`. Null for
 * a file in a private `_folder`, which Next does not route.
 */
export function routeUrl(file: string): RouteUrl | null {
  const segments = path.posix.dirname(file.split(path.sep).join('/')).split('/').slice(1);
  const parts: string[] = [];
  const params: Record<string, string | string[]> = {};
  for (const segment of segments) {
    if (segment.startsWith('_')) return null;
    if ((segment.startsWith('(') && segment.endsWith(')')) || segment.startsWith('@')) continue;
    const catchAll = /^\[\[?\.\.\.([^\]]+)\]\]?$/.exec(segment);
    const dynamic = /^\[([^\].]+)\]$/.exec(segment);
    if (catchAll) {
      params[catchAll[1]!] = ['sample', 'path'];
      parts.push('sample', 'path');
    } else if (dynamic) {
      params[dynamic[1]!] = `sample-${dynamic[1]}`;
      parts.push(`sample-${dynamic[1]}`);
    } else {
      parts.push(segment);
    }
  }
  return { path: `/${parts.join('/')}`, params, isStatic: Object.keys(params).length === 0 };
}

/** Every `route.ts` under app/, relative to the project root (bench routes are `*.bench.ts`). */
function findRouteFiles(): string[] {
  return (fs.readdirSync(APP_DIR, { recursive: true }) as string[])
    .map((relative) => path.posix.join('app', relative.split(path.sep).join('/')))
    .filter((file) => path.posix.basename(file) === 'route.ts' && !file.endsWith('.bench.ts'))
    .sort();
}

interface RouteFile extends RouteUrl {
  file: string;
  /** The module, or why it could not be imported. */
  module: Record<string, unknown> | { importError: unknown };
  methods: { method: string; handler: unknown }[];
}

// Imported while the tests are collected: which tests exist depends on what the files export.
const routeFiles: RouteFile[] = [];
for (const file of findRouteFiles()) {
  const url = routeUrl(file);
  if (!url) continue;
  let module: RouteFile['module'];
  try {
    module = (await import(/* @vite-ignore */ path.join(ROOT, file))) as Record<string, unknown>;
  } catch (importError) {
    module = { importError };
  }
  const methods = HTTP_METHODS.filter((method) => method in module).map((method) => ({
    method,
    handler: (module as Record<string, unknown>)[method],
  }));
  routeFiles.push({ file, module, methods, ...url });
}

/** A `serverPaths` entry ending in `/*` covers every path under it (WixAppDefinition). */
const isPrefixEntry = (listed: string) => listed.endsWith('/*');
const underPrefix = (urlPath: string, listed: string) =>
  isPrefixEntry(listed) && urlPath.startsWith(listed.slice(0, -1));

/** What lib/wix-app.ts says of a path. */
function listedAccess(urlPath: string): RouteAccess {
  if (PUBLIC_API_PATHS.includes(urlPath)) return 'public';
  if (SERVER_API_PATHS.some((p) => p === urlPath || underPrefix(urlPath, p))) return 'server';
  return 'instance';
}

function isWrapped(handler: unknown): handler is Route {
  if (typeof handler !== 'function') return false;
  const { withContext, access } = handler as unknown as Partial<Route>;
  return typeof withContext === 'function' && ACCESSES.includes(access as RouteAccess);
}

/** The failure message: what disagrees, and the one edit for each way of resolving it. */
function disagreement(
  route: RouteFile,
  method: string,
  declared: RouteAccess,
  listed: RouteAccess,
): string {
  const listSays =
    listed === 'instance'
      ? `${ACCESS_FILE} lists ${route.path} in neither publicPaths nor serverPaths, so it needs a credential`
      : `${ACCESS_FILE} lists ${route.path} in ${LIST[listed]}`;
  const listEdits = [
    ...(listed === 'instance' ? [] : [`remove '${route.path}' from ${LIST[listed]}`]),
    ...(declared === 'instance' ? [] : [`add '${route.path}' to ${LIST[declared]}`]),
  ];
  return [
    `${method} ${route.path}: ${route.file} makes it with ${WRAPPER[declared]}, but ${listSays}.`,
    `  If ${route.file} is right, edit ${ACCESS_FILE}: ${listEdits.join(' and ')}.`,
    `  If ${ACCESS_FILE} is right, edit ${route.file}: make ${method} with ${WRAPPER[listed]}.`,
  ].join('\n');
}

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

describe('the route inventory', () => {
  it.each([
    ['app/api/users/route.ts', '/api/users', {}],
    ['app/(demo)/api/dev/instance/route.ts', '/api/dev/instance', {}],
    ['app/api/notes/[id]/route.ts', '/api/notes/sample-id', { id: 'sample-id' }],
    ['app/api/[...path]/route.ts', '/api/sample/path', { path: ['sample', 'path'] }],
    ['app/api/docs/[[...slug]]/route.ts', '/api/docs/sample/path', { slug: ['sample', 'path'] }],
    ['app/(a)/@panel/api/x/route.ts', '/api/x', {}],
  ])('derives the URL of %s as %s', (file, urlPath, params) => {
    expect(routeUrl(file)).toMatchObject({ path: urlPath, params });
  });

  it('skips route files in private _folders, which Next does not serve', () => {
    expect(routeUrl('app/api/_internal/route.ts')).toBeNull();
  });

  it('finds the route files under app/, in route groups too, and no bench routes', () => {
    const found = routeFiles.map(({ file, path: urlPath }) => [file, urlPath]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['app/api/health/route.ts', '/api/health'],
        ['app/api/me/route.ts', '/api/me'],
        ['app/api/[...path]/route.ts', '/api/sample/path'],
      ]),
    );
    expect(found.filter(([file]) => file!.includes('bench'))).toEqual([]);
  });

  it.each([
    ...PUBLIC_API_PATHS.map((p) => ['publicPaths', p]),
    ...SERVER_API_PATHS.map((p) => ['serverPaths', p]),
  ])('has a route file for %s entry %s', (list, listedPath) => {
    // A `/*` entry is served by a catch-all route file in that folder (`[...path]`).
    const served = routeFiles.some((route) =>
      isPrefixEntry(listedPath!)
        ? !route.isStatic && route.path === `${listedPath!.slice(0, -2)}/sample/path`
        : route.isStatic && route.path === listedPath,
    );
    expect(
      served,
      `${list} in ${ACCESS_FILE} names '${listedPath}', but no route.ts under app/ serves it: remove it from ${list}, or add the route file.`,
    ).toBe(true);
  });

  it('names no path in both publicPaths and serverPaths', () => {
    expect(PUBLIC_API_PATHS.filter((p) => SERVER_API_PATHS.includes(p))).toEqual([]);
  });
});

describe.each(routeFiles)('$file ($path)', (route) => {
  it('imports and exports at least one HTTP method', () => {
    if ('importError' in route.module) throw route.module.importError;
    expect(
      route.methods.map(({ method }) => method),
      `${route.file} exports none of ${HTTP_METHODS.join(', ')}`,
    ).not.toEqual([]);
  });

  for (const { method, handler } of route.methods) {
    it(`makes ${method} with route(), publicRoute() or serverRoute()`, () => {
      expect(
        isWrapped(handler),
        `${method} in ${route.file} is not made with route(), publicRoute() or serverRoute() from packages/wix-app-backend/src/http/route.ts: wrap the handler, e.g. export const ${method} = route(async (request, app) => { … }).`,
      ).toBe(true);
    });

    if (!isWrapped(handler)) continue;
    const listed = listedAccess(route.path);

    it(`declares for ${method} the access ${ACCESS_FILE} gives its path`, () => {
      expect(handler.access, disagreement(route, method, handler.access, listed)).toBe(listed);
    });

    if (handler.access !== 'instance') continue;
    const call = (auth?: string) =>
      kit.call(handler, route.path, {
        method,
        auth,
        json: METHODS_WITH_BODIES.has(method) ? {} : undefined,
        params: route.params,
      });

    /** Says what to fix before the status assertions, which alone read as a puzzle. */
    const failsClosed = async (response: Response, code: string) => {
      expect(
        response.status,
        `${method} in ${route.file} answered ${response.status} to a request it must refuse: make its first line \`await app.authenticate(request)\` (or declare it publicRoute() and list it in ${ACCESS_FILE}).`,
      ).toBe(401);
      await expectProblem(response, 401, code);
    };

    it(`answers ${method} without a credential with 401 missing_credentials`, async () => {
      await failsClosed(await call(), 'missing_credentials');
    });

    it(`answers ${method} with an instance signed by another secret with 401 invalid_signature`, async () => {
      const forged = await kit.signInstance({ secret: 'not-the-app-secret-at-all' });
      await failsClosed(await call(forged), 'invalid_signature');
    });

    // Such a request skips the middleware (decision 019): the handler's credential check is the
    // only thing between an anonymous 10 MB upload and the server reading it.
    if (METHODS_WITH_BODIES.has(method)) {
      it(`answers ${method} without a credential before reading a byte of its body`, async () => {
        let pulls = 0;
        const body = new ReadableStream<Uint8Array>(
          {
            pull() {
              pulls++;
              return new Promise<void>(() => {}); // a body that never arrives
            },
          },
          { highWaterMark: 0 },
        );
        const request = new Request(`${TEST_BASE_URL}${route.path}`, {
          method,
          headers: { 'content-type': 'application/json', 'content-length': String(10 << 20) },
          body,
          duplex: 'half',
        } as RequestInit);
        const response = await handler.withContext(kit.app)(request, {
          params: Promise.resolve(route.params),
        });
        expect(
          pulls,
          `${method} in ${route.file} read the body before refusing a request without a credential: make its first line \`await app.authenticate(request)\`, before reading the body.`,
        ).toBe(0);
        await failsClosed(response, 'missing_credentials');
      });
    }
  }
});
