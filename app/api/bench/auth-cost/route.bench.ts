/**
 * Benchmark-only (exists when WIX_BENCH_BUILD=1, see next.config.mjs): times, inside the running
 * server, each step the authenticated path adds to a request — the middleware's authenticate and
 * seal, the handler's requireInstance (which opens the seal) — on the caller's own credential.
 * Throughput differences of a few per cent drown in a shared machine's noise; these do not.
 */
import { HttpError } from '@/lib/http/problem';
import { json, withProblems } from '@/lib/http/route';
import { getAppContext } from '@/lib/server/app-context';
import { requireInstance } from '@/lib/server/require-instance';

export const dynamic = 'force-dynamic';

const WARMUP = 1_000;
const CALLS = 10_000;

async function microsPerCall(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await run();
  return Number(process.hrtime.bigint() - started) / CALLS / 1000;
}

export const GET = withProblems(async (request) => {
  const ctx = getAppContext();
  const result = await ctx.authenticate(request);
  if (!result.ok) throw new HttpError(result.reason);
  const { identity, credential } = result;
  return json({
    authenticateUs: await microsPerCall(() => ctx.authenticate(request)),
    sealUs: await microsPerCall(() => ctx.forwarder.seal(identity, credential)),
    requireInstanceUs: await microsPerCall(() => requireInstance(request)),
  });
});
