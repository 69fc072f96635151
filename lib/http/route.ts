/**
 * The one wrapper every route handler is made with. It hands the handler the application
 * context (lib/app/context.ts) and turns anything thrown into a problem response through the one
 * mapper, so handlers never catch to map errors. Tests call `GET.withContext(app)(request)` with
 * a context of their own.
 *
 * The wrapper also declares who may call the route, next to the route itself:
 *   route(…)        a verified instance or access token (every route unless said otherwise)
 *   publicRoute(…)  anyone, no credential — must also be listed in PUBLIC_API_PATHS
 *   serverRoute(…)  server-to-server with credentials of its own (the Wix webhook signature,
 *                   the cron secret), no CORS — must also be listed in SERVER_API_PATHS
 * test/app/api/route-inventory.test.ts imports every route file and fails when a declaration and
 * lib/http/api-access.ts disagree, or when an authenticated route answers without credentials.
 */
import { getAppContext, type AppContext } from '../app/context';
import { toProblemResponse } from './problem';

export { json, noContent } from './json';

/** Who may call a route: see the module comment. */
export type RouteAccess = 'instance' | 'public' | 'server';

type Params = Record<string, string | string[] | undefined>;

/** What Next passes a route handler besides the request. */
export interface RouteContext<P extends Params = Params> {
  params: Promise<P>;
}

export type RouteHandler<P extends Params = Params> = (
  request: Request,
  app: AppContext,
  params: P,
) => Promise<Response> | Response;

export interface Route<P extends Params = Params> {
  (request: Request, context?: RouteContext<P>): Promise<Response>;
  /** The same route served from another context (tests). */
  withContext(app: AppContext): (request: Request, context?: RouteContext<P>) => Promise<Response>;
  readonly access: RouteAccess;
}

function makeRoute<P extends Params>(access: RouteAccess, handler: RouteHandler<P>): Route<P> {
  const serve = (app: () => AppContext) => async (request: Request, context?: RouteContext<P>) => {
    try {
      const params = ((await context?.params) ?? {}) as P;
      return await handler(request, app(), params);
    } catch (error) {
      return toProblemResponse(error);
    }
  };
  const served = serve(getAppContext) as Route<P>;
  return Object.assign(served, {
    withContext: (app: AppContext) => serve(() => app),
    access,
  });
}

/** A route for verified callers: its handler's first line is `await app.authenticate(request)`. */
export function route<P extends Params = Params>(handler: RouteHandler<P>): Route<P> {
  return makeRoute('instance', handler);
}

/** A route anyone may call. List its path in PUBLIC_API_PATHS (lib/http/api-access.ts) too. */
export function publicRoute<P extends Params = Params>(handler: RouteHandler<P>): Route<P> {
  return makeRoute('public', handler);
}

/**
 * A server-to-server route that checks credentials of its own (no CORS, no instance). List its
 * path in SERVER_API_PATHS (lib/http/api-access.ts) too.
 */
export function serverRoute<P extends Params = Params>(handler: RouteHandler<P>): Route<P> {
  return makeRoute('server', handler);
}
