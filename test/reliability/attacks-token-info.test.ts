/**
 * Token Info amplification (docs/decisions/019-bodies-skip-the-middleware.md, "Budgets for
 * unknown tokens", and docs/decisions/034-token-standing.md): every distinct string shaped like a
 * Wix access token used to cost a call to Wix. Against production `next start` servers pointed at
 * the Wix emulator in this process: a flood of garbage tokens costs Wix a few calls, not one
 * each, and answers only 401/429; without a trusted client-address header, new widget users
 * still get in under that flood, and the sites we know get in under a flood of forgeries shaped
 * like Wix's tokens; with one, one address's garbage does not lock out another's real token; and
 * while Token Info fails, a burst of new tokens costs a handful of calls (the circuit breaker).
 * Signed instances never touch any of it. Measured figures are printed with [attack].
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import {
  TOKEN_INFO_OVERALL_BURST,
  TOKEN_INFO_OVERALL_PER_MINUTE,
  TOKEN_INFO_PER_CLIENT_BURST,
  TOKEN_INFO_PER_CLIENT_PER_MINUTE,
  TOKEN_INFO_UNRECOGNISED_BURST,
  TOKEN_INFO_UNRECOGNISED_PER_MINUTE,
} from 'wix-app-backend/auth/token-info-guard';
import { TOKEN_INFO_MAX_CONCURRENT } from 'wix-app-backend/auth/verify-access-token';
import { TOKEN_INFO_MAX_ATTEMPTS } from 'wix-app-backend/wix/timeouts';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { sleep } from './helpers/held-request';
import { SECRETS, ownerInstance } from './helpers/http';

let emulator: WixEmulator | undefined;
/** No trusted client-address header: every unknown token shares the process budget. */
let shared: NextServer | undefined;
/** CLIENT_IP_HEADER=x-real-ip: budgets per address. */
let perAddress: NextServer | undefined;

beforeAll(async () => {
  emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  const base = { ...SECRETS, WIX_API_BASE_URL: emulator.url };
  [shared, perAddress] = await Promise.all([
    startNextServer({ env: base }),
    startNextServer({ env: { ...base, CLIENT_IP_HEADER: 'x-real-ip' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([shared?.stop(), perAddress?.stop()]);
  await emulator?.close();
});

beforeEach(() => {
  onTestFailed(() => {
    console.log(`shared server output:\n${shared?.output() ?? '(not started)'}`);
    console.log(`per-address server output:\n${perAddress?.output() ?? '(not started)'}`);
  });
});

const report = (label: string, figures: Record<string, unknown>) =>
  console.log(`[attack] ${label}: ${JSON.stringify(figures)}`);

/** Shaped like a Wix access token (`OauthNG.JWS.<header>.<payload>.<signature>`), and garbage. */
const garbageToken = () =>
  `OauthNG.JWS.${randomBytes(24).toString('base64url')}.${randomBytes(48).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Made to look like Wix's (a JWS naming an instance), by someone who read decision 034. */
const forgedToken = () =>
  `OauthNG.JWS.${b64({ kid: 'k', alg: 'RS256' })}.${b64({ data: { instanceId: randomUUID() } })}.${randomBytes(32).toString('base64url')}`;

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: string | null;
  ms: number;
}

async function get(
  server: NextServer,
  path: string,
  headers: Record<string, string>,
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, {
    headers,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return {
    status: response.status,
    code,
    retryAfter: response.headers.get('retry-after'),
    ms: performance.now() - started,
  };
}

/** Runs `tasks` with at most `limit` at once; results in order. */
async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** The flood of the issue that found the lock-out: 25 tokens a second from one client. */
const FLOOD_PER_SECOND = 25;
const FLOOD_SECONDS = 4;

/**
 * Sends `flood()` tokens at FLOOD_PER_SECOND for FLOOD_SECONDS, and the `legit` tokens evenly
 * spread over the same seconds, without waiting for answers: what a flooding script and
 * visitors arriving meanwhile do.
 */
async function underFlood(
  server: NextServer,
  options: { flood: () => string; legit: string[] },
): Promise<{ flood: Answer[]; legit: Answer[]; elapsedS: number }> {
  const started = performance.now();
  const at = (ms: number, send: () => Promise<Answer>) => sleep(ms).then(send);
  const flood = Array.from({ length: FLOOD_PER_SECOND * FLOOD_SECONDS }, (_, i) =>
    at((i * 1000) / FLOOD_PER_SECOND, () =>
      get(server, PATHS[i % PATHS.length]!, { authorization: options.flood() }),
    ),
  );
  const spacing = (FLOOD_SECONDS * 1000) / options.legit.length;
  const legit = options.legit.map((token, i) =>
    at(spacing / 2 + i * spacing, () => get(server, '/api/me', { authorization: token })),
  );
  const [floodAnswers, legitAnswers] = await Promise.all([Promise.all(flood), Promise.all(legit)]);
  return {
    flood: floodAnswers,
    legit: legitAnswers,
    elapsedS: (performance.now() - started) / 1000,
  };
}

const histogram = (answers: Answer[]) =>
  answers.reduce<Record<string, number>>((counts, a) => {
    const key = `${a.status} ${a.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

/** Token Info requests the emulator received, faulted ones included (nothing else calls Wix here). */
const tokenInfoRequests = () => {
  const stats = emulator!.stats();
  return { requests: stats.requests, answered: stats.tokenInfoCalls, faults: stats.faultsInjected };
};

const PATHS = [
  '/api/me',
  '/api/settings',
  '/api/notes',
  '/api/does-not-exist',
  '/api/wix/instance',
];

describe('garbage access tokens', () => {
  it('500 distinct ones from one client cost a few dozen Token Info calls, answers 401/429 only', async () => {
    const signed = await ownerInstance(randomUUID());
    expect((await get(shared!, '/api/me', { authorization: signed })).status).toBe(200);
    emulator!.resetStats();

    const GARBAGE = 500;
    const signedAnswers: Answer[] = [];
    const started = performance.now();
    const answers = await pool(
      25,
      Array.from({ length: GARBAGE }, (_, i) => async () => {
        // A signed instance keeps working throughout: one in every 25 requests.
        if (i % 25 === 0) {
          signedAnswers.push(await get(shared!, '/api/me', { authorization: signed }));
        }
        return get(shared!, PATHS[i % PATHS.length]!, { authorization: garbageToken() });
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const calls = tokenInfoRequests();
    // What the process budget allows over the flood's duration, plus the requests in flight.
    const allowed =
      TOKEN_INFO_OVERALL_BURST + Math.ceil((elapsedS * TOKEN_INFO_OVERALL_PER_MINUTE) / 60) + 2;
    const garbageAllowed =
      TOKEN_INFO_UNRECOGNISED_BURST +
      Math.ceil((elapsedS * TOKEN_INFO_UNRECOGNISED_PER_MINUTE) / 60) +
      2;
    report(`${GARBAGE} garbage tokens, one client, no trusted address header`, {
      elapsedMs: Math.round(elapsedS * 1000),
      tokenInfoRequests: calls.requests,
      tokenInfoAnswered: calls.answered,
      allowedByBudget: allowed,
      allowedByGarbageBudget: garbageAllowed,
      answers: histogram(answers),
      slowestMs: Math.round(Math.max(...answers.map((a) => a.ms))),
      signed: histogram(signedAnswers),
      signedSlowestMs: Math.round(Math.max(...signedAnswers.map((a) => a.ms))),
    });

    for (const answer of answers) {
      expect([401, 429], JSON.stringify(answer)).toContain(answer.status);
      if (answer.status === 401) expect(answer.code).toBe('invalid_token');
      if (answer.status === 429) {
        expect(answer.code).toBe('too_many_requests');
        expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
      }
    }
    expect(calls.requests).toBeLessThanOrEqual(allowed);
    // "A few dozen", whatever the machine's speed.
    expect(calls.requests).toBeLessThanOrEqual(100);
    // In fact a call a second: garbage is paid from a budget of its own (decision 034).
    expect(calls.requests).toBeLessThanOrEqual(garbageAllowed);
    expect(signedAnswers.length).toBe(GARBAGE / 25);
    for (const answer of signedAnswers) expect(answer.status).toBe(200);
  }, 60_000);

  it('admits at least 14 of 15 new widget users while one client sends 25 garbage tokens a second', async () => {
    const legit = Array.from({ length: 15 }, () =>
      emulator!.issueWidgetToken({ instanceId: randomUUID(), subjectType: 'VISITOR' }),
    );
    emulator!.resetStats();
    const flood = await underFlood(shared!, { flood: garbageToken, legit });
    const calls = tokenInfoRequests();
    // Garbage is paid from its own budget; each new user costs one call.
    const allowed =
      TOKEN_INFO_UNRECOGNISED_BURST +
      Math.ceil((flood.elapsedS * TOKEN_INFO_UNRECOGNISED_PER_MINUTE) / 60) +
      legit.length +
      2;
    const admitted = flood.legit.filter((a) => a.status === 200).length;
    report(`15 new widget tokens among ${FLOOD_PER_SECOND} garbage tokens a second, one client`, {
      elapsedMs: Math.round(flood.elapsedS * 1000),
      garbage: histogram(flood.flood),
      newUsers: histogram(flood.legit),
      tokenInfoRequests: calls.requests,
      allowedByBudget: allowed,
    });
    for (const answer of flood.flood) {
      expect([401, 429], JSON.stringify(answer)).toContain(answer.status);
    }
    expect(admitted, JSON.stringify(histogram(flood.legit))).toBeGreaterThanOrEqual(14);
    expect(calls.requests).toBeLessThanOrEqual(allowed);
  }, 60_000);

  it('admits new tokens of a site it knows while one client sends 25 forgeries shaped like Wix’s a second', async () => {
    // The site's owner opened the dashboard: its instance is verified, so it is known.
    const instanceId = randomUUID();
    const signed = await ownerInstance(instanceId);
    expect((await get(shared!, '/api/me', { authorization: signed })).status).toBe(200);
    const legit = Array.from({ length: 15 }, () =>
      emulator!.issueWidgetToken({ instanceId, subjectType: 'VISITOR' }),
    );
    emulator!.resetStats();
    const flood = await underFlood(shared!, { flood: forgedToken, legit });
    const calls = tokenInfoRequests();
    // Forgeries may spend the process budget down to what known sites keep; no more than today.
    const allowed =
      TOKEN_INFO_OVERALL_BURST +
      Math.ceil((flood.elapsedS * TOKEN_INFO_OVERALL_PER_MINUTE) / 60) +
      2;
    const admitted = flood.legit.filter((a) => a.status === 200).length;
    report(`15 new widget tokens of a known site among ${FLOOD_PER_SECOND} forgeries a second`, {
      elapsedMs: Math.round(flood.elapsedS * 1000),
      forgeries: histogram(flood.flood),
      knownSiteUsers: histogram(flood.legit),
      tokenInfoRequests: calls.requests,
      allowedByBudget: allowed,
    });
    for (const answer of flood.flood) {
      expect([401, 429], JSON.stringify(answer)).toContain(answer.status);
    }
    expect(admitted, JSON.stringify(histogram(flood.legit))).toBeGreaterThanOrEqual(14);
    expect(calls.requests).toBeLessThanOrEqual(allowed);
  }, 60_000);

  it('with CLIENT_IP_HEADER=x-real-ip, one address flooding does not stop a real token from another', async () => {
    emulator!.resetStats();
    const attacker = '203.0.113.7';
    const started = performance.now();
    const flood = await pool(
      10,
      Array.from(
        { length: 100 },
        (_, i) => () =>
          get(perAddress!, PATHS[i % PATHS.length]!, {
            authorization: garbageToken(),
            'x-real-ip': attacker,
          }),
      ),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const calls = tokenInfoRequests();
    const allowed =
      TOKEN_INFO_PER_CLIENT_BURST +
      Math.ceil((elapsedS * TOKEN_INFO_PER_CLIENT_PER_MINUTE) / 60) +
      2;

    // A real visitor elsewhere, with a token nobody has checked yet.
    const instanceId = randomUUID();
    const real = emulator!.issueWidgetToken({ instanceId, subjectType: 'USER' });
    const victim = await get(perAddress!, '/api/me', {
      authorization: real,
      'x-real-ip': '198.51.100.9',
    });
    // The attacker's own address, with a real token of its own: its budget is spent.
    const attackersReal = await get(perAddress!, '/api/me', {
      authorization: emulator!.issueWidgetToken({ instanceId: randomUUID(), subjectType: 'USER' }),
      'x-real-ip': attacker,
    });
    report('100 garbage tokens from one address (x-real-ip trusted)', {
      elapsedMs: Math.round(elapsedS * 1000),
      tokenInfoRequests: calls.requests,
      allowedByPerClientBudget: allowed,
      answers: histogram(flood),
      otherAddressRealToken: `${victim.status} ${victim.code ?? ''}`.trim(),
      attackerAddressRealToken: `${attackersReal.status} ${attackersReal.code ?? ''}`.trim(),
    });
    for (const answer of flood) expect([401, 429], JSON.stringify(answer)).toContain(answer.status);
    expect(flood.filter((a) => a.status === 429).length).toBeGreaterThan(0);
    expect(calls.requests).toBeLessThanOrEqual(allowed);
    expect(victim.status, JSON.stringify(victim)).toBe(200);
  }, 60_000);
});

describe('new tokens while Token Info fails', () => {
  it('50 fresh tokens cost a handful of Token Info calls; 503/429 with Retry-After; signed 200', async () => {
    // The flood above spent the shared server's process budget: let it refill (10 a second).
    await sleep(
      Math.ceil((TOKEN_INFO_OVERALL_BURST * 60_000) / TOKEN_INFO_OVERALL_PER_MINUTE) + 500,
    );
    const signed = await ownerInstance(randomUUID());
    expect((await get(shared!, '/api/me', { authorization: signed })).status).toBe(200);
    const tokens = Array.from({ length: 50 }, () =>
      emulator!.issueWidgetToken({ instanceId: randomUUID(), subjectType: 'USER' }),
    );
    emulator!.resetStats();
    // The emulator cannot answer 503; a 500 is the same failure to the app (5xx: not a refusal).
    emulator!.setFaults({ paths: ['/oauth2/token-info'], status500: { count: 1_000 } });
    try {
      const started = performance.now();
      const [answers, signedAnswer] = await Promise.all([
        Promise.all(tokens.map((token) => get(shared!, '/api/me', { authorization: token }))),
        get(shared!, '/api/me', { authorization: signed }),
      ]);
      const elapsedMs = Math.round(performance.now() - started);
      const calls = tokenInfoRequests();
      const handful = TOKEN_INFO_MAX_CONCURRENT * TOKEN_INFO_MAX_ATTEMPTS;
      report('50 fresh tokens while Token Info answers 500', {
        elapsedMs,
        tokenInfoRequests: calls.requests,
        injected500s: calls.faults.status500,
        bound: handful,
        answers: histogram(answers),
        slowestMs: Math.round(Math.max(...answers.map((a) => a.ms))),
        signed: `${signedAnswer.status} after ${Math.round(signedAnswer.ms)} ms`,
      });
      for (const answer of answers) {
        const label = JSON.stringify(answer);
        expect([503, 429], label).toContain(answer.status);
        expect(answer.code, label).toBe(
          answer.status === 503 ? 'token_info_unavailable' : 'too_many_requests',
        );
        expect(answer.retryAfter, label).toMatch(/^[1-9]\d*$/);
      }
      expect(calls.requests).toBeLessThanOrEqual(handful);
      expect(signedAnswer.status).toBe(200);
    } finally {
      emulator!.clearFaults();
    }
  }, 60_000);

  it('never logged an unhandled error', () => {
    expect(shared!.output()).not.toMatch(/unhandled error/i);
    expect(perAddress!.output()).not.toMatch(/unhandled error/i);
  });
});
