/**
 * Next middleware: wiring only. CORS and the early credential check are the package's
 * (`wixApp.middleware`); which paths skip the check is said in lib/wix-app.ts.
 *
 * Next 16 deprecates this file's name for proxy.ts: `npm run proxy:rename` moves it (and drops
 * `runtime` below), and .ci/run builds and tests that variant too (docs/architecture.md).
 */
import { wixApp } from './lib/wix-app';

export function middleware(request: Request): Promise<Response> {
  return wixApp.middleware(request);
}

export const config = {
  matcher: [
    // Every /api request without a body. Next reads a request's whole body before it lets the
    // middleware answer (up to 10 MB, however slowly it arrives), so a request with a body goes
    // straight to its route, whose wrapper applies CORS itself and whose handler authenticates
    // before reading a byte (docs/decisions/019-bodies-skip-the-middleware.md).
    {
      source: '/api/:path*',
      missing: [
        { type: 'header', key: 'content-length' },
        { type: 'header', key: 'transfer-encoding' },
      ],
    },
    // A path Next cannot decode (a broken %-escape, a byte that is not UTF-8) fails before any
    // route, as a plain-text 500: such requests come here whatever they carry, for a 400.
    '/api/:path(.*%(?:[^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$|[89A-Fa-f]).*)',
  ],
  // Node for node:crypto (~5 µs per verify against ~90 µs for Web Crypto). A proxy.ts always
  // runs on Node and refuses this key: `npm run proxy:rename` drops it.
  runtime: 'nodejs',
};
