/**
 * The one wrapper every route handler is made with. It hands the handler the application
 * context (src/app/context.ts) and turns anything thrown into a problem response through the one
 * mapper, so handlers never catch to map errors. Tests call `GET.withContext(app)(request)` with
 * a context of their own.
 *
 * The wrapper also declares who may call the route, next to the route itself:
 *   route(…)        a verified instance or access token (every route unless said otherwise)
 *   publicRoute(…)  anyone, no credential — its path must also be in the app's `publicPaths`
 *   serverRoute(…)  server-to-server with credentials of its own (the Wix webhook signature,
 *                   the cron secret), no CORS — its path must also be in `serverPaths`
 * The route inventory (src/testing/route-inventory.ts, run by the template's
 * test/app/api/route-inventory.test.ts) imports every route file and fails when a declaration and
 * the app's paths disagree, or when an authenticated route answers without credentials. The app
 * gets these three bound to its process context from `createWixApp`.
 */
import type { AppContext, RouteAccess } from '../app/context';
import { fallbackLog, withLogFields } from '../log';
import { nameActiveSpan } from '../tracing';
import { answerError } from './answer-error';
import { applyCors } from './gate';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';

export { json, noContent } from './json';

export type { RouteAccess };

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

function makeRoute<P extends Params>(
  processContext: () => AppContext,
  access: RouteAccess,
  handler: RouteHandler<P>,
): Route<P> {
  const serve = (app: () => AppContext) => (request: Request, context?: RouteContext<P>) => {
    let served: AppContext | null = null;
    let unusable: unknown = null;
    try {
      served = app();
    } catch (error) {
      unusable = error; // invalid configuration: answered below, under a request id all the same
    }
    // The middleware may have named its own refusal, never a request it let through: unless the
    // platform's id is trusted (src/http/request-id.ts), the id is this answer's own.
    const requestId = requestIdFor(request, served?.config.requestIdHeader ?? null);
    nameActiveSpan(requestId);
    // Every log line written while serving the request carries its id, after-response work too.
    return withLogFields({ requestId }, async () => {
      let response: Response;
      let corsHeaders: Record<string, string> = {};
      try {
        if (served === null) throw unusable;
        // A request with a body skips the middleware (middleware.ts says why): CORS is applied
        // here instead, before the handler, and its headers go on whatever it answers.
        if (access !== 'server' && carriesBody(request)) {
          const cors = applyCors(request, served, () => requestId);
          if (cors.kind === 'respond') return named(cors.response, requestId);
          corsHeaders = cors.responseHeaders;
        }
        const params = ((await context?.params) ?? {}) as P;
        response = await handler(request, served, params);
      } catch (error) {
        response = answerError(error, { log: served?.log ?? fallbackLog, requestId, request });
      }
      for (const [name, value] of Object.entries(corsHeaders)) setHeader(response, name, value);
      served?.afterRequest();
      return named(response, requestId);
    });
  };
  const served = serve(processContext) as Route<P>;
  return Object.assign(served, {
    withContext: (app: AppContext) => serve(() => app),
    access,
  });
}

/**
 * Mirrors middleware.ts's matcher: these requests never went through the middleware (the test
 * kit serves the others through the middleware's gate, as production does).
 */
export function carriesBody(request: Request): boolean {
  return request.headers.has('content-length') || request.headers.has('transfer-encoding');
}

/** Every answer names its request, so a report of a failure can be found in the log. */
function named(response: Response, requestId: string): Response {
  setHeader(response, REQUEST_ID_HEADER, requestId);
  return response;
}

/** Response.redirect() and fetch() answers have immutable headers: those stay as they are. */
function setHeader(response: Response, name: string, value: string): void {
  try {
    response.headers.set(name, value);
  } catch {
    /* immutable headers */
  }
}

export interface RouteWrappers {
  /** A route for verified callers: its handler's first line is `await app.authenticate(request)`. */
  route<P extends Params = Params>(handler: RouteHandler<P>): Route<P>;
  /** A route anyone may call. Its path goes in the app's `publicPaths` too. */
  publicRoute<P extends Params = Params>(handler: RouteHandler<P>): Route<P>;
  /**
   * A server-to-server route that checks credentials of its own (no CORS, no instance). Its path
   * goes in the app's `serverPaths` too.
   */
  serverRoute<P extends Params = Params>(handler: RouteHandler<P>): Route<P>;
}

/** The three wrappers, serving from `processContext` (the app's, built on first request). */
export function createRouteWrappers(processContext: () => AppContext): RouteWrappers {
  return {
    route: (handler) => makeRoute(processContext, 'instance', handler),
    publicRoute: (handler) => makeRoute(processContext, 'public', handler),
    serverRoute: (handler) => makeRoute(processContext, 'server', handler),
  };
}
