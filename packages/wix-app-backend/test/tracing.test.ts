/**
 * The app's spans, recorded by a real OpenTelemetry SDK registered for this file only: the
 * authentication, database and Wix spans and their attributes, and no credential or secret in
 * any attribute of any span.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guardDatabase } from '../src/db/errors';
import { createWixFetch } from '../src/wix/wix-fetch';
import { TRACER_NAME } from '../src/tracing';
import { TEST_APP_SECRET, createTestApp, expectProblem, type TestApp } from '../src/testing';
import { fixtureApp, whoAmI as getMe, wixInstance as getWixInstance } from './fixtures/routes';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
/** Every span this file produced, for the last test's look at all their attributes. */
const everySpan: ReadableSpan[] = [];
/** Every credential this file sent. */
const sent: string[] = [];

let kit: TestApp;
beforeAll(async () => {
  expect(trace.setGlobalTracerProvider(provider)).toBe(true);
  kit = await createTestApp({ app: fixtureApp, emulator: true });
});
afterAll(async () => {
  await kit.close();
  trace.disable();
  await provider.shutdown();
});
beforeEach(() => {
  everySpan.push(...exporter.getFinishedSpans());
  exporter.reset();
});

const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
const only = (name: string): ReadableSpan => {
  const found = spans(name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};

/**
 * The route alone, without the middleware's gate that `kit.call` adds in front of a bodyless
 * request: these tests count the handler's own spans, and the gate's credential check would be
 * a second `auth.verify_credential` (production has both; test/e2e/tracing.test.ts sees them).
 */
const handlerOnly = (
  route: typeof getMe,
  path: string,
  options: Parameters<TestApp['request']>[1] = {},
) => route.withContext(kit.app)(kit.request(path, options));

async function signed(options: Parameters<TestApp['signInstance']>[0] = {}): Promise<string> {
  const instance = await kit.signInstance(options);
  sent.push(instance);
  return instance;
}

describe('authentication', () => {
  it('is one app.authenticate span and one credential check, naming the verified instance', async () => {
    const instanceId = randomUUID();
    const response = await handlerOnly(getMe, '/api/me', { auth: await signed({ instanceId }) });
    expect(response.status).toBe(200);
    const check = only('auth.verify_credential');
    expect(check.attributes).toEqual({
      'auth.credential_kind': 'signed-instance',
      'auth.outcome': 'verified',
      'wix.instance_id': instanceId,
    });
    expect(check.instrumentationScope.name).toBe(TRACER_NAME);
    expect(only('app.authenticate').attributes).toEqual({
      'auth.credential_kind': 'signed-instance',
      'wix.instance_id': instanceId,
    });
    expect(only('app.authenticate').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a refusal’s problem code, and no instance id', async () => {
    const forged = await signed({ secret: 'not-the-app-secret' });
    await expectProblem(
      await handlerOnly(getMe, '/api/me', { auth: forged }),
      401,
      'invalid_signature',
    );
    expect(only('auth.verify_credential').attributes).toEqual({
      'auth.credential_kind': 'signed-instance',
      'auth.outcome': 'refused',
      'auth.refusal_code': 'invalid_signature',
    });
    const session = only('app.authenticate');
    expect(session.status.code).toBe(SpanStatusCode.ERROR);
    expect(session.attributes).toEqual({
      'auth.refusal_code': 'invalid_signature',
      'error.type': 'invalid_signature',
    });
  });

  it('says when no credential was sent', async () => {
    await expectProblem(await handlerOnly(getMe, '/api/me'), 401, 'missing_credentials');
    expect(only('auth.verify_credential').attributes).toEqual({
      'auth.outcome': 'refused',
      'auth.refusal_code': 'missing_credentials',
    });
  });

  it('names an access token’s kind, with its Token Info call as a Wix span', async () => {
    const instanceId = randomUUID();
    const token = kit.accessToken({ instanceId, subjectType: 'USER' });
    sent.push(token);
    expect((await handlerOnly(getMe, '/api/me', { auth: token })).status).toBe(200);
    expect(only('auth.verify_credential').attributes).toMatchObject({
      'auth.credential_kind': 'access-token',
      'auth.outcome': 'verified',
      'wix.instance_id': instanceId,
    });
    expect(only('wix.request').attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/oauth2/token-info',
      'http.response.status_code': 200,
      'wix.attempts': 1,
    });
  });
});

describe('database operations', () => {
  it('are each a db.operation span with their deadline', async () => {
    await handlerOnly(getMe, '/api/me', { auth: await signed() });
    const operations = spans('db.operation').filter((span) => 'db.deadline_ms' in span.attributes);
    expect(operations.length).toBeGreaterThan(0);
    for (const span of operations) {
      expect(span.attributes).toEqual({ 'db.deadline_ms': 8_000 });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
  });

  it('record an unreachable database as its code, never the driver’s message', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432 password=x'), {
      code: 'ECONNREFUSED',
    });
    await expect(guardDatabase(() => Promise.reject(refused))).rejects.toMatchObject({
      code: 'database_unavailable',
    });
    await expect(guardDatabase(() => Promise.reject(new TypeError('bug')))).rejects.toThrow('bug');
    const [unavailable, bug] = spans('db.operation');
    expect(unavailable!.status.code).toBe(SpanStatusCode.ERROR);
    expect(unavailable!.attributes['error.type']).toBe('database_unavailable');
    expect(bug!.attributes['error.type']).toBe('TypeError');
    expect(JSON.stringify([unavailable!.attributes, unavailable!.events])).not.toContain(
      '10.0.0.7',
    );
  });
});

describe('Wix calls', () => {
  it('are client spans with method, path, status, attempts and Wix’s request id', async () => {
    const response = await handlerOnly(getWixInstance, '/api/wix/instance', {
      auth: await signed(),
    });
    expect(response.status).toBe(200);
    const calls = spans('wix.request');
    expect(calls.map((span) => span.attributes['url.path']).sort()).toEqual([
      '/apps/v1/instance',
      '/oauth2/token',
    ]);
    for (const span of calls) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toEqual({
        'http.request.method': span.attributes['url.path'] === '/oauth2/token' ? 'POST' : 'GET',
        'url.path': span.attributes['url.path'],
        'http.response.status_code': 200,
        'wix.attempts': 1,
        'wix.request_id': expect.stringMatching(/^\d+\.\d+$/),
      });
    }
  });

  it('count the attempts of a retried call, and record a failure by its code', async () => {
    const instance = await signed();
    await handlerOnly(getWixInstance, '/api/wix/instance', { auth: instance }); // the app token
    kit.emulator!.setFaults({ paths: ['/apps/v1/instance'], status500: { count: 2 } });
    exporter.reset();
    expect(
      (await handlerOnly(getWixInstance, '/api/wix/instance', { auth: instance })).status,
    ).toBe(200);
    expect(only('wix.request').attributes).toMatchObject({
      'wix.attempts': 3,
      'http.response.status_code': 200,
    });

    kit.emulator!.setFaults({ paths: ['/apps/v1/instance'], status500: { count: 1_000 } });
    exporter.reset();
    const failed = await handlerOnly(getWixInstance, '/api/wix/instance', { auth: instance });
    await expectProblem(failed, 502, 'wix_unavailable');
    kit.emulator!.setFaults({});
    const span = only('wix.request');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'wix.attempts': 3,
      'http.response.status_code': 500,
      'error.type': 'wix_unavailable',
      'wix.request_id': expect.any(String),
    });
  }, 20_000);

  it('leave a query string out of the path', async () => {
    const wixFetch = createWixFetch({ baseUrl: kit.emulator!.url, maxAttempts: 1 });
    await wixFetch({ path: '/apps/v1/instance?fields=secret' }).catch(() => {});
    expect(only('wix.request').attributes['url.path']).toBe('/apps/v1/instance');
  });
});

describe('every span', () => {
  it('carries no credential and no app secret in any attribute', async () => {
    // Its own requests of every kind — signed, forged, an access token, a Wix call — so the
    // check stands alone, plus everything the file's other tests recorded before it.
    const token = kit.accessToken({ instanceId: randomUUID(), subjectType: 'USER' });
    sent.push(token);
    expect((await handlerOnly(getMe, '/api/me', { auth: token })).status).toBe(200);
    const forged = await signed({ secret: 'not-the-app-secret' });
    expect((await handlerOnly(getMe, '/api/me', { auth: `Bearer ${forged}` })).status).toBe(401);
    const instance = await signed();
    expect(
      (await handlerOnly(getWixInstance, '/api/wix/instance', { auth: instance })).status,
    ).toBe(200);
    everySpan.push(...exporter.getFinishedSpans());
    expect(everySpan.length).toBeGreaterThan(5);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    const recorded = JSON.stringify(
      everySpan.map((span) => [span.name, span.attributes, span.events]),
    );
    for (const secret of [TEST_APP_SECRET, ...sent, ...sent.map((s) => s.split('.')[0]!)]) {
      expect(recorded).not.toContain(secret);
    }
    expect(recorded).not.toMatch(/authorization|bearer|client_secret/i);
  });
});
