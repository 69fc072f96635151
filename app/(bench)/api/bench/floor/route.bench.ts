/**
 * Benchmark-only (exists when WIX_BENCH_BUILD=1, see next.config.mjs): a public /api route, so
 * the middleware runs (CORS, header copy) but authenticates nothing: the middleware's floor.
 */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ ok: true });
}
