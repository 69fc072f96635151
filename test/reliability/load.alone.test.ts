/**
 * Sustained load on one production `next start`: 50 connections for 30 s (RELIABILITY_LOAD_SECONDS
 * overrides it for local runs) against GET /api/me with a valid signed instance, then a run that
 * mixes GET /api/settings in. Throughput is printed, never asserted (docs/benchmarks.md: ~1,000 req/s on
 * 2 cores); what must hold is zero errors, zero timeouts and zero non-2xx answers.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { SECRETS, ownerInstance } from './helpers/http';

const SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? '') || 30;
const CONNECTIONS = 50;

let server: NextServer | undefined;
let instance: string;

beforeAll(async () => {
  server = await startNextServer({ env: { ...SECRETS, WIX_API_BASE_URL: 'http://127.0.0.1:9' } });
  instance = await ownerInstance(randomUUID());
  // The first call registers the instance; the load then measures the steady state.
  const first = await fetch(`${server.url}/api/me`, { headers: { authorization: instance } });
  expect(first.status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

function run(paths: string[], duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: server!.url,
    connections: CONNECTIONS,
    duration,
    // Per request: a request slower than this counts as a timeout, which must not happen.
    timeout: 10,
    headers: { authorization: instance },
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
}

function expectClean(result: autocannon.Result, label: string) {
  const summary = {
    label,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p99ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
  console.log(`[load] ${JSON.stringify(summary)}`);
  expect(result.requests.total).toBeGreaterThan(0);
  expect(result.errors, JSON.stringify(summary)).toBe(0);
  expect(result.timeouts, JSON.stringify(summary)).toBe(0);
  expect(result.non2xx, JSON.stringify(summary)).toBe(0);
  expect(result['2xx']).toBe(result.requests.total);
}

describe(`${CONNECTIONS} connections of sustained load`, () => {
  it(
    `serves GET /api/me for ${SECONDS} s without one error, timeout or non-2xx`,
    async () => {
      expectClean(await run(['/api/me'], SECONDS), 'GET /api/me');
    },
    (SECONDS + 60) * 1000,
  );

  const mixed = Math.max(1, Math.ceil(SECONDS / 2));
  it(
    `serves GET /api/me and /api/settings mixed for ${mixed} s the same way`,
    async () => {
      expectClean(await run(['/api/me', '/api/settings'], mixed), 'GET /api/me + /api/settings');
      expect(server!.output()).not.toMatch(/unhandled error/i);
    },
    (mixed + 60) * 1000,
  );
});
