/**
 * What the middleware does to every /api request, free of `next/*` so it is tested with plain
 * `Request`s: CORS first (preflights never need credentials), then — for every path the app did not
 * declare public or server-to-server (`WixAppDefinition`) — an early refusal of a missing or invalid credential. It forwards
 * nothing to the handler: the handler authenticates again through `app.authenticate`, from the
 * same caches (docs/decisions/014-one-identity-call.md).
 */
import type { AppContext } from '../app/context';
import { answerError } from './answer-error';
import { AppError } from '../errors/app-error';
import { problemResponse, toProblemResponse } from './problem';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';

export type GateResult =
  | { kind: 'respond'; response: Response }
  /** Let the request through; merge these headers into whatever the route answers. */
  | { kind: 'continue'; responseHeaders: Record<string, string> };

export interface Gate {
  (request: Request, app: AppContext): Promise<GateResult>;
}

/** The gate the middleware runs; which paths need no instance is the context's (`accessOf`). */
export const gateApiRequest: Gate = async function gate(request, app) {
  const path = new URL(request.url).pathname; // parsed once: this runs on every /api request
  const access = app.accessOf(path);
  // Only the gate's own answers need an id here, so it is made only for them: a request let
  // through is named by its route (src/http/route.ts), and nothing is copied onto it.
  const requestId = () => requestIdFor(request, app.config.requestIdHeader);
  // Next answers a path it cannot decode (`%zz`, `%ff`) with a plain-text 500 and no log. Checked
  // before a server path is let through too: a `/*` server path (the service-plugin catch-all)
  // takes any suffix, undecodable ones included. Such a caller gets no CORS headers, as ever.
  const undecodable = path.includes('%') && !isDecodable(path);
  if (access === 'server')
    return undecodable
      ? undecodablePath(requestId(), {})
      : { kind: 'continue', responseHeaders: {} };
  const allowed = applyCors(request, app, requestId);
  if (allowed.kind === 'respond') return allowed;
  const { responseHeaders } = allowed;
  if (undecodable) return undecodablePath(requestId(), responseHeaders);
  if (access === 'public') return { kind: 'continue', responseHeaders };
  try {
    const result = await app.verifyCredential(request);
    if (result.ok) return { kind: 'continue', responseHeaders };
    const id = requestId();
    const response = toProblemResponse(
      new AppError(result.reason, undefined, { retryAfterSeconds: result.retryAfterSeconds }),
      { requestId: id },
    );
    if (response.status >= 500) {
      // Not a refusal of the caller: we could not check it (Token Info failing). Logged as the
      // failure it is, like every 5xx a route answers (src/http/answer-error.ts), so an operator
      // alerting on `request_failed` sees Wix failing at the gate too.
      app.log.error('request_failed', {
        requestId: id,
        method: request.method,
        path,
        status: response.status,
        code: result.reason,
        detail: result.detail,
      });
    } else {
      app.log.info('auth_refused', {
        code: result.reason,
        detail: result.detail,
        path,
        requestId: id,
      });
    }
    return refusal(response, responseHeaders, id);
  } catch (error) {
    // Even a failure of our own carries the CORS headers, or the browser hides it.
    const response = answerError(error, { log: app.log, requestId: requestId(), request });
    for (const [name, value] of Object.entries(responseHeaders)) response.headers.set(name, value);
    return { kind: 'respond', response };
  }
};

/** 400 `invalid_request` for a path Next cannot decode. */
function undecodablePath(requestId: string, corsHeaders: Record<string, string>): GateResult {
  return refusal(
    problemResponse(
      'invalid_request',
      'The path is not valid percent-encoded UTF-8.',
      {},
      { requestId },
    ),
    corsHeaders,
    requestId,
  );
}

/** The gate's own answer: the CORS headers, and a request id like every route answer. */
function refusal(
  response: Response,
  corsHeaders: Record<string, string>,
  requestId: string,
): GateResult {
  for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return { kind: 'respond', response };
}

/**
 * CORS alone: a preflight answered, a refused origin refused, otherwise the headers every answer
 * to this request must carry. The middleware runs it on every /api request that has no body;
 * the route wrapper runs it on requests with a body, which skip the middleware (middleware.ts).
 */
export function applyCors(request: Request, app: AppContext, requestId: () => string): GateResult {
  if (request.method === 'OPTIONS') {
    const headers = app.cors.preflightHeaders(request);
    if (headers) return { kind: 'respond', response: new Response(null, { status: 204, headers }) };
    // A refused preflight gets no body: no script can read it, and Chromium drops the connection
    // without reading one, which `next dev` reported as an uncaught ECONNRESET, twice a refusal.
    const refused = new Response(null, REFUSED_PREFLIGHT);
    refused.headers.set(REQUEST_ID_HEADER, requestId());
    return { kind: 'respond', response: refused };
  }
  const decision = app.cors.decide(request);
  // A browser would hide the answer from a refused origin, but the request would still run.
  if (decision.kind === 'refused') {
    const id = requestId();
    return refusal(refuseOrigin(id), {}, id);
  }
  return { kind: 'continue', responseHeaders: app.cors.responseHeaders(decision) };
}

function isDecodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

const REFUSED_PREFLIGHT = { status: 403, headers: { vary: 'Origin', 'cache-control': 'no-store' } };

/** A 403 for a refused origin; it carries no Access-Control-Allow-Origin. */
function refuseOrigin(requestId: string): Response {
  return problemResponse(
    'origin_not_allowed',
    'This origin is not allowed to call the API.',
    { vary: 'Origin' },
    { requestId },
  );
}
