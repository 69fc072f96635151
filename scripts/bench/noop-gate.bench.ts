/**
 * The no-op variant's stand-in for the package's src/http/gate.ts (next.config.mjs aliases
 * the middleware's import of it, in src/create-wix-app.ts, when WIX_BENCH_BUILD=noop): it lets every request through and adds no header, so
 * middleware.ts comes down to `NextResponse.next()` behind the same matcher. Handlers still
 * authenticate (and fail closed), which makes this build the honest limit for the middleware's
 * own cost: the same route, behind a middleware that does nothing.
 */
import type { Gate } from 'wix-app-backend/http/gate';

export const gateApiRequest: Gate = () =>
  Promise.resolve({ kind: 'continue', responseHeaders: {} });
