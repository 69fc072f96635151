/** One autocannon run: a discarded warm-up, then the measured run, summarised. */
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

export async function load(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await once(options, options.warmupSeconds);
  const result = await once(options, options.durationSeconds);
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
  };
}
