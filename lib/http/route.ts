/**
 * Wraps a route handler so that anything it throws becomes a problem response through the one
 * mapper, instead of Next's bare 500.
 */
import { toProblemResponse } from './problem';

export function withProblems<Args extends unknown[]>(
  handler: (request: Request, ...args: Args) => Promise<Response>,
): (request: Request, ...args: Args) => Promise<Response> {
  return async (request, ...args) => {
    try {
      return await handler(request, ...args);
    } catch (error) {
      return toProblemResponse(error);
    }
  };
}

/** A JSON response that is never cached by shared caches (every body here is per-tenant). */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json');
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(body), { ...init, headers });
}
