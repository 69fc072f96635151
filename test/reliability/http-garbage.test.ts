/**
 * One production `next start` fed garbage: oversized headers, invalid UTF-8 in headers and bodies,
 * broken JSON, oversized bodies, wrong methods on every route, broken HTTP framing. Every answer
 * is 4xx (never 5xx, never a dropped connection where an answer is possible), and after every
 * barrage the server still answers health and a valid /api/me.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { SECRETS, ownerInstance, rawHttp, rawRequest } from './helpers/http';

let server: NextServer | undefined;
let instance: string;

beforeAll(async () => {
  // Nothing listens on port 9: calls to Wix fail fast (502 wix_unavailable) instead of leaving.
  server = await startNextServer({ env: { ...SECRETS, WIX_API_BASE_URL: 'http://127.0.0.1:9' } });
  instance = await ownerInstance(randomUUID());
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

const url = (path: string) => `${server!.url}${path}`;

async function send(path: string, init: RequestInit = {}) {
  const response = await fetch(url(path), { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

/** The server still serves: health is up and a valid credential still works. */
async function expectStillServing() {
  expect((await send('/api/health')).status).toBe(200);
  const me = await send('/api/me', { headers: { authorization: instance } });
  expect(me.status, me.text).toBe(200);
}

async function currentEtag(): Promise<string> {
  const answer = await send('/api/settings', { headers: { authorization: instance } });
  expect(answer.status, answer.text).toBe(200);
  return answer.headers.get('etag')!;
}

function expectClientError(status: number, label: string) {
  expect(status, label).toBeGreaterThanOrEqual(400);
  expect(status, label).toBeLessThan(500);
}

describe('a production server fed garbage', () => {
  it('answers 431 to a 100 KB Authorization and a 64 KB Origin, and keeps serving', async () => {
    const cases: Array<[string, Buffer]> = [
      ['Authorization', Buffer.alloc(100 * 1024, 'a')],
      ['Origin', Buffer.from(`https://${'o'.repeat(64 * 1024)}.example`)],
      ['X-Filler', Buffer.alloc(17 * 1024, 'x')],
    ];
    for (const [name, value] of cases) {
      for (const path of ['/api/me', '/api/settings', '/api/health', '/api/webhooks/wix']) {
        const answer = await rawRequest(server!.port, rawHttp('GET', path, [[name, value]]));
        expect(answer.status, `${name} on ${path}`).toBe(431);
      }
    }
    // Just under Node's 16 KB limit: the app's own 8 KB credential cap answers.
    const big = await send('/api/me', { headers: { authorization: 'a'.repeat(12 * 1024) } });
    expect(big.status).toBe(401);
    expect(JSON.parse(big.text)).toMatchObject({ code: 'malformed_credentials' });
    await expectStillServing();
  });

  it('answers invalid UTF-8 in Authorization, Origin and If-Match with 4xx', async () => {
    const invalid = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82, 0xf0, 0x9f]);
    const mixed = Buffer.concat([Buffer.from(instance.slice(0, 20)), invalid, Buffer.from('.x')]);
    const requests: Array<[string, Buffer]> = [
      ['authorization invalid', rawHttp('GET', '/api/me', [['Authorization', invalid]])],
      ['authorization mixed', rawHttp('GET', '/api/settings', [['Authorization', mixed]])],
      [
        'bearer invalid',
        rawHttp('GET', '/api/me', [
          ['Authorization', Buffer.concat([Buffer.from('Bearer '), invalid])],
        ]),
      ],
      [
        'origin invalid',
        rawHttp('GET', '/api/me', [
          ['Origin', invalid],
          ['Authorization', instance],
        ]),
      ],
      [
        'preflight origin invalid',
        rawHttp('OPTIONS', '/api/me', [
          ['Origin', Buffer.concat([Buffer.from('http://localhost:3000'), invalid])],
          ['Access-Control-Request-Method', 'GET'],
        ]),
      ],
      [
        'if-match invalid',
        rawHttp(
          'PUT',
          '/api/settings',
          [
            ['Authorization', instance],
            ['Content-Type', 'application/json'],
            ['If-Match', invalid],
          ],
          Buffer.from('{"greeting":"hi","theme":"dark"}'),
        ),
      ],
    ];
    for (const [label, bytes] of requests) {
      const answer = await rawRequest(server!.port, bytes);
      expectClientError(answer.status, `${label}: ${answer.text.slice(0, 300)}`);
    }
    // Garbage in a Content-Type parameter: the media type is still JSON, so 200 is fair; 5xx is not.
    const etag = await currentEtag();
    const contentType = await rawRequest(
      server!.port,
      rawHttp(
        'PUT',
        '/api/settings',
        [
          ['Authorization', instance],
          ['Content-Type', Buffer.concat([Buffer.from('application/json; charset='), invalid])],
          ['If-Match', etag],
        ],
        Buffer.from('{"greeting":"hi","theme":"dark"}'),
      ),
    );
    expect([200, 400, 415], contentType.text.slice(0, 300)).toContain(contentType.status);
    await expectStillServing();
  });

  it('answers invalid UTF-8, invalid JSON and wrong types in a settings body with 4xx', async () => {
    const etag = await currentEtag();
    const headers = {
      authorization: instance,
      'content-type': 'application/json',
      'if-match': etag,
    };
    const bodies: Array<string | Uint8Array<ArrayBuffer>> = [
      new Uint8Array([0x7b, 0x22, 0x67, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
      new Uint8Array([0xc0, 0xaf]),
      '',
      ' ',
      '{',
      '{"greeting":',
      'null',
      '[]',
      '"a string"',
      '1e999999',
      '{"greeting":"hi","theme":"dark"',
      '{"greeting":"hi","theme":"dark","extra":1}',
      '{"greeting":"","theme":"dark"}',
      '{"greeting":"hi","theme":"neon"}',
      `{"greeting":"${'x'.repeat(201)}","theme":"dark"}`,
      '{"__proto__":{"isOwner":true},"greeting":"hi","theme":"dark"}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      '{"greeting":"hi","theme":"dark","notificationEmail":"not an email"}',
    ];
    for (const body of bodies) {
      const answer = await send('/api/settings', { method: 'PUT', headers, body });
      expectClientError(answer.status, `${String(body).slice(0, 60)}: ${answer.text}`);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    // Garbage If-Match and Content-Type values.
    for (const ifMatch of [
      '*',
      '',
      'W/"0"',
      '"-1"',
      '"99999999999"',
      '"1e3"',
      'garbage',
      `"${'9'.repeat(500)}"`,
    ]) {
      const answer = await send('/api/settings', {
        method: 'PUT',
        headers: { ...headers, 'if-match': ifMatch },
        body: '{"greeting":"hi","theme":"dark"}',
      });
      expectClientError(answer.status, `If-Match ${ifMatch}: ${answer.text}`);
    }
    for (const type of [
      'text/plain',
      'application/jsonx',
      'multipart/form-data; boundary=x',
      'json',
    ]) {
      const answer = await send('/api/settings', {
        method: 'PUT',
        headers: { ...headers, 'content-type': type },
        body: '{"greeting":"hi","theme":"dark"}',
      });
      expect(answer.status, `Content-Type ${type}`).toBe(415);
    }
    // Webhooks: garbage bodies are 4xx (webhooks are not configured: 503 is a documented answer).
    for (const body of [new Uint8Array([0xff, 0xfe]), 'not a jwt', 'a.b.c', '', '{}']) {
      const answer = await send('/api/webhooks/wix', { method: 'POST', body });
      expect(answer.status, `webhook: ${answer.text}`).not.toBe(500);
      expect(answer.status).toBeLessThan(504);
    }
    await expectStillServing();
  });

  it('answers a 1 MB settings body with 413, whether sized or chunked', async () => {
    const etag = await currentEtag();
    const huge = `{"greeting":"${'x'.repeat(1024 * 1024)}","theme":"dark"}`;
    const sized = await send('/api/settings', {
      method: 'PUT',
      headers: { authorization: instance, 'content-type': 'application/json', 'if-match': etag },
      body: huge,
    });
    expect(sized.status, sized.text).toBe(413);
    expect(JSON.parse(sized.text)).toMatchObject({ code: 'payload_too_large' });

    const chunked = await send('/api/settings', {
      method: 'PUT',
      headers: { authorization: instance, 'content-type': 'application/json', 'if-match': etag },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status, chunked.text).toBe(413);

    // A Content-Length that lies (promises 1 MB, sends a few bytes and closes).
    const lying = Buffer.concat([
      Buffer.from(
        `PUT /api/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${instance}\r\n` +
          `Content-Type: application/json\r\nIf-Match: ${etag}\r\nContent-Length: 1048576\r\n\r\n`,
      ),
      Buffer.from('{"greeting":'),
    ]);
    const answer = await rawRequest(server!.port, lying);
    expect(answer.status === 0 || (answer.status >= 400 && answer.status < 500), answer.text).toBe(
      true,
    );
    await expectStillServing();
  });

  it('answers every wrong method on every route with 4xx', async () => {
    const routes = [
      '/api/health',
      '/api/me',
      '/api/settings',
      '/api/webhooks/wix',
      '/api/wix/instance',
      '/api/cron/purge',
      '/api/dev/instance',
      '/api/dev/access-token',
      '/api/does-not-exist',
    ];
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    const served: Record<string, string[]> = {
      '/api/health': ['GET', 'HEAD'],
      '/api/me': ['GET', 'HEAD'],
      '/api/settings': ['GET', 'HEAD'],
      '/api/webhooks/wix': [],
    };
    const failures: string[] = [];
    for (const path of routes) {
      for (const method of methods) {
        for (const authorization of [undefined, instance]) {
          const headers: Record<string, string> = {};
          if (authorization) headers.authorization = authorization;
          const answer = await send(path, { method, headers });
          const label = `${method} ${path}${authorization ? ' (authorized)' : ''} → ${answer.status}`;
          if (path === '/api/wix/instance' && ['GET', 'HEAD'].includes(method) && authorization) {
            // Wix is unreachable in this file: the honest answer is 502 wix_unavailable.
            if (answer.status !== 502) failures.push(label);
          } else if (served[path]?.includes(method) && authorization) {
            if (answer.status !== 200) failures.push(label);
          } else if (answer.status >= 500 && answer.status !== 503) {
            failures.push(`${label} ${answer.text.slice(0, 200)}`);
          } else if (
            answer.status < 400 &&
            !(method === 'OPTIONS' || served[path]?.includes(method))
          ) {
            failures.push(label);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Methods Node itself knows but the app never serves, over a raw socket.
    for (const method of ['TRACE', 'CONNECT', 'PROPFIND', 'MKCOL', 'PURGE']) {
      const answer = await rawRequest(
        server!.port,
        rawHttp(method, method === 'CONNECT' ? '127.0.0.1:1' : '/api/me', [
          ['Authorization', instance],
        ]),
      );
      expect(
        answer.status === 0 || answer.status < 500,
        `${method}: ${answer.text.slice(0, 200)}`,
      ).toBe(true);
    }
    await expectStillServing();
  });

  it('answers TRACE and CONNECT with a JSON 405 and a request id, logging one line each', async () => {
    const ids: string[] = [];
    for (const [method, target] of [
      ['TRACE', '/api/me'],
      ['TRACE', '/api/settings'],
      ['CONNECT', '127.0.0.1:1'],
    ] as const) {
      const answer = await rawRequest(server!.port, rawHttp(method, target, []));
      expect(answer.status, answer.text.slice(0, 300)).toBe(405);
      expect(answer.text).toMatch(/^content-type: application\/problem\+json\r$/im);
      const requestId = /^x-request-id: ([\w-]+)\r$/im.exec(answer.text)?.[1];
      expect(requestId, answer.text.slice(0, 300)).toBeDefined();
      expect(answer.text).toContain(`"requestId":"${requestId}"`);
      ids.push(requestId!);
    }
    // The server's output reaches us through a pipe, a moment after its answers.
    const linesOf = (requestId: string) =>
      server!
        .output()
        .split('\n')
        .filter((line) => line.includes(requestId));
    for (const requestId of ids) {
      await expect.poll(() => linesOf(requestId), { timeout: 2_000 }).toHaveLength(1);
      expect(JSON.parse(linesOf(requestId)[0]!)).toMatchObject({
        event: 'method_not_allowed',
        requestId,
      });
    }
    // Next's own failure for TRACE, with its stack trace, never happened (earlier tests sent
    // TRACE too).
    expect(server!.output()).not.toMatch(/HTTP method is unsupported/);
    await expectStillServing();
  });

  it('answers broken HTTP framing without a 5xx', async () => {
    const garbage = [
      Buffer.from('GARBAGE\r\n\r\n'),
      Buffer.from('GET /api/me HTTP/9.9\r\n\r\n'),
      Buffer.from('GET /api/me HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      Buffer.from(
        'GET /api/me HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
      ),
      Buffer.from(
        'PUT /api/settings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      ),
      Buffer.from('GET /%ff%fe/../api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      Buffer.from(
        `GET /api/me?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]),
      Buffer.from('\0\0\0\0\r\n\r\n'),
    ];
    for (const bytes of garbage) {
      const answer = await rawRequest(server!.port, bytes);
      expect(
        answer.status < 500,
        `${bytes.toString('latin1').slice(0, 40)}: ${answer.text.slice(0, 200)}`,
      ).toBe(true);
    }
    await expectStillServing();
  });

  it('never logged an unhandled error', () => {
    expect(server!.output()).not.toMatch(/unhandled error/i);
  });

  // BUG: lib/settings/settings-schema.ts accepts any JS string as greeting; a lone UTF-16
  // surrogate ("\ud800", valid JSON) reaches the database, PostgreSQL/PGlite jsonb refuses it,
  // and PUT /api/settings answers 500 internal_error with "unhandled error" in the log.
  // Expected: 400 invalid_settings (or invalid_json), nothing logged as unhandled.
  it('answers a greeting holding a lone UTF-16 surrogate with 400, not 500', async () => {
    const before = server!.output();
    for (const greeting of ['\\ud800', 'a\\udc00b', '\\udfff\\ud800']) {
      const etag = await currentEtag();
      const answer = await send('/api/settings', {
        method: 'PUT',
        headers: { authorization: instance, 'content-type': 'application/json', 'if-match': etag },
        body: `{"greeting":"${greeting}","theme":"dark"}`,
      });
      expectClientError(answer.status, `greeting ${greeting}: ${answer.text}`);
    }
    expect(server!.output().slice(before.length)).not.toMatch(/unhandled error/i);
    await expectStillServing();
  });
});
