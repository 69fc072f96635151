/**
 * The route inventory: every route file of an app checked with no test of its own. Call it from
 * one test file of the app (test/app/api/route-inventory.test.ts in the template):
 *
 *   await describeRouteInventory({ root: fileURLToPath(new URL('../../../', import.meta.url)), app: wixApp });
 *
 * It finds each `route.ts` under `<root>/app` (route groups such as app/(demo)/ included), imports
 * it while the tests are collected, and for each HTTP method it exports checks that
 *   - the export is made with one of the app's wrappers (`route`, `publicRoute`, `serverRoute`);
 *   - the wrapper's access agrees with the definition's `publicPaths` and `serverPaths`, the
 *     lists the middleware reads;
 *   - an authenticated (`route()`) export answers 401 without a credential and with a forged one,
 *     and refuses a body-carrying request before reading a byte of it — so a handler that
 *     forgets `app.authenticate` fails here;
 * and that every path the lists name has a route file. A route added later is picked up with no
 * edit anywhere: the check lives here, in the package, so a fix to it reaches every app with the
 * package instead of staying in the copy an app was cloned with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathAccess } from '../app/access';
import type { RouteAccess } from '../app/context';
import type { WixApp } from '../create-wix-app';
import type { Route } from '../http/route';
import { createTestApp, TEST_BASE_URL, type TestApp } from './index';
import { expectProblem } from './requests';

export interface RouteInventoryOptions {
  /** The project's root: the folder that holds `app/`. */
  root: string;
  /** The app whose `publicPaths` and `serverPaths` the route files must agree with. */
  app: WixApp;
  /** Where those lists are written, for the failure messages; default `lib/wix-app.ts`. */
  definedIn?: string;
}

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

export interface RouteUrl {
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

/**
 * Every `route.ts` under `<root>/app`, relative to the root, sorted (benchmark-only routes are
 * `*.bench.ts`, not `route.ts`).
 */
export function findRouteFiles(root: string): string[] {
  return (fs.readdirSync(path.join(root, 'app'), { recursive: true }) as string[])
    .map((relative) => path.posix.join('app', relative.split(path.sep).join('/')))
    .filter((file) => path.posix.basename(file) === 'route.ts')
    .sort();
}

export interface RouteFile extends RouteUrl {
  file: string;
  /** The module, or why it could not be imported. */
  module: Record<string, unknown> | { importError: unknown };
  methods: { method: string; handler: unknown }[];
}

/** Imports every route file, so which tests exist can follow from what each exports. */
export async function loadRouteFiles(root: string): Promise<RouteFile[]> {
  const routeFiles: RouteFile[] = [];
  for (const file of findRouteFiles(root)) {
    const url = routeUrl(file);
    if (!url) continue;
    let module: RouteFile['module'];
    try {
      module = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>;
    } catch (importError) {
      module = { importError };
    }
    const methods = HTTP_METHODS.filter((method) => method in module).map((method) => ({
      method,
      handler: (module as Record<string, unknown>)[method],
    }));
    routeFiles.push({ file, module, methods, ...url });
  }
  return routeFiles;
}

/** A `serverPaths` entry ending in `/*` covers every path under it (WixAppDefinition). */
const isPrefixEntry = (listed: string) => listed.endsWith('/*');

function isWrapped(handler: unknown): handler is Route {
  if (typeof handler !== 'function') return false;
  const { withContext, access } = handler as unknown as Partial<Route>;
  return typeof withContext === 'function' && ACCESSES.includes(access as RouteAccess);
}

/**
 * An app's access lists, the access they give a URL path (read as the gate reads them), and where
 * they are written (for messages).
 */
export interface AccessLists {
  publicPaths: readonly string[];
  serverPaths: readonly string[];
  accessOf: (urlPath: string) => RouteAccess;
  definedIn: string;
}

export function accessLists(app: WixApp, definedIn = 'lib/wix-app.ts'): AccessLists {
  return {
    publicPaths: app.definition.publicPaths ?? [],
    serverPaths: app.definition.serverPaths ?? [],
    accessOf: pathAccess(app.definition),
    definedIn,
  };
}

/**
 * What is wrong with one export of a route file, as the message a failing test shows (the one
 * edit for each way of resolving it), or null: made with a wrapper, whose access the lists give
 * its path.
 */
export function exportProblem(
  route: RouteFile,
  method: string,
  handler: unknown,
  lists: AccessLists,
): string | null {
  if (!isWrapped(handler)) {
    return `${method} in ${route.file} is not made with route(), publicRoute() or serverRoute() from the app's createWixApp: wrap the handler, e.g. export const ${method} = route(async (request, app) => { … }).`;
  }
  const declared = handler.access;
  const listed = lists.accessOf(route.path);
  if (declared === listed) return null;
  const file = lists.definedIn;
  const listSays =
    listed === 'instance'
      ? `${file} lists ${route.path} in neither publicPaths nor serverPaths, so it needs a credential`
      : `${file} lists ${route.path} in ${LIST[listed]}`;
  const listEdits = [
    ...(listed === 'instance' ? [] : [`remove '${route.path}' from ${LIST[listed]}`]),
    ...(declared === 'instance' ? [] : [`add '${route.path}' to ${LIST[declared]}`]),
  ];
  return [
    `${method} ${route.path}: ${route.file} makes it with ${WRAPPER[declared]}, but ${listSays}.`,
    `  If ${route.file} is right, edit ${file}: ${listEdits.join(' and ')}.`,
    `  If ${file} is right, edit ${route.file}: make ${method} with ${WRAPPER[listed]}.`,
  ].join('\n');
}

/**
 * The list entries no route file serves (a `/*` entry is served by a catch-all route file in that
 * folder, `[...path]`), and the paths named in both lists: each as the message a failing test shows.
 */
export function listProblems(routeFiles: readonly RouteFile[], lists: AccessLists): string[] {
  const unserved = [
    ...lists.publicPaths.map((p) => ['publicPaths', p] as const),
    ...lists.serverPaths.map((p) => ['serverPaths', p] as const),
  ]
    .filter(
      ([, listed]) =>
        !routeFiles.some((route) =>
          isPrefixEntry(listed)
            ? !route.isStatic && route.path === `${listed.slice(0, -2)}/sample/path`
            : route.isStatic && route.path === listed,
        ),
    )
    .map(
      ([list, listed]) =>
        `${list} in ${lists.definedIn} names '${listed}', but no route.ts under app/ serves it: remove it from ${list}, or add the route file.`,
    );
  const both = lists.publicPaths
    .filter((p) => lists.serverPaths.includes(p))
    .map((p) => `${lists.definedIn} names '${p}' in both publicPaths and serverPaths.`);
  return [...unserved, ...both];
}

/**
 * Registers the inventory's tests (in the calling test file; await it at the top level, as the
 * route files are imported while the tests are collected).
 */
export async function describeRouteInventory(options: RouteInventoryOptions): Promise<void> {
  const { root, app } = options;
  const lists = accessLists(app, options.definedIn);
  const accessFile = lists.definedIn;
  const routeFiles = await loadRouteFiles(root);

  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({ app });
  });
  afterAll(() => kit.close());

  describe('the route inventory', () => {
    it('finds at least one route file under app/', () => {
      expect(routeFiles, `no route.ts under ${path.join(root, 'app')}`).not.toEqual([]);
    });

    it('names only paths a route file serves, each in one list', () => {
      expect(listProblems(routeFiles, lists)).toEqual([]);
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
      it(`makes ${method} with a wrapper whose access ${accessFile} gives its path`, () => {
        const problem = exportProblem(route, method, handler, lists);
        expect(problem, problem ?? '').toBeNull();
      });

      if (!isWrapped(handler) || handler.access !== 'instance') continue;
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
          `${method} in ${route.file} answered ${response.status} to a request it must refuse: make its first line \`await app.authenticate(request)\` (or declare it publicRoute() and list it in ${accessFile}).`,
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

      // Such a request skips the middleware (bodies go straight to their route): the handler's
      // credential check is the only thing between an anonymous 10 MB upload and the server
      // reading it.
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
}
