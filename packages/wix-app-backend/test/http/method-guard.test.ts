/**
 * `installMethodGuard` (src/http/method-guard.ts) on a real Node HTTP server whose handler stands
 * in for Next's: it builds a `Request` from every request, as Next does, so TRACE would throw in
 * it. The guard answers TRACE and CONNECT with a 405 problem carrying a request id, logs one line,
 * and leaves every other method to the handler.
 */
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMethodGuard } from '../../src/http/method-guard';
import { createLogger } from '../../src/log';

const lines: string[] = [];
const handled: string[] = [];
let server: http.Server;
let port: number;
let uninstall: () => void;
let requestIdHeader: string | null = null;

beforeAll(async () => {
  uninstall = installMethodGuard({
    log: () => createLogger('info', (line) => lines.push(line)),
    requestIdHeader: () => requestIdHeader,
  });
  server = http.createServer((request, response) => {
    handled.push(request.method ?? '');
    try {
      // What Next does first with every request; throws for TRACE.
      new Request(`http://localhost${request.url}`, { method: request.method });
      response.end('served');
    } catch {
      response.statusCode = 500;
      response.end('Internal Server Error');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  uninstall?.();
  await new Promise((resolve) => server?.close(resolve));
});

/** Sends one raw request and reads until the server closes the connection. */
function raw(head: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 5 s')), 5_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [headers = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), headers, body });
    });
    socket.write(`${head}\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

const headerOf = (headers: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1]?.trim() ?? null;

describe('installMethodGuard', () => {
  for (const head of ['TRACE /api/me HTTP/1.1', 'CONNECT 127.0.0.1:1 HTTP/1.1']) {
    it(`answers ${head.split(' ')[0]} with a 405 problem and a request id, logging one line`, async () => {
      lines.length = 0;
      handled.length = 0;
      const answer = await raw(head);
      expect(answer.status, answer.headers).toBe(405);
      expect(headerOf(answer.headers, 'content-type')).toBe('application/problem+json');
      expect(headerOf(answer.headers, 'allow')).toContain('GET');
      const requestId = headerOf(answer.headers, 'x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(answer.body)).toMatchObject({
        status: 405,
        code: 'method_not_allowed',
        requestId,
      });
      expect(handled).toEqual([]);
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
        { level: 'info', event: 'method_not_allowed', method: head.split(' ')[0], requestId },
      ]);
    });
  }

  it('names the request with the trusted proxy’s id when one is configured', async () => {
    requestIdHeader = 'x-edge-id';
    try {
      const answer = await raw('TRACE /api/me HTTP/1.1\r\nX-Edge-Id: edge-42');
      expect(headerOf(answer.headers, 'x-request-id')).toBe('edge-42');
    } finally {
      requestIdHeader = null;
    }
  });

  it('leaves every other method to the server’s handler', async () => {
    handled.length = 0;
    for (const method of ['GET', 'PROPFIND', 'DELETE']) {
      const answer = await raw(`${method} /api/me HTTP/1.1`);
      expect(answer.status).toBe(200);
    }
    expect(handled).toEqual(['GET', 'PROPFIND', 'DELETE']);
  });

  it('installs once: a second call changes nothing and removes nothing', async () => {
    installMethodGuard({ log: () => createLogger('silent'), requestIdHeader: () => null })();
    expect((await raw('TRACE / HTTP/1.1')).status).toBe(405);
  });
});
