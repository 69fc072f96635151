/** Success answers for the API: JSON, or no content. */

/** A JSON response that is never cached by shared caches (every body here is per-tenant). */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json');
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** 204 No Content (a DELETE that succeeded): no body, never cached. */
export function noContent(init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
  return new Response(null, { ...init, status: 204, headers });
}
