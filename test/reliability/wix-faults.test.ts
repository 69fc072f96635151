/**
 * The app against a misbehaving Wix (the in-process emulator): latency beyond the app's timeout,
 * 429 storms, 500s and dropped connections, each hit by 20 concurrent requests. Every answer is a
 * clean problem (502/503/504 with a code) within a bound, and once the faults clear the same
 * server succeeds again without a restart. test/e2e/wix-api.test.ts checks single requests in
 * detail; this file checks that concurrency does not break the bounds.
 */
import { randomUUID } from 'node:crypto';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  onTestFailed,
} from 'vitest';
import { startWixEmulator, type Faults, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import {
  SHORT_TOKEN_INFO_RETRY_WINDOW_MS,
  SHORT_WIX_RETRY_WINDOW_MS,
  SHORT_WIX_TIMEOUTS,
  wixTimeoutsEnv,
} from 'wix-app-backend/testing/wix-timeouts';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { SECRETS, ownerInstance } from './helpers/http';

const CONCURRENT = 20;
/** The retry window gates the start of a try, not its end; plus scheduling slack on 2 cores. */
const INSTANCE_BOUND_MS = SHORT_WIX_RETRY_WINDOW_MS + 1_500;
const TOKEN_INFO_BOUND_MS = SHORT_TOKEN_INFO_RETRY_WINDOW_MS + 1_500;
const WIX_CODES = ['wix_timeout', 'wix_unavailable', 'wix_rate_limited', 'wix_error'];

let emulator: WixEmulator | undefined;
let server: NextServer | undefined;

beforeAll(async () => {
  emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  // Shorter waits on Wix than the defaults, so the faults below run them out in seconds.
  server = await startNextServer({
    env: { ...SECRETS, WIX_API_BASE_URL: emulator.url, ...wixTimeoutsEnv() },
  });
});

afterAll(async () => {
  await server?.stop();
  await emulator?.close();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

afterEach(() => {
  emulator?.clearFaults();
});

interface Answer {
  status: number;
  type: string | null;
  retryAfter: string | null;
  body: Record<string, unknown>;
  ms: number;
}

async function get(path: string, credential: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${server!.url}${path}`, {
    headers: { authorization: credential },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text };
  }
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body,
    ms: performance.now() - started,
  };
}

const ONLY_GET_APP_INSTANCE = { paths: ['/apps/v1/instance'] };

describe('GET /api/wix/instance while Wix misbehaves', () => {
  const instances: string[] = [];

  beforeAll(async () => {
    // Distinct instances: identical concurrent GETs for one instance share a Wix call.
    for (let i = 0; i < CONCURRENT; i++) instances.push(await ownerInstance(randomUUID()));
    // Mint every instance's token up front, so faults hit only Get App Instance.
    const warm = await Promise.all(instances.map((c) => get('/api/wix/instance', c)));
    for (const answer of warm) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  });

  const faults: Array<[string, Faults]> = [
    [
      'latency beyond the timeout',
      { ...ONLY_GET_APP_INSTANCE, latencyMs: 2 * SHORT_WIX_TIMEOUTS.requestMs },
    ],
    [
      'a 429 storm',
      { ...ONLY_GET_APP_INSTANCE, status429: { count: 1_000, retryAfterSeconds: 1 } },
    ],
    ['500s', { ...ONLY_GET_APP_INSTANCE, status500: { count: 1_000 } }],
    ['dropped connections', { ...ONLY_GET_APP_INSTANCE, drop: { count: 1_000 } }],
  ];

  for (const [name, fault] of faults) {
    it(`answers ${CONCURRENT} concurrent calls during ${name} with bounded problems, then recovers`, async () => {
      emulator!.setFaults(fault);
      const answers = await Promise.all(instances.map((c) => get('/api/wix/instance', c)));
      for (const answer of answers) {
        const label = `${answer.status} after ${Math.round(answer.ms)} ms: ${JSON.stringify(answer.body)}`;
        expect([502, 503, 504], label).toContain(answer.status);
        expect(answer.type, label).toBe('application/problem+json');
        expect(WIX_CODES, label).toContain(answer.body.code);
        expect(answer.ms, label).toBeLessThan(INSTANCE_BOUND_MS);
        if (answer.status === 503) expect(answer.retryAfter, label).toMatch(/^[1-9]\d*$/);
      }
      emulator!.clearFaults();
      const after = await Promise.all(instances.map((c) => get('/api/wix/instance', c)));
      for (const answer of after) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }, 60_000);
  }
});

describe('access tokens while Token Info misbehaves', () => {
  const faults: Array<[string, Faults]> = [
    ['hangs', { latencyMs: 2 * SHORT_WIX_TIMEOUTS.tokenInfoMs }],
    ['answers 429', { status429: { count: 1_000, retryAfterSeconds: 1 } }],
    ['answers 500', { status500: { count: 1_000 } }],
    ['drops connections', { drop: { count: 1_000 } }],
  ];

  for (const [name, fault] of faults) {
    it(`answers ${CONCURRENT} concurrent token calls with 503 token_info_unavailable while it ${name}`, async () => {
      const tokens = Array.from({ length: CONCURRENT }, () =>
        emulator!.issueWidgetToken({ instanceId: randomUUID(), subjectType: 'USER' }),
      );
      const signed = await ownerInstance(randomUUID());
      emulator!.setFaults({ paths: ['/oauth2/token-info'], ...fault });
      const [answers, meSigned] = await Promise.all([
        Promise.all(tokens.map((t) => get('/api/me', t))),
        // Signed instances never need Wix: they keep working during the outage.
        get('/api/me', signed),
      ]);
      for (const answer of answers) {
        const label = `${answer.status} after ${Math.round(answer.ms)} ms: ${JSON.stringify(answer.body)}`;
        // Unavailable, or — once the process budget for unknown tokens is spent — too many.
        expect(`${answer.status} ${String(answer.body.code)}`, label).toMatch(
          /^(503 token_info_unavailable|429 too_many_requests)$/,
        );
        expect(answer.retryAfter, label).toMatch(/^[1-9]\d*$/);
        expect(answer.ms, label).toBeLessThan(TOKEN_INFO_BOUND_MS);
      }
      expect(meSigned.status, JSON.stringify(meSigned.body)).toBe(200);
      emulator!.clearFaults();
      // Recovery comes once the breaker's window has passed (and the budget has refilled).
      const deadline = Date.now() + (SHORT_WIX_TIMEOUTS.tokenInfoBreakerSeconds + 5) * 1000;
      let after = await Promise.all(tokens.map((t) => get('/api/me', t)));
      while (after.some((a) => a.status !== 200) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        after = await Promise.all(tokens.map((t) => get('/api/me', t)));
      }
      for (const answer of after) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }, 60_000);
  }

  it('never logged an unhandled error', () => {
    expect(server!.output()).not.toMatch(/unhandled error/i);
  });
});
