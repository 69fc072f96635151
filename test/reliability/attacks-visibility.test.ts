/**
 * What an operator sees (docs/decisions/019-bodies-skip-the-middleware.md, "Every 5xx is logged
 * once"), against a production `next start` at LOG_LEVEL=info with the Wix emulator in this
 * process: a 502 from a failing or stopped Wix is one JSON log line carrying the request id the
 * response carries; a path Next cannot decode is a 400 problem with CORS headers, not Next's
 * plain-text 500; and which answers carry `x-request-id` (every route's do; the middleware's own
 * early refusals are recorded and printed with [attack]).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { rawHeader } from './helpers/held-request';
import { SECRETS, ownerInstance, rawHttp, rawRequest } from './helpers/http';

const ALLOWED_ORIGIN = 'http://localhost:5173';

let emulator: WixEmulator | undefined;
let server: NextServer | undefined;
let instance: string;

beforeAll(async () => {
  emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  server = await startNextServer({
    env: {
      ...SECRETS,
      WIX_API_BASE_URL: emulator.url,
      LOG_LEVEL: 'info',
      CORS_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
    },
  });
  instance = await ownerInstance(randomUUID());
});

afterAll(async () => {
  await server?.stop();
  await emulator?.close();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

const report = (label: string, figures: unknown) =>
  console.log(`[attack] ${label}: ${JSON.stringify(figures)}`);

/** The JSON log lines (one object per line) the server printed after `offset`. */
function logLinesSince(offset: number): Array<Record<string, unknown>> {
  return server!
    .output()
    .slice(offset)
    .split('\n')
    .flatMap((line) => {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) return [];
      try {
        return [JSON.parse(trimmed) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

describe('a 502 from Wix', () => {
  it('is logged once, as JSON, with the request id the response carries', async () => {
    // Mint the app token first, so the fault hits Get App Instance itself.
    const warm = await fetch(`${server!.url}/api/wix/instance`, {
      headers: { authorization: instance },
    });
    expect(warm.status, await warm.text()).toBe(200);

    const scenarios: Array<[string, () => Promise<void>]> = [
      [
        'Wix answers 500',
        async () => {
          emulator!.setFaults({ paths: ['/apps/v1/instance'], status500: { count: 1_000 } });
        },
      ],
      // Last: the emulator stays closed (nothing after this needs it).
      ['Wix is stopped', () => emulator!.close()],
    ];
    for (const [label, setUp] of scenarios) {
      await setUp();
      const offset = server!.output().length;
      const started = performance.now();
      const response = await fetch(`${server!.url}/api/wix/instance`, {
        headers: { authorization: instance },
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json()) as Record<string, unknown>;
      const ms = Math.round(performance.now() - started);
      const requestId = response.headers.get('x-request-id');
      // Give the log line a moment to reach the pipe.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = logLinesSince(offset);
      const mine = lines.filter((line) => line.requestId === requestId);
      const failed = lines.filter((line) => line.event === 'request_failed');
      report(label, { status: response.status, code: body.code, ms, requestId, logged: mine });
      expect(response.status).toBe(502);
      expect(body.code).toBe('wix_unavailable');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(mine).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        level: 'error',
        event: 'request_failed',
        code: 'wix_unavailable',
        status: 502,
        method: 'GET',
        path: '/api/wix/instance',
      });
      if (label === 'Wix answers 500') {
        // Wix's own request id, to quote to Wix.
        expect(mine[0]!.wixRequestId).toEqual(expect.any(String));
        expect(mine[0]!.wixStatus).toBe(500);
      }
      // The credential never reaches the log.
      expect(server!.output()).not.toContain(instance);
    }
  }, 60_000);
});

describe('GET /api/%zz', () => {
  it('is 400 invalid_request with CORS headers, not a plain-text 500', async () => {
    const answer = await rawRequest(
      server!.port,
      rawHttp('GET', '/api/%zz', [
        ['Authorization', instance],
        ['Origin', ALLOWED_ORIGIN],
      ]),
    );
    const body = answer.text.slice(answer.text.indexOf('{'), answer.text.lastIndexOf('}') + 1);
    report('GET /api/%zz with a credential and an allowed Origin', {
      status: answer.status,
      ms: Math.round(answer.ms),
      allowOrigin: rawHeader(answer.text, 'access-control-allow-origin'),
      contentType: rawHeader(answer.text, 'content-type'),
      requestId: rawHeader(answer.text, 'x-request-id') ?? null,
      body,
    });
    expect(answer.status).toBe(400);
    expect(rawHeader(answer.text, 'content-type')).toBe('application/problem+json');
    expect(rawHeader(answer.text, 'access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(JSON.parse(body)).toMatchObject({ code: 'invalid_request' });
    for (const path of ['/api/%ff', '/api/me/%zz', '/api/%E0%A4%A']) {
      const other = await rawRequest(
        server!.port,
        rawHttp('GET', path, [
          ['Authorization', instance],
          ['Origin', ALLOWED_ORIGIN],
        ]),
      );
      expect(other.status, `${path}: ${other.text.slice(0, 300)}`).toBe(400);
      expect(rawHeader(other.text, 'access-control-allow-origin'), path).toBe(ALLOWED_ORIGIN);
    }
  });
});

describe('x-request-id', () => {
  it('is on every answer a route gives; which others lack it is recorded', async () => {
    const json = { 'Content-Type': 'application/json' };
    type Case = {
      label: string;
      method: string;
      path: string;
      headers?: Array<[string, string]>;
      body?: string;
      /** Who answers: a route handler (must carry the id), or something before it. */
      by: 'route' | 'middleware' | 'next' | 'node';
    };
    const bad = 'x'.repeat(20_000);
    const cases: Case[] = [
      { label: 'health', method: 'GET', path: '/api/health', by: 'route' },
      {
        label: 'me, signed',
        method: 'GET',
        path: '/api/me',
        headers: [['Authorization', instance]],
        by: 'route',
      },
      {
        label: 'unknown path, signed',
        method: 'GET',
        path: '/api/nope',
        headers: [['Authorization', instance]],
        by: 'route',
      },
      {
        label: 'settings PUT, no credential (body: skips the middleware)',
        method: 'PUT',
        path: '/api/settings',
        headers: [['Content-Type', 'application/json']],
        body: '{}',
        by: 'route',
      },
      {
        label: 'settings PUT, refused Origin (body)',
        method: 'PUT',
        path: '/api/settings',
        headers: [
          ['Authorization', instance],
          ['Origin', 'https://attacker.example'],
          ...Object.entries(json),
        ],
        body: '{}',
        by: 'route',
      },
      {
        label: 'settings PUT, broken JSON',
        method: 'PUT',
        path: '/api/settings',
        headers: [['Authorization', instance], ['If-Match', '"0"'], ...Object.entries(json)],
        body: '{',
        by: 'route',
      },
      {
        label: 'webhook, garbage (no key configured)',
        method: 'POST',
        path: '/api/webhooks/wix',
        body: 'x',
        by: 'route',
      },
      { label: 'cron, no secret configured', method: 'GET', path: '/api/cron/purge', by: 'route' },
      { label: 'me, no credential', method: 'GET', path: '/api/me', by: 'middleware' },
      {
        label: 'me, malformed credential',
        method: 'GET',
        path: '/api/me',
        headers: [['Authorization', 'a.b']],
        by: 'middleware',
      },
      {
        label: 'me, refused Origin',
        method: 'GET',
        path: '/api/me',
        headers: [
          ['Authorization', instance],
          ['Origin', 'https://attacker.example'],
        ],
        by: 'middleware',
      },
      {
        label: 'preflight, allowed',
        method: 'OPTIONS',
        path: '/api/me',
        headers: [
          ['Origin', ALLOWED_ORIGIN],
          ['Access-Control-Request-Method', 'GET'],
        ],
        by: 'middleware',
      },
      {
        label: 'preflight, refused',
        method: 'OPTIONS',
        path: '/api/me',
        headers: [
          ['Origin', 'https://attacker.example'],
          ['Access-Control-Request-Method', 'GET'],
        ],
        by: 'middleware',
      },
      {
        label: '%zz, signed',
        method: 'GET',
        path: '/api/%zz',
        headers: [['Authorization', instance]],
        by: 'middleware',
      },
      {
        label: 'DELETE me, signed (no such method)',
        method: 'DELETE',
        path: '/api/me',
        headers: [['Authorization', instance]],
        by: 'next',
      },
      {
        label: 'oversized header',
        method: 'GET',
        path: '/api/me',
        headers: [['X-Filler', bad]],
        by: 'node',
      },
    ];
    const table: Array<{ label: string; by: string; status: number; requestId: boolean }> = [];
    for (const c of cases) {
      const answer = await rawRequest(
        server!.port,
        rawHttp(
          c.method,
          c.path,
          c.headers ?? [],
          c.body === undefined ? undefined : Buffer.from(c.body),
        ),
      );
      table.push({
        label: c.label,
        by: c.by,
        status: answer.status,
        requestId: rawHeader(answer.text, 'x-request-id') !== undefined,
      });
    }
    report('x-request-id per answer', table);
    for (const row of table) {
      expect(row.status, row.label).toBeGreaterThan(0);
      // 503 webhooks_not_configured and cron_not_configured are this server's honest answers.
      expect([500, 502, 504], row.label).not.toContain(row.status);
      if (row.by === 'route') expect(row.requestId, row.label).toBe(true);
    }
  });

  it('never logged an unhandled error', () => {
    expect(server!.output()).not.toMatch(/unhandled error/i);
  });
});
