/**
 * autocannon runs, summarised: `load` is one run (after an optional discarded warm-up), and
 * `combineRounds` merges the rounds of one target that scripts/bench.ts interleaves with the
 * other targets' rounds, so drift on a shared machine hits every target alike.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  /** Per-request hooks for requests that depend on the previous answer (If-Match). */
  requests?: autocannon.Request[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  /** Status code → count for the measured run. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Server CPU per request (µs) where /proc is available. */
  cpuUsPerRequest: number | null;
  /** req/s of each round, in order; one entry for a single run. */
  rounds: number[];
}

function once(options: LoadOptions, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    requests: options.requests,
    connections: options.connections,
    duration,
  });
}

export async function load(
  options: LoadOptions,
  cpu: () => number | null = () => null,
): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await once(options, options.warmupSeconds);
  const cpuBefore = cpu();
  const result = await once(options, options.durationSeconds);
  const cpuAfter = cpu();
  const statuses: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[key] = (value as { count: number }).count;
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuUsPerRequest:
      cpuBefore !== null && cpuAfter !== null && result.requests.total > 0
        ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total
        : null,
    rounds: [result.requests.average],
  };
}

/**
 * Rounds of equal length merged: mean req/s, the median round's p50, the worst round's p99,
 * summed counts, and CPU per request over all of them.
 */
export function combineRounds(rounds: LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number) => rounds.reduce((acc, r) => acc + pick(r), 0);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const statuses: Record<string, number> = {};
  for (const round of rounds) {
    for (const [status, count] of Object.entries(round.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  }
  const withCpu = rounds.filter((r) => r.cpuUsPerRequest !== null && r.total > 0);
  return {
    rps: sum((r) => r.rps) / rounds.length,
    p50: median(rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    total: sum((r) => r.total),
    statuses,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    cpuUsPerRequest:
      withCpu.length === rounds.length
        ? withCpu.reduce((acc, r) => acc + r.cpuUsPerRequest! * r.total, 0) /
          withCpu.reduce((acc, r) => acc + r.total, 0)
        : null,
    rounds: rounds.map((r) => r.rps),
  };
}

/**
 * The order of one round: a permutation of `items` fixed by `round`. Interleaving alone is not
 * enough: in a fixed order a target always runs right after the same neighbour and inherits its
 * leftovers (a garbage collection it triggered, its last in-flight requests), measured as a
 * steady bias of ~10 % in CPU per request. A different order each round spreads them out, and
 * the same round number always gives the same order, so runs stay comparable.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const order = [...items];
  let state = (round * 0x9e3779b9) >>> 0; // mulberry32, seeded by the round
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
