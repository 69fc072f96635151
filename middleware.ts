/**
 * Next middleware: wiring only. CORS and the early credential check live in lib/http/gate.ts;
 * which paths skip the check is said in lib/http/api-access.ts. Next 16 calls this file
 * convention deprecated in favour of proxy.ts; see docs/architecture.md for the one-step rename.
 */
import { NextResponse } from 'next/server';
import { getAppContext } from './lib/app/context';
import { answerError } from './lib/http/answer-error';
import { gateApiRequest } from './lib/http/gate';
import { newRequestId } from './lib/http/request-id';
import { fallbackLog } from 'wix-app-backend/log';

export async function middleware(request: Request): Promise<Response> {
  try {
    const gate = await gateApiRequest(request, getAppContext());
    if (gate.kind === 'respond') return gate.response;
    // Response headers given here are merged into whatever the route answers, 404s included.
    return NextResponse.next({ headers: gate.responseHeaders });
  } catch (error) {
    // Only when the context cannot be built: invalid configuration, reported at startup. Named
    // and logged like any other failure.
    return answerError(error, { log: fallbackLog, requestId: newRequestId(), request });
  }
}

export const config = {
  matcher: [
    // Every /api request without a body. Next reads a request's whole body before it lets the
    // middleware answer (up to 10 MB, however slowly it arrives), so a request with a body goes
    // straight to its route, whose wrapper applies CORS itself and whose handler authenticates
    // before reading a byte (lib/http/route.ts; docs/decisions/019-bodies-skip-the-middleware.md).
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
  // Node for node:crypto (~5 µs per verify against ~90 µs for Web Crypto); drop this line after
  // renaming to proxy.ts, which always runs on Node.
  runtime: 'nodejs',
};
