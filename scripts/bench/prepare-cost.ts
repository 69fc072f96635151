/**
 * What giving up named prepared statements costs (decision 028): the settings read — the query
 * on every settings GET — run by postgres.js with `prepare: true` (a named statement per
 * connection, parsed once) and with `prepare: false` (what the app uses: an unnamed statement,
 * parsed and planned per query, which a transaction-mode pooler can route anywhere), 50 queries
 * in flight over a pool of 10 on the same database. Rounds alternate so drift hits both; the
 * best round of each is reported.
 */
import postgres from 'postgres';

export interface PrepareCostResult {
  namedQps: number;
  unnamedQps: number;
}

const QUERY =
  'select "document", "version", "updated_at", "updated_by" from "settings" where "settings"."instance_id" = $1 limit $2';

async function queriesPerSecond(
  client: postgres.Sql,
  instanceId: string,
  ms: number,
  inFlight: number,
): Promise<number> {
  let done = 0;
  const until = Date.now() + ms;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < until) {
        await client.unsafe(QUERY, [instanceId, 1]);
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

export async function prepareCost(url: string, instanceId: string): Promise<PrepareCostResult> {
  const options = { max: 10, onnotice: () => {} };
  const named = postgres(url, { ...options, prepare: true });
  const unnamed = postgres(url, { ...options, prepare: false });
  try {
    let namedQps = 0;
    let unnamedQps = 0;
    for (let round = 0; round < 5; round++) {
      namedQps = Math.max(namedQps, await queriesPerSecond(named, instanceId, 600, 50));
      unnamedQps = Math.max(unnamedQps, await queriesPerSecond(unnamed, instanceId, 600, 50));
    }
    return { namedQps, unnamedQps };
  } finally {
    await Promise.all([named.end({ timeout: 5 }), unnamed.end({ timeout: 5 })]);
  }
}
