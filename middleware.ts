/**
 * Next middleware: wiring only. CORS and the early credential check live in lib/http/gate.ts;
 * which paths skip the check is said in lib/http/api-access.ts. Next 16 calls this file
 * convention deprecated in favour of proxy.ts; see the README for the one-step rename.
 */
import { NextResponse } from 'next/server';
import { getAppContext } from './lib/app/context';
import { gateApiRequest } from './lib/http/gate';
import { toProblemResponse } from './lib/http/problem';

export async function middleware(request: Request): Promise<Response> {
  try {
    const gate = await gateApiRequest(request, getAppContext());
    if (gate.kind === 'respond') return gate.response;
    // Response headers given here are merged into whatever the route answers, 404s included.
    return NextResponse.next({ headers: gate.responseHeaders });
  } catch (error) {
    return toProblemResponse(error);
  }
}

export const config = {
  matcher: ['/api/:path*'],
  // Node for node:crypto (~5 µs per verify against ~90 µs for Web Crypto); drop this line after
  // renaming to proxy.ts, which always runs on Node.
  runtime: 'nodejs',
};
