/**
 * Benchmark-only (exists when WIX_BENCH_BUILD=1, see next.config.mjs): times, inside the running
 * server, each step the authenticated path adds to a request — the middleware's credential check
 * and the handler's `app.authenticate` (the same check again, plus the instance record from the
 * per-process memo) — on the caller's own credential. Throughput differences of a few per cent
 * drown in a shared machine's noise; these do not.
 */
import { route, json } from '@/lib/wix-app';
import { AppError } from 'wix-app-backend/errors/app-error';

export const dynamic = 'force-dynamic';

const WARMUP = 1_000;
const CALLS = 10_000;

async function microsPerCall(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await run();
  return Number(process.hrtime.bigint() - started) / CALLS / 1000;
}

export const GET = route(async (request, app) => {
  const result = await app.verifyCredential(request);
  if (!result.ok) throw new AppError(result.reason);
  await app.authenticate(request);
  return json({
    verifyCredentialUs: await microsPerCall(() => app.verifyCredential(request)),
    authenticateUs: await microsPerCall(() => app.authenticate(request)),
  });
});
