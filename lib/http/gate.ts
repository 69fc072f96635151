/**
 * What the middleware does to every /api request, free of `next/*` so it is tested with plain
 * `Request`s: CORS first (preflights never need credentials), then — for every path not listed
 * in lib/http/api-access.ts — an early refusal of a missing or invalid credential. It forwards
 * nothing to the handler: the handler authenticates again through `app.authenticate`, from the
 * same caches (docs/decisions/014-one-identity-call.md).
 */
import type { AppContext } from '../app/context';
import { PUBLIC_API_PATHS, SERVER_API_PATHS } from './api-access';
import { problemResponse, toProblemResponse } from './problem';

export type GateResult =
  | { kind: 'respond'; response: Response }
  /** Let the request through; merge these headers into whatever the route answers. */
  | { kind: 'continue'; responseHeaders: Record<string, string> };

export interface Gate {
  (request: Request, app: AppContext): Promise<GateResult>;
}

/** Builds the gate for a set of public and server-to-server paths. */
export function createGate(
  paths: { public: readonly string[]; server: readonly string[] } = {
    public: PUBLIC_API_PATHS,
    server: SERVER_API_PATHS,
  },
): Gate {
  const publicPaths = new Set(paths.public);
  const serverPaths = new Set(paths.server);

  return async function gate(request, app) {
    const path = new URL(request.url).pathname; // parsed once: this runs on every /api request
    if (serverPaths.has(path)) return { kind: 'continue', responseHeaders: {} };
    if (request.method === 'OPTIONS') {
      const headers = app.cors.preflightHeaders(request);
      return {
        kind: 'respond',
        response: headers ? new Response(null, { status: 204, headers }) : refuseOrigin(),
      };
    }
    const decision = app.cors.decide(request);
    // A browser would hide the answer from a refused origin, but the request would still run.
    if (decision.kind === 'refused') return { kind: 'respond', response: refuseOrigin() };
    const responseHeaders = app.cors.responseHeaders(decision);
    if (publicPaths.has(path)) return { kind: 'continue', responseHeaders };
    try {
      const result = await app.verifyCredential(request);
      if (result.ok) return { kind: 'continue', responseHeaders };
      app.log.info('auth_refused', { code: result.reason, detail: result.detail, path });
      return {
        kind: 'respond',
        response: problemResponse(result.reason, undefined, responseHeaders),
      };
    } catch (error) {
      // Even a failure of our own carries the CORS headers, or the browser hides it.
      const response = toProblemResponse(error);
      for (const [name, value] of Object.entries(responseHeaders))
        response.headers.set(name, value);
      return { kind: 'respond', response };
    }
  };
}

/** A 403 for a refused origin; it carries no Access-Control-Allow-Origin. */
function refuseOrigin(): Response {
  return problemResponse('origin_not_allowed', 'This origin is not allowed to call the API.', {
    vary: 'Origin',
  });
}

/** The gate the middleware runs. */
export const gateApiRequest: Gate = createGate();
