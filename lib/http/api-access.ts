/**
 * The one place that says which /api paths the middleware lets through without a Wix
 * credential. Every other path — including any route you add, and unknown paths — needs a
 * verified instance or access token before its handler runs. Paths are exact: a prefix would
 * open every sub-route.
 *
 * A route file declares the same thing with its wrapper (`publicRoute`, `serverRoute` in
 * lib/http/route.ts), and test/app/api/route-inventory.test.ts fails until the two agree — so a
 * route cannot be public in one place and protected in the other.
 */

/** Answer without credentials; CORS still applies. */
export const PUBLIC_API_PATHS: readonly string[] = [
  '/api/health',
  // Development tools (app/(demo)/api/dev): they answer 404 unless on the dev credentials.
  '/api/dev/instance',
  '/api/dev/access-token',
  '/api/dev/webhook',
];

/**
 * Server-to-server routes with credentials of their own (a signed webhook body, the cron
 * secret): no CORS and no instance authentication; their handlers check their own credentials.
 */
export const SERVER_API_PATHS: readonly string[] = [
  '/api/webhooks/wix',
  '/api/cron/purge',
  '/api/cron/events',
];
