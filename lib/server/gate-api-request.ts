/**
 * What the middleware does to every /api request, free of `next/*` so it is tested with plain
 * `Request`s: CORS first (preflights never need credentials), then authentication for every
 * route that is not public, then the verified identity sealed into a request header.
 */
import { IDENTITY_HEADER } from '../auth/forwarded-identity';
import { problemResponse, toProblemResponse } from '../http/problem';
import type { AppContext } from './app-context';

/** Routes that answer without credentials. Exact paths: a prefix would open sub-routes. */
export const PUBLIC_API_PATHS: ReadonlySet<string> = new Set([
  '/api/health',
  '/api/dev/instance',
  '/api/dev/access-token',
  // Benchmark-only route; it exists only in `npm run bench` builds (next.config.mjs).
  '/api/bench/floor',
]);

/**
 * Server-to-server routes with credentials of their own (a signed webhook body, the cron
 * secret): no CORS, no instance auth. Their handlers verify those credentials themselves.
 */
export const UNGATED_API_PATHS: ReadonlySet<string> = new Set([
  '/api/webhooks/wix',
  '/api/cron/purge',
]);

export type GateResult =
  | { kind: 'respond'; response: Response }
  | { kind: 'continue'; requestHeaders: Headers; responseHeaders: Record<string, string> };

export async function gateApiRequest(request: Request, ctx: AppContext): Promise<GateResult> {
  const path = new URL(request.url).pathname; // parsed once: this runs on every /api request
  if (UNGATED_API_PATHS.has(path)) {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.delete(IDENTITY_HEADER);
    return { kind: 'continue', requestHeaders, responseHeaders: {} };
  }
  if (request.method === 'OPTIONS')
    return { kind: 'respond', response: ctx.cors.preflight(request) };
  const decision = ctx.cors.decide(request);
  // A browser would hide the answer from a refused origin, but the request would still run.
  if (decision.kind === 'refused') return { kind: 'respond', response: ctx.cors.refuse() };
  const responseHeaders = ctx.cors.responseHeaders(decision);
  try {
    return await authenticateRequest(request, path, ctx, responseHeaders);
  } catch (error) {
    // Even a failure of our own carries the CORS headers, or the browser hides it (§7).
    const response = toProblemResponse(error);
    for (const [name, value] of Object.entries(responseHeaders)) response.headers.set(name, value);
    return { kind: 'respond', response };
  }
}

async function authenticateRequest(
  request: Request,
  path: string,
  ctx: AppContext,
  responseHeaders: Record<string, string>,
): Promise<GateResult> {
  const requestHeaders = new Headers(request.headers);
  // Whatever a client sent under our header name is dropped before anything can read it.
  requestHeaders.delete(IDENTITY_HEADER);
  if (PUBLIC_API_PATHS.has(path)) return { kind: 'continue', requestHeaders, responseHeaders };

  const result = await ctx.authenticate(request);
  if (!result.ok) {
    ctx.log.info('auth_refused', { code: result.reason, detail: result.detail, path });
    return {
      kind: 'respond',
      response: problemResponse(result.reason, undefined, responseHeaders),
    };
  }
  requestHeaders.set(IDENTITY_HEADER, await ctx.forwarder.seal(result.identity, result.credential));
  return { kind: 'continue', requestHeaders, responseHeaders };
}
