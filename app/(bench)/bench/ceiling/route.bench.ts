/**
 * Benchmark-only (exists when WIX_BENCH_BUILD=1, see next.config.mjs): outside the middleware
 * matcher, so it measures what Next itself costs per request.
 */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ ok: true });
}
