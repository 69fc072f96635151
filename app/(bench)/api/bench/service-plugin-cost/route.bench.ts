/**
 * Benchmark-only (exists when WIX_BENCH_BUILD=1, see next.config.mjs): times, inside the running
 * server, what the service-plugin entry does with one call against what the bare fees route does
 * with the same call unsigned (../bare-fees/bare-fees.ts), and the verification alone. Each is
 * handed a Request made here, so Next's routing and the route wrapper, which both routes pay, are
 * left out. The body is `{ signed, unsigned }`: a call the bench signed and its data claim.
 * Throughput differences of a few per cent drown in a shared machine's noise; these do not.
 */
import { servicePluginCall } from 'wix-app-backend/routes';
import { serverRoute } from '@/lib/wix-app';
import { bareFees } from '../bare-fees/bare-fees';

export const dynamic = 'force-dynamic';

const WARMUP = 500;
const CALLS = 5_000;

async function microsPerCall(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await run();
  return Number(process.hrtime.bigint() - started) / CALLS / 1000;
}

export const POST = serverRoute(async (request, app) => {
  const { signed, unsigned } = (await request.json()) as { signed: string; unsigned: string };
  const origin = new URL(request.url).origin;
  const post = (path: string, type: string, body: string) =>
    new Request(origin + path, { method: 'POST', headers: { 'content-type': type }, body });
  const entry = async () => {
    const response = await servicePluginCall(
      post('/api/service-plugins/v1/calculate-additional-fees', 'text/plain', signed),
      app,
      {},
    );
    if (response.status !== 200) throw new Error(`the entry answered ${response.status}`);
  };
  const bare = async () => {
    const response = await bareFees(
      post('/api/bench/bare-fees', 'application/json', unsigned),
      app,
      {},
    );
    if (response.status !== 200) throw new Error(`the bare route answered ${response.status}`);
  };
  const verify = async () => {
    if (!(await app.verifyServicePluginCall(signed)).ok)
      throw new Error('the call does not verify');
  };
  // Alternated, best of three, so a pause or a collection hits no one of them alone.
  let best = { entryUs: Infinity, bareUs: Infinity, verifyUs: Infinity };
  for (let round = 0; round < 3; round++) {
    best = {
      entryUs: Math.min(best.entryUs, await microsPerCall(entry)),
      bareUs: Math.min(best.bareUs, await microsPerCall(bare)),
      verifyUs: Math.min(best.verifyUs, await microsPerCall(verify)),
    };
  }
  return Response.json(best);
});
