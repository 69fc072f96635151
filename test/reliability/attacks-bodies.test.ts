/**
 * Attacks with bodies (docs/decisions/019-bodies-skip-the-middleware.md), against one production
 * `next start`, over raw sockets: a request that declares 10 MB and sends 5 bytes is answered
 * from its head (a refusal never waits for a body), a hundred of them held open at once cost the
 * server little memory, a trickling body ends at its route's deadline, and a body sent to a path
 * Next cannot decode (which goes through the middleware, whose body buffer is bounded to 64 KiB)
 * never costs a 500 nor the server its service. Measured figures are printed with [attack].
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { BODY_DEADLINE_MS } from 'wix-app-backend/http/read-body';
import { WEBHOOK_BODY_DEADLINE_MS } from 'wix-app-backend/routes';
import { webhookKeyPair } from 'wix-app-backend/testing/webhooks';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import {
  holdRequest,
  problemCode,
  sleep,
  treeRss,
  untilReceived,
  within,
  type HeldRequest,
} from './helpers/held-request';
import { SECRETS, ownerInstance } from './helpers/http';

const TEN_MB = 10 * 1024 * 1024;
const HELD_CONNECTIONS = 100;
/** Lets the memory test find this server's processes in /proc. */
const TAG_NAME = 'RELIABILITY_SERVER_TAG';
const TAG = `attacks-bodies-${randomUUID()}`;

let server: NextServer | undefined;
let instance: string;

beforeAll(async () => {
  server = await startNextServer({
    env: {
      ...SECRETS,
      // Nothing listens on port 9: nothing here should call Wix, and if it did it fails fast.
      WIX_API_BASE_URL: 'http://127.0.0.1:9',
      // A webhook key, so the webhook route reads bodies instead of answering 503 first.
      WIX_APP_PUBLIC_KEY: webhookKeyPair().publicKeyPem,
      [TAG_NAME]: TAG,
    },
  });
  instance = await ownerInstance(randomUUID());
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

const report = (label: string, figures: Record<string, unknown>) =>
  console.log(`[attack] ${label}: ${JSON.stringify(figures)}`);

/** A request head declaring `contentLength` body bytes; headers as [name, value] pairs. */
function head(
  method: string,
  path: string,
  contentLength: number,
  headers: Array<[string, string]> = [],
): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${contentLength}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The server still serves: health is up and a valid credential still works. */
async function expectStillServing(): Promise<number> {
  const started = performance.now();
  const health = await fetch(`${server!.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
  expect(health.status).toBe(200);
  const me = await fetch(`${server!.url}/api/me`, {
    headers: { authorization: instance },
    signal: AbortSignal.timeout(10_000),
  });
  expect(me.status, await me.text()).toBe(200);
  return Math.round(performance.now() - started);
}

describe('a refusal does not wait for a body it will never read', () => {
  const cases: Array<{
    label: string;
    method: string;
    path: string;
    headers?: Array<[string, string]>;
    status: number;
    code: string;
  }> = [
    {
      label: 'PUT /api/settings, no credential',
      method: 'PUT',
      path: '/api/settings',
      status: 401,
      code: 'missing_credentials',
    },
    {
      label: 'PUT /api/settings, refused Origin',
      method: 'PUT',
      path: '/api/settings',
      headers: [
        ['Origin', 'https://attacker.example'],
        ['Authorization', 'placeholder'],
      ],
      status: 403,
      code: 'origin_not_allowed',
    },
    {
      label: 'POST /api/notes, no credential',
      method: 'POST',
      path: '/api/notes',
      status: 401,
      code: 'missing_credentials',
    },
    {
      label: 'PUT /api/does-not-exist, no credential',
      method: 'PUT',
      path: '/api/does-not-exist',
      status: 401,
      code: 'missing_credentials',
    },
  ];

  for (const c of cases) {
    it(`${c.label}: declares 10 MB, sends 5 bytes, answered ${c.status} within 1 s`, async () => {
      const headers = (c.headers ?? []).map(([name, value]): [string, string] => [
        name,
        value === 'placeholder' ? instance : value,
      ]);
      const held = holdRequest(
        server!.port,
        head(c.method, c.path, TEN_MB, [...headers, ['Content-Type', 'application/json']]),
        '{"a":',
      );
      try {
        const answer = await within(held.answer, 5_000, { status: -1, ms: 5_000 });
        report(c.label, { status: answer.status, statusLineMs: Math.round(answer.ms) });
        expect(answer.status, held.text().slice(0, 400)).toBe(c.status);
        expect(answer.ms).toBeLessThan(1_000);
        // The body arrives with the head or very soon after; read it for the code.
        await untilReceived(held, /"code":/);
        const code = problemCode(held.text());
        if (code !== undefined) expect(code).toBe(c.code);
      } finally {
        held.destroy();
      }
    });
  }

  it(`${HELD_CONNECTIONS} such requests held open at once raise the server's memory by < 50 MB`, async () => {
    const sample = () => treeRss(TAG_NAME, TAG);
    const first = sample();
    expect(first.processes.length, 'found the server process in /proc').toBeGreaterThan(0);
    // Warm-up: the same refusal, completed, many times; and a few ordinary requests.
    for (let round = 0; round < 3; round++) {
      const warm = Array.from({ length: 20 }, () =>
        holdRequest(server!.port, head('PUT', '/api/settings', TEN_MB), '{"a":'),
      );
      await Promise.all(warm.map((h) => within(h.answer, 10_000, null)));
      for (const h of warm) h.destroy();
      await expectStillServing();
    }
    await sleep(500);
    const baseline: number[] = [];
    for (let i = 0; i < 5; i++) {
      baseline.push(sample().mib);
      await sleep(200);
    }

    const held: HeldRequest[] = [];
    try {
      for (let i = 0; i < HELD_CONNECTIONS; i++) {
        const path = ['/api/settings', '/api/notes', '/api/nope'][i % 3]!;
        held.push(holdRequest(server!.port, head(i % 3 ? 'POST' : 'PUT', path, TEN_MB), '{"a":'));
      }
      const answers = await Promise.all(
        held.map((h) => within(h.answer, 15_000, { status: -1, ms: 15_000 })),
      );
      const statuses = answers.map((a) => a.status);
      expect(new Set(statuses), 'every held request was answered 401').toEqual(new Set([401]));
      const slowest = Math.round(Math.max(...answers.map((a) => a.ms)));

      const whileHeld: number[] = [];
      for (let i = 0; i < 5; i++) {
        whileHeld.push(sample().mib);
        await sleep(200);
      }
      // Then each connection sends 256 KiB more of its "10 MB" (25 MB in all): a server that
      // buffered unread bodies would show it here.
      const chunk = Buffer.alloc(256 * 1024, 'x');
      for (const h of held) h.write(chunk);
      await sleep(1_500);
      const afterMore: number[] = [];
      for (let i = 0; i < 5; i++) {
        afterMore.push(sample().mib);
        await sleep(200);
      }
      const stillOpen = held.filter((h) => !h.socket.destroyed).length;
      const servingMs = await expectStillServing();

      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const base = median(baseline);
      const peak = Math.max(...whileHeld, ...afterMore);
      const round1 = (x: number) => Math.round(x * 10) / 10;
      report(`${HELD_CONNECTIONS} held connections, memory (MiB, VmRSS of the server tree)`, {
        processes: sample().processes.map((p) => `${p.name}#${p.pid} pgrp ${p.pgrp}`),
        beforeWarmUp: round1(first.mib),
        baseline: baseline.map(round1),
        whileHeld: whileHeld.map(round1),
        afterAnother256KiBEach: afterMore.map(round1),
        peakIncrease: round1(peak - base),
        slowestStatusLineMs: slowest,
        stillOpenAfter: stillOpen,
        healthAndMeWhileHeldMs: servingMs,
      });
      expect(peak - base).toBeLessThan(50);
    } finally {
      for (const h of held) h.destroy();
    }
    await sleep(500);
    await expectStillServing();
  }, 60_000);
});

describe('a body that trickles (1 byte a second)', () => {
  it('ends at the deadline: 408 on PUT /api/settings (~10 s), on the webhook route (~2 s)', async () => {
    const body = '{"greeting":"slow","theme":"light"}';
    const settings = holdRequest(
      server!.port,
      head('PUT', '/api/settings', body.length, [
        ['Authorization', instance],
        ['Content-Type', 'application/json'],
        ['If-Match', '"0"'],
      ]),
      body.slice(0, 1),
    );
    const webhook = holdRequest(server!.port, head('POST', '/api/webhooks/wix', 4_000), 'e');
    // A path Next cannot decode goes through the middleware, body and all (middleware.ts): what
    // does it do with 5 bytes of a declared 10 MB, then a byte a second? Recorded, not bounded.
    const malformed = holdRequest(server!.port, head('PUT', '/api/%zz', TEN_MB), '{"a":');
    const trickles = [settings.trickle(), webhook.trickle(), malformed.trickle()];
    try {
      // Meanwhile the server serves others as usual.
      await sleep(1_000);
      const servingMs = await expectStillServing();

      const [settingsAnswer, webhookAnswer] = await Promise.all([
        within(settings.answer, BODY_DEADLINE_MS + 5_000, { status: -1, ms: -1 }),
        within(webhook.answer, WEBHOOK_BODY_DEADLINE_MS + 5_000, { status: -1, ms: -1 }),
      ]);
      const malformedAnswer = await within(malformed.answer, 0, { status: -1, ms: -1 });
      await untilReceived(settings, /"code":/, 500);
      await untilReceived(webhook, /"code":/, 500);
      report('slow bodies', {
        settings: {
          status: settingsAnswer.status,
          code: problemCode(settings.text()),
          ms: Math.round(settingsAnswer.ms),
          bytesSent: 1 + trickles[0]!.sent(),
        },
        webhook: {
          status: webhookAnswer.status,
          code: problemCode(webhook.text()),
          ms: Math.round(webhookAnswer.ms),
          bytesSent: 1 + trickles[1]!.sent(),
        },
        malformedPath: {
          answered: malformedAnswer.status !== -1,
          status: malformedAnswer.status,
          afterMs: Math.round(malformedAnswer.ms),
          bytesSent: 5 + trickles[2]!.sent(),
        },
        healthAndMeWhileTricklingMs: servingMs,
      });

      for (const [label, answer, held, deadline] of [
        ['settings', settingsAnswer, settings, BODY_DEADLINE_MS],
        ['webhook', webhookAnswer, webhook, WEBHOOK_BODY_DEADLINE_MS],
      ] as const) {
        // 408 request_timeout, or the connection closed without an answer.
        expect([0, 408], `${label}: ${held.text().slice(0, 300)}`).toContain(answer.status);
        if (answer.status === 408) expect(problemCode(held.text())).toBe('request_timeout');
        expect(answer.ms, label).toBeGreaterThan(deadline - 500);
        expect(answer.ms, label).toBeLessThan(deadline + 1_500);
      }
      expect(malformedAnswer.status).not.toBe(500);
    } finally {
      for (const t of trickles) t.stop();
      for (const h of [settings, webhook, malformed]) h.destroy();
    }
    await expectStillServing();
  }, 30_000);
});

describe('a keep-alive connection after a body the route refused', () => {
  // BUG (since bodies skip the middleware, 8dea28f): a chunked body over the limit is answered
  // 413 with `Connection: keep-alive`, but packages/wix-app-backend/src/http/read-body.ts cancels the request stream and
  // the connection is dead: the next request on it gets no answer, and the socket is reset ~6 s
  // later. test/reliability/http-garbage.test.ts ("… 413, whether sized or chunked") fails on
  // the same thing through fetch's connection pool. Expected: the next request is answered, or
  // the 413 says `Connection: close` and the server closes the connection.
  it('answers the next request on the same connection (sized and chunked 1 MiB bodies)', async () => {
    const mib = Buffer.alloc(1024 * 1024, 'x');
    const owner = `Authorization: ${instance}\r\nIf-Match: "0"\r\nContent-Type: application/json\r\n`;
    const variants: Array<[string, Buffer]> = [
      [
        'sized',
        Buffer.concat([
          Buffer.from(
            `PUT /api/settings HTTP/1.1\r\nHost: x\r\n${owner}Content-Length: ${mib.length}\r\n\r\n`,
          ),
          mib,
        ]),
      ],
      [
        'chunked',
        Buffer.concat([
          Buffer.from(
            `PUT /api/settings HTTP/1.1\r\nHost: x\r\n${owner}Transfer-Encoding: chunked\r\n\r\n`,
          ),
          Buffer.from(`${mib.length.toString(16)}\r\n`),
          mib,
          Buffer.from('\r\n0\r\n\r\n'),
        ]),
      ],
    ];
    const results: Record<
      string,
      { first: number; connection?: string; nextAnswered: boolean; ms: number }
    > = {};
    for (const [label, request] of variants) {
      const held = holdRequest(server!.port, '', request);
      try {
        const first = await within(held.answer, 5_000, { status: -1, ms: -1 });
        await untilReceived(held, /\r\n0\r\n\r\n/);
        const started = performance.now();
        held.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
        const nextAnswered = await untilReceived(
          held,
          /HTTP\/1\.1 \d{3}[\s\S]*HTTP\/1\.1 200/,
          2_000,
        );
        results[label] = {
          first: first.status,
          connection: /\r\nconnection: *([a-z-]+)/i.exec(held.text())?.[1],
          nextAnswered,
          ms: Math.round(performance.now() - started),
        };
      } finally {
        held.destroy();
      }
    }
    report('the request after a refused 1 MiB body, same connection', results);
    for (const [label, result] of Object.entries(results)) {
      expect(result.first, label).toBe(413);
      // Either the next request is answered, or the server said it would close the connection.
      if (!result.nextAnswered) expect(result.connection, label).toBe('close');
    }
    await expectStillServing();
  });
});

describe('a body sent to a path Next cannot decode (through the middleware)', () => {
  it('5 bytes of a declared 10 MB: never a 500, and the server keeps serving', async () => {
    const held = holdRequest(server!.port, head('PUT', '/api/%zz', TEN_MB), '{"a":');
    try {
      const answer = await within(held.answer, 1_500, { status: -1, ms: 1_500 });
      const servingMs = await expectStillServing();
      report('PUT /api/%zz, 5 of 10 MB sent', {
        answeredWithin1500ms: answer.status !== -1,
        status: answer.status,
        ms: Math.round(answer.ms),
        healthAndMeMeanwhileMs: servingMs,
      });
      expect(answer.status).not.toBe(500);
    } finally {
      held.destroy();
    }
    // The same with 100 KiB actually sent (more than the 64 KiB buffer), then 1 MB.
    for (const sent of [100 * 1024, 1024 * 1024]) {
      const big = holdRequest(server!.port, head('PUT', '/api/%zz', TEN_MB), Buffer.alloc(sent));
      try {
        const answer = await within(big.answer, 1_000, { status: -1, ms: 1_000 });
        report(`PUT /api/%zz, ${sent / 1024} KiB of 10 MB sent`, {
          answeredWithin1s: answer.status !== -1,
          status: answer.status,
          ms: Math.round(answer.ms),
        });
        expect(answer.status).not.toBe(500);
      } finally {
        big.destroy();
      }
    }
    // A complete body is answered 400 as soon as its last byte is in: under the 64 KiB buffer,
    // and over it (Next drops what exceeds the buffer but still waits for the end).
    for (const size of [1_000, 2 * 1024 * 1024]) {
      const whole = holdRequest(server!.port, head('PUT', '/api/%zz', size), Buffer.alloc(size));
      try {
        const answer = await within(whole.answer, 5_000, { status: -1, ms: 5_000 });
        await untilReceived(whole, /"code":/);
        report(`PUT /api/%zz, all ${size} of ${size} bytes sent`, {
          status: answer.status,
          code: problemCode(whole.text()),
          ms: Math.round(answer.ms),
        });
        expect(answer.status).toBe(400);
        expect(problemCode(whole.text())).toBe('invalid_request');
      } finally {
        whole.destroy();
      }
    }
    await expectStillServing();
  });

  it('never logged an unhandled error', () => {
    const output = server!.output();
    const aborted = output.match(/Error: aborted/g)?.length ?? 0;
    const exceeded = output.match(/Request body exceeded/g)?.length ?? 0;
    report('server output', { errorAbortedLines: aborted, bodyExceededWarnings: exceeded });
    expect(output).not.toMatch(/unhandled error/i);
  });
});
