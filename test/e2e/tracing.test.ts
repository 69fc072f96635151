/**
 * Trace export from a real `next start` (packages/wix-app-backend/src/app/register-tracing.ts, decision 024): with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector this test runs (a bare HTTP server that
 * records what it is sent), a verified request's spans arrive over OTLP/HTTP — Next's and the
 * app's, the request id among their attributes — and nothing in them is the credential or the
 * app secret. Protobuf keeps strings as their bytes, so the names are looked for in the bodies.
 */
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { startNextServer, type NextServer } from './helpers/next-server';

const INSTANCE_ID = 'c0ffee00-1111-4222-8333-444455556666';

interface Received {
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

let collector: http.Server | undefined;
let received: Received[] = [];
let server: NextServer | undefined;

beforeAll(async () => {
  collector = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const gzipped = request.headers['content-encoding'] === 'gzip';
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: gzipped ? gunzipSync(raw) : raw,
      });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  server = await startNextServer({
    env: {
      NODE_ENV: 'production',
      WIX_APP_ID: TEST_APP_ID,
      WIX_APP_SECRET: TEST_APP_SECRET,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => collector?.close(resolve));
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(no server)'}`));
});

/** Every trace body received so far, as one latin1 string to search for names and ids. */
const traceText = () =>
  received
    .filter((r) => r.path === '/v1/traces')
    .map((r) => r.body.toString('latin1'))
    .join('\n');

describe('next start with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports the spans of a verified request, with its request id and without its credential', async () => {
    received = [];
    const credential = await signInstance(
      { instanceId: INSTANCE_ID, appDefId: TEST_APP_ID, permissions: 'OWNER' },
      TEST_APP_SECRET,
    );
    const response = await fetch(`${server!.url}/api/me`, {
      headers: { authorization: credential },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    // Spans leave in batches (every few seconds): wait until this request's are all there.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !traceText().includes(requestId!)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const text = traceText();
    const traces = received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]!.contentType).toMatch(/^application\/(x-protobuf|json)/);
    expect(text).toContain(requestId);
    // The app's own spans, and the verified instance on them.
    expect(text).toContain('app.authenticate');
    expect(text).toContain('auth.verify_credential');
    expect(text).toContain('db.operation');
    expect(text).toContain(INSTANCE_ID);
    // Never the credential (nor its signature alone), never the secret.
    expect(text).not.toContain(credential);
    expect(text).not.toContain(credential.split('.')[0]!);
    expect(text).not.toContain(TEST_APP_SECRET);
  });
});
