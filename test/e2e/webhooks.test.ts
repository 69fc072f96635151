/**
 * Wix webhooks and the app-instance lifecycle (docs/wix-protocol.md, "Webhooks"), over real HTTP against
 * `next start`: deliveries signed RS256 with a key pair made here (its public half given to the
 * server as WIX_APP_PUBLIC_KEY, once as PEM and once base64-encoded) move /api/me's installation
 * status whatever the order or number of copies; forged and malformed deliveries are refused
 * with a 4xx and change nothing; a removed instance still authenticates but its data routes
 * refuse; deliveries answer well inside Wix's 1250 ms; `npm run webhook` signs with the key
 * `npm run dev` gives a development server, and without a key no NODE_ENV trusts a delivery; the
 * purge cron route (which keeps delivery records, so replays stay duplicates); and two processes
 * sharing PostgreSQL.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64url } from 'wix-app-backend/crypto/base64url';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import {
  DEV_WEBHOOK_KEYS_FILE,
  loadOrCreateDevWebhookKeys,
} from 'wix-app-backend/dev/dev-webhook-keys';
import { lifecycleData, signWixWebhook } from 'wix-app-backend/dev/sign-webhook';
import { DEFAULT_SETTINGS } from '@/lib/settings/settings-schema';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { runNextUntilExit, startNextServer, type NextServer } from './helpers/next-server';
import { PROJECT_ROOT } from './helpers/paths';
import { printOutputOnFailure, runProjectScript, send, type Answer } from './helpers/http';

const SECRETS = { WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET };

/** Wix retries a delivery not answered 200 within this (docs/wix-protocol.md, "Webhooks"). */
const WIX_WEBHOOK_DEADLINE_MS = 1250;
const TIMED_DELIVERIES = 50;

// "Wix's" key pair for this run, and a stranger's.
const wixKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = wixKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PUBLIC_PEM_BASE64 = Buffer.from(PUBLIC_PEM, 'utf8').toString('base64');

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);
/** What `iat` (whole seconds) makes of a date. */
const toIatPrecision = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);

// ---------------------------------------------------------------------------------------------
// Deliveries and calls

interface DeliveryOptions {
  issuedAt?: Date;
  expiresInSeconds?: number;
  /** The payload's operationTimeStamp (plan events). */
  at?: Date;
  plan?: string;
  cycle?: string;
  appId?: string;
  key?: KeyObject;
}

/** A delivery exactly as Wix would send it, signed with this run's "Wix" key by default. */
function delivery(eventType: string, instanceId: string, options: DeliveryOptions = {}) {
  const { issuedAt, expiresInSeconds, at, plan, cycle, appId = TEST_APP_ID } = options;
  return signWixWebhook(
    { eventType, instanceId, data: lifecycleData(eventType, { appId, plan, cycle, at }) },
    options.key ?? wixKeys.privateKey,
    { issuedAt, expiresInSeconds },
  );
}

/** The pair `npm run webhook` signs with (created on first use, as the script would). */
const readDevWebhookKeys = () =>
  loadOrCreateDevWebhookKeys(path.join(PROJECT_ROOT, DEV_WEBHOOK_KEYS_FILE));

const postWebhook = (
  server: NextServer,
  body: BodyInit,
  headers: Record<string, string> = { 'content-type': 'text/plain' },
) => send(`${server.url}/api/webhooks/wix`, { method: 'POST', headers, body });

/** Posts a delivery that must be accepted; returns its outcome. */
async function deliver(server: NextServer, body: string): Promise<string> {
  const answer = await postWebhook(server, body);
  expect(answer.status, answer.text).toBe(200);
  return String(answer.body.outcome);
}

const instanceFor = (instanceId: string) =>
  signInstance(
    {
      instanceId,
      appDefId: TEST_APP_ID,
      uid: `user-${instanceId.slice(0, 8)}`,
      permissions: 'OWNER',
    },
    TEST_APP_SECRET,
  );

/** Signed for the public development credentials (a server without WIX_APP_ID/SECRET). */
const devInstanceFor = (instanceId: string) =>
  signInstance(
    {
      instanceId,
      appDefId: DEV_APP_ID,
      uid: `user-${instanceId.slice(0, 8)}`,
      permissions: 'OWNER',
    },
    DEV_APP_SECRET,
  );

interface Me {
  instanceId: string;
  firstSeenAt: string;
  installation: {
    status: 'installed' | 'removed' | 'unknown';
    removedAt: string | null;
    plan: {
      id: string;
      cycle: string | null;
      expiresAt: string | null;
      autoRenews: boolean | null;
    } | null;
  };
}

async function me(server: NextServer, instance: string | Promise<string>): Promise<Me> {
  const answer = await send(`${server.url}/api/me`, {
    headers: { authorization: await instance },
  });
  expect(answer.status, answer.text).toBe(200);
  return answer.body as unknown as Me;
}

const statusOf = async (server: NextServer, instanceId: string) =>
  (await me(server, instanceFor(instanceId))).installation.status;

async function settings(
  server: NextServer,
  instanceId: string,
  put?: { document: unknown; ifMatch: string },
) {
  const headers: Record<string, string> = { authorization: await instanceFor(instanceId) };
  if (put) {
    headers['content-type'] = 'application/json';
    headers['if-match'] = put.ifMatch;
  }
  return send(`${server.url}/api/settings`, {
    method: put ? 'PUT' : 'GET',
    headers,
    body: put ? JSON.stringify(put.document) : undefined,
  });
}

function expectProblem(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.body).toMatchObject({ status, code });
}

// ---------------------------------------------------------------------------------------------
// Latency

interface Latency {
  label: string;
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** The first delivery this server handled in the measurement (route possibly cold). */
  first: number;
}
const latencies: Latency[] = [];

/** Nearest-rank percentile of ascending `sorted`. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

/**
 * One warm-up delivery, then `TIMED_DELIVERIES` sequential AppInstalled deliveries for fresh
 * instances, each timed from request to the last byte of the answer.
 */
async function measureDeliveries(server: NextServer, label: string): Promise<Latency> {
  const warmUp = await postWebhook(server, await delivery('AppInstalled', randomUUID()));
  expect(warmUp.status, warmUp.text).toBe(200);
  const times: number[] = [];
  for (let i = 0; i < TIMED_DELIVERIES; i++) {
    const body = await delivery(i % 2 === 0 ? 'AppInstalled' : 'AppRemoved', randomUUID());
    const answer = await postWebhook(server, body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.outcome).toBe('applied');
    times.push(answer.ms);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const latency = {
    label,
    count: times.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    first: warmUp.ms,
  };
  latencies.push(latency);
  return latency;
}

afterAll(() => {
  for (const l of latencies) {
    console.log(
      `[webhook latency] ${l.label}: ${l.count} sequential deliveries, p50 ${l.p50.toFixed(1)} ms, ` +
        `p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms (warm-up delivery ${l.first.toFixed(1)} ms)`,
    );
  }
});

/** No request of the test may have ended in a 500: the mapper logs those as unhandled. */
function expectNoUnhandledErrors(server: NextServer) {
  expect(server.output()).not.toContain('unhandled error');
}

// ---------------------------------------------------------------------------------------------

describe('production with WIX_APP_PUBLIC_KEY as PEM, PGlite on disk', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wix-e2e-webhooks-'));
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({
      env: { ...SECRETS, WIX_APP_PUBLIC_KEY: PUBLIC_PEM, DATA_DIR: dataDir },
    });
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  printOutputOnFailure(() => [server]);

  it('tracks install, removal, replays, reordering and a reinstall that keeps the settings', async () => {
    const id = randomUUID();
    const before = await me(server, instanceFor(id));
    expect(before.installation).toEqual({ status: 'unknown', removedAt: null, plan: null });

    const installed = await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) });
    expect(await deliver(server, installed)).toBe('applied');
    expect((await me(server, instanceFor(id))).installation).toEqual({
      status: 'installed',
      removedAt: null,
      plan: null,
    });

    const saved = await settings(server, id, {
      document: { greeting: 'kept through a removal', theme: 'dark' },
      ifMatch: '"0"',
    });
    expect(saved.status, saved.text).toBe(200);

    const removedAt = secondsAgo(200);
    const removed = await delivery('AppRemoved', id, { issuedAt: removedAt });
    expect(await deliver(server, removed)).toBe('applied');
    expect((await me(server, instanceFor(id))).installation).toEqual({
      status: 'removed',
      removedAt: toIatPrecision(removedAt).toISOString(),
      plan: null,
    });

    // Wix redelivers: every copy is recognised and has no second effect.
    for (const body of [installed, installed, removed, removed]) {
      expect(await deliver(server, body)).toBe('duplicate');
    }
    // Whitespace around the JWT does not make it a new delivery either.
    expect(await deliver(server, `\n${installed}\r\n`)).toBe('duplicate');
    expect(await statusOf(server, id)).toBe('removed');

    // A later reinstall wins, and the data kept through the removal is still there.
    const reinstalled = await delivery('AppInstalled', id, { issuedAt: secondsAgo(100) });
    expect(await deliver(server, reinstalled)).toBe('applied');
    const after = await me(server, instanceFor(id));
    expect(after.installation).toEqual({ status: 'installed', removedAt: null, plan: null });
    expect(after.firstSeenAt).toBe(before.firstSeenAt);
    const read = await settings(server, id);
    expect(read.status, read.text).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body.settings).toMatchObject({ greeting: 'kept through a removal', theme: 'dark' });
  });

  it('ends removed when the removal arrives before the older install, and on every replay', async () => {
    const id = randomUUID();
    const removedAt = secondsAgo(200);
    const installed = await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) });
    const removed = await delivery('AppRemoved', id, { issuedAt: removedAt });

    expect(await deliver(server, removed)).toBe('applied');
    expect(await deliver(server, installed)).toBe('stale');
    expect(await statusOf(server, id)).toBe('removed');

    for (const body of [removed, installed, installed, removed]) {
      expect(await deliver(server, body)).toBe('duplicate');
    }
    expect((await me(server, instanceFor(id))).installation).toEqual({
      status: 'removed',
      removedAt: toIatPrecision(removedAt).toISOString(),
      plan: null,
    });
  });

  it('accepts a delivery whatever Content-Type it comes with, without parsing it first', async () => {
    const id = randomUUID();
    for (const [contentType, event] of [
      ['application/json', 'AppInstalled'],
      ['application/octet-stream', 'AppRemoved'],
    ] as const) {
      const answer = await postWebhook(
        server,
        await delivery(event, id, {
          issuedAt: secondsAgo(event === 'AppInstalled' ? 20 : 10),
        }),
        { 'content-type': contentType },
      );
      expect(answer.status, answer.text).toBe(200);
      // Lifecycle events apply in the request; nothing goes to the event queue.
      expect(answer.body).toEqual({
        status: 'ok',
        outcome: 'applied',
        eventType: event,
        queued: false,
      });
    }
    expect(await statusOf(server, id)).toBe('removed');
  });

  it('records the plan from PaidPlanPurchased and the cancelled renewal, ignoring an older resend', async () => {
    const id = randomUUID();
    await deliver(server, await delivery('AppInstalled', id, { issuedAt: secondsAgo(600) }));
    const purchasedAt = secondsAgo(120);
    const purchase = await delivery('PaidPlanPurchased', id, {
      at: purchasedAt,
      plan: 'premium',
      cycle: 'YEARLY',
      issuedAt: purchasedAt,
    });
    expect(await deliver(server, purchase)).toBe('applied');
    const expiresAt = new Date(purchasedAt.getTime() + 30 * 24 * 3600 * 1000).toISOString();
    expect((await me(server, instanceFor(id))).installation.plan).toEqual({
      id: 'premium',
      paid: true,
      cycle: 'YEARLY',
      expiresAt,
      autoRenews: true,
    });

    const cancelled = await delivery('PaidPlanAutoRenewalCancelled', id, {
      at: secondsAgo(60),
      plan: 'premium',
      cycle: 'YEARLY',
    });
    expect(await deliver(server, cancelled)).toBe('applied');
    const plan = { id: 'premium', paid: true, cycle: 'YEARLY', expiresAt, autoRenews: false };
    expect((await me(server, instanceFor(id))).installation).toEqual({
      status: 'installed',
      removedAt: null,
      plan,
    });

    // Wix resends the purchase as it was (same operationTimeStamp) under a fresh JWT: a new body,
    // but an older event than the cancellation.
    const resent = await delivery('PaidPlanPurchased', id, {
      at: purchasedAt,
      plan: 'premium',
      cycle: 'YEARLY',
      issuedAt: new Date(),
    });
    expect(resent).not.toBe(purchase);
    expect(await deliver(server, resent)).toBe('stale');
    expect((await me(server, instanceFor(id))).installation.plan).toEqual(plan);

    // An event type the app does not handle is recorded and ignored.
    expect(await deliver(server, await delivery('SomethingNew', id))).toBe('ignored');
    expect((await me(server, instanceFor(id))).installation.plan).toEqual(plan);
  });

  it('refuses forged and malformed deliveries with a 4xx and changes nothing', async () => {
    const id = randomUUID();
    await deliver(server, await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) }));
    const before = await me(server, instanceFor(id));
    expect(before.installation.status).toBe('installed');

    // Every forgery below carries this removal's claims: accepted, it would remove the instance.
    const genuine = await delivery('AppRemoved', id, { issuedAt: secondsAgo(60) });
    const [genuineHeader, genuinePayload, genuineSignature] = genuine.split('.') as [
      string,
      string,
      string,
    ];
    const claims = decodeJwt(genuine);
    const encodeJson = (value: unknown) =>
      encodeBase64url(new TextEncoder().encode(JSON.stringify(value)));
    const otherPayload = encodeJson({
      ...claims,
      data: String(claims.data).replace(id, randomUUID()),
    });

    const forgeries: Array<[string, BodyInit, number | 'any4xx', string?]> = [
      [
        'signed by another key',
        await delivery('AppRemoved', id, { key: strangerKeys.privateKey }),
        401,
        'invalid_webhook_signature',
      ],
      [
        'alg none',
        `${encodeJson({ alg: 'none', typ: 'JWT' })}.${genuinePayload}.`,
        401,
        'invalid_webhook_signature',
      ],
      [
        'HS256 keyed with the public PEM',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .sign(new TextEncoder().encode(PUBLIC_PEM)),
        401,
        'invalid_webhook_signature',
      ],
      [
        'a genuine signature over another payload',
        `${genuineHeader}.${otherPayload}.${genuineSignature}`,
        401,
        'invalid_webhook_signature',
      ],
      [
        'the genuine delivery without its signature',
        `${genuineHeader}.${genuinePayload}.`,
        401,
        'invalid_webhook_signature',
      ],
      [
        'expired two days ago',
        await delivery('AppRemoved', id, {
          issuedAt: secondsAgo(2 * 24 * 3600),
          expiresInSeconds: 60,
        }),
        401,
        'expired_webhook',
      ],
      ['garbage', 'this is not a JWT at all', 400, 'malformed_webhook'],
      ['three dotted garbage parts', 'aaaa.bbbb.cccc', 'any4xx'],
      ['an empty body', '', 400, 'malformed_webhook'],
      ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0x2e, 0x80]), 400, 'malformed_webhook'],
      ['a 100 KiB body', 'a'.repeat(100 * 1024), 413, 'payload_too_large'],
      [
        'a 100 KiB body of genuine-looking JWT text',
        `${genuine}${'A'.repeat(100 * 1024)}`,
        413,
        'payload_too_large',
      ],
    ];

    // A correctly signed delivery whose claims are not a Wix envelope.
    forgeries.push([
      'a signed JWT without an event envelope',
      await new SignJWT({ data: 'not json' })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(wixKeys.privateKey),
      400,
      'malformed_webhook',
    ]);

    for (const [label, body, status, code] of forgeries) {
      const answer = await postWebhook(server, body);
      if (status === 'any4xx') {
        expect(answer.status, `${label}: ${answer.text}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${label}: ${answer.text}`).toBeLessThan(500);
      } else {
        expect(answer.status, `${label}: ${answer.text}`).toBe(status);
        expect(answer.body.code, label).toBe(code);
      }
      expect(answer.headers.get('content-type'), label).toBe('application/problem+json');
    }

    // 100 KiB streamed without a Content-Length: refused while it streams in.
    const chunk = new Uint8Array(1024).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const streamed = await send(`${server.url}/api/webhooks/wix`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status, streamed.text).toBe(413);

    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await send(`${server.url}/api/webhooks/wix`, { method });
      expect(answer.status, `${method}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${method}: ${answer.text}`).toBeLessThan(500);
    }
    expect((await send(`${server.url}/api/webhooks/wix`)).status).toBe(405);

    const after = await me(server, instanceFor(id));
    expect(after.installation).toEqual(before.installation);
    expect(after.firstSeenAt).toBe(before.firstSeenAt);
    expectNoUnhandledErrors(server);

    // The genuine delivery the forgeries copied does change the state: they were refused for
    // their forgery alone.
    expect(await deliver(server, genuine)).toBe('applied');
    expect(await statusOf(server, id)).toBe('removed');
  });

  it('still authenticates a removed instance but refuses its settings with app_not_installed', async () => {
    const id = randomUUID();
    await deliver(server, await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) }));
    const saved = await settings(server, id, {
      document: { greeting: 'before removal', theme: 'light' },
      ifMatch: '"0"',
    });
    expect(saved.status, saved.text).toBe(200);
    await deliver(server, await delivery('AppRemoved', id, { issuedAt: secondsAgo(200) }));

    const who = await me(server, instanceFor(id));
    expect(who.instanceId).toBe(id);
    expect(who.installation.status).toBe('removed');
    expectProblem(await settings(server, id), 403, 'app_not_installed');
    expectProblem(
      await settings(server, id, {
        document: { greeting: 'after removal', theme: 'dark' },
        ifMatch: '"1"',
      }),
      403,
      'app_not_installed',
    );
  });

  it(`answers ${TIMED_DELIVERIES} sequential deliveries well inside Wix's 1250 ms`, async () => {
    const latency = await measureDeliveries(server, 'PGlite on disk');
    expect(latency.max).toBeLessThan(WIX_WEBHOOK_DEADLINE_MS);
    expectNoUnhandledErrors(server);
  });
});

describe('production with WIX_APP_PUBLIC_KEY base64-encoded, and the purge cron route', () => {
  const CRON_SECRET = `cron-${randomUUID()}`;
  const SITE_ORIGIN = 'https://site.example.com';
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({
      env: {
        ...SECRETS,
        WIX_APP_PUBLIC_KEY: PUBLIC_PEM_BASE64,
        CRON_SECRET,
        DATA_RETENTION_DAYS: '0',
        CORS_ALLOWED_ORIGINS: SITE_ORIGIN,
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  printOutputOnFailure(() => [server]);

  const cron = (authorization?: string, origin?: string) => {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers.authorization = authorization;
    if (origin !== undefined) headers.origin = origin;
    return send(`${server.url}/api/cron/purge`, { headers });
  };

  it('verifies deliveries with the base64-encoded key and refuses other keys', async () => {
    const id = randomUUID();
    expect(await deliver(server, await delivery('AppInstalled', id))).toBe('applied');
    expect(await statusOf(server, id)).toBe('installed');
    const forged = await postWebhook(
      server,
      await delivery('AppRemoved', id, { key: strangerKeys.privateKey }),
    );
    expectProblem(forged, 401, 'invalid_webhook_signature');
    expect(await statusOf(server, id)).toBe('installed');
  });

  /**
   * Installs `id`, saves settings for it, removes it; returns /api/me from before the removal
   * and the two deliveries.
   */
  async function installSaveRemove(id: string): Promise<{ before: Me; deliveries: string[] }> {
    const installed = await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) });
    const removed = await delivery('AppRemoved', id, { issuedAt: secondsAgo(200) });
    expect(await deliver(server, installed)).toBe('applied');
    const saved = await settings(server, id, {
      document: { greeting: 'to be purged', theme: 'dark' },
      ifMatch: '"0"',
    });
    expect(saved.status, saved.text).toBe(200);
    const before = await me(server, instanceFor(id));
    expect(before.installation.status).toBe('installed');
    expect(await deliver(server, removed)).toBe('applied');
    return { before, deliveries: [installed, removed] };
  }

  /** A purged instance is new again: status unknown, a new first-seen time, default settings. */
  async function expectPurged(id: string, before: Me, check: typeof expect.soft = expect) {
    const after = await me(server, instanceFor(id));
    check(after.installation, `${id} after the purge`).toEqual({
      status: 'unknown',
      removedAt: null,
      plan: null,
    });
    check(Date.parse(after.firstSeenAt), 'a new firstSeenAt').toBeGreaterThan(
      Date.parse(before.firstSeenAt),
    );
    const read = await settings(server, id);
    check(read.status, read.text).toBe(200);
    check(read.body, 'default settings').toMatchObject({ version: 0, settings: DEFAULT_SETTINGS });
  }

  it('purges removed instances only with the right bearer secret', async () => {
    const removedId = randomUUID();
    const keptId = randomUUID();
    await deliver(server, await delivery('AppInstalled', keptId, { issuedAt: secondsAgo(300) }));
    const { before, deliveries } = await installSaveRemove(removedId);

    for (const authorization of [
      undefined,
      '',
      `Bearer ${CRON_SECRET}x`,
      `Bearer ${CRON_SECRET.slice(0, -1)}`,
      CRON_SECRET,
      `Basic ${CRON_SECRET}`,
    ]) {
      expectProblem(await cron(authorization), 401, 'invalid_cron_secret');
    }
    // Not read back here: this process would memoise the removed record (see the next test). The
    // right secret purging exactly one instance below shows that none of the above purged it.

    const purge = await cron(`Bearer ${CRON_SECRET}`);
    expect(purge.status, purge.text).toBe(200);
    expect(purge.body).toMatchObject({ purged: 1 });
    expect(Date.parse(String(purge.body.removedBefore))).toBeGreaterThan(Date.now() - 60_000);
    expect((await cron(`Bearer ${CRON_SECRET}`)).body).toMatchObject({ purged: 0 });

    await expectPurged(removedId, before);
    expect(await statusOf(server, keptId)).toBe('installed');

    // The purge keeps the delivery records, unlinked from the instance: Wix redelivering the
    // install or the removal now is a duplicate, not a new lifecycle for the purged site.
    for (const body of deliveries) expect(await deliver(server, body)).toBe('duplicate');
    expect(await statusOf(server, removedId)).toBe('unknown');
  });

  it('forgets a purged instance whose removed state this process has just served', async () => {
    const id = randomUUID();
    const { before } = await installSaveRemove(id);
    // The site's user still opens the app after the removal: Wix keeps signing its instances,
    // and this process memoises the removed record.
    expect(await statusOf(server, id)).toBe('removed');
    expectProblem(await settings(server, id), 403, 'app_not_installed');

    const purge = await cron(`Bearer ${CRON_SECRET}`);
    expect(purge.status, purge.text).toBe(200);
    expect(purge.body).toMatchObject({ purged: 1 });

    // Soft: every consequence of a stale record is reported, not just the first.
    await expectPurged(id, before, expect.soft);
  });

  it('adds no CORS headers to webhook or cron answers, even for an allowed Origin', async () => {
    // Control: the gated API does answer this origin with CORS headers.
    const gated = await send(`${server.url}/api/me`, {
      headers: { origin: SITE_ORIGIN, authorization: await instanceFor(randomUUID()) },
    });
    expect(gated.status, gated.text).toBe(200);
    expect(gated.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);

    const answers = [
      await postWebhook(server, await delivery('AppInstalled', randomUUID()), {
        'content-type': 'text/plain',
        origin: SITE_ORIGIN,
      }),
      await postWebhook(server, 'garbage', { origin: SITE_ORIGIN }),
      await send(`${server.url}/api/webhooks/wix`, {
        method: 'OPTIONS',
        headers: {
          origin: SITE_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      }),
      await cron(`Bearer ${CRON_SECRET}`, SITE_ORIGIN),
      await cron('Bearer wrong', SITE_ORIGIN),
      await send(`${server.url}/api/cron/purge`, {
        method: 'OPTIONS',
        headers: { origin: SITE_ORIGIN, 'access-control-request-method': 'GET' },
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([
      200,
      400,
      expect.any(Number),
      200,
      401,
      expect.any(Number),
    ]);
    for (const answer of answers) {
      const cors = [...answer.headers.keys()].filter((name) => name.startsWith('access-control-'));
      expect(cors, answer.text).toEqual([]);
    }
    expectNoUnhandledErrors(server);
  });
});

describe('production without WIX_APP_PUBLIC_KEY', () => {
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({ env: SECRETS });
  });

  afterAll(async () => {
    await server?.stop();
  });

  printOutputOnFailure(() => [server]);

  it('warns at startup, keeps serving, and answers deliveries 503 webhooks_not_configured', async () => {
    expect(server.output()).toMatch(/WIX_APP_PUBLIC_KEY is not set/);
    const id = randomUUID();
    expect((await me(server, instanceFor(id))).installation.status).toBe('unknown');

    const answer = await postWebhook(server, await delivery('AppInstalled', id));
    expectProblem(answer, 503, 'webhooks_not_configured');
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await statusOf(server, id)).toBe('unknown');
  });

  it('does not fall back to the development key pair in production', async () => {
    const { privateKeyPem } = readDevWebhookKeys();
    const answer = await postWebhook(
      server,
      await signWixWebhook(
        {
          eventType: 'AppInstalled',
          instanceId: randomUUID(),
          data: lifecycleData('AppInstalled', { appId: TEST_APP_ID }),
        },
        createPrivateKey(privateKeyPem),
      ),
    );
    expectProblem(answer, 503, 'webhooks_not_configured');
  });

  it('refuses to start when WIX_APP_PUBLIC_KEY is a private key, naming the variable', async () => {
    const privatePem = wixKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const result = await runNextUntilExit({
      env: { ...SECRETS, WIX_APP_PUBLIC_KEY: privatePem },
      timeoutMs: 30_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    expect(output).toContain('WIX_APP_PUBLIC_KEY');
    expect(output).toContain('private key');
    expect(output).not.toContain('PRIVATE KEY-----');
  });
});

// ---------------------------------------------------------------------------------------------
// `npm run webhook` against a development server

describe('npm run webhook against next start in development', () => {
  // No WIX_APP_ID/SECRET: the development credentials. The app never reads .dev/ itself:
  // `npm run dev` (scripts/dev.ts) gives it the local pair's public half as WIX_APP_PUBLIC_KEY,
  // and so does this test. The script gets no key: it signs with the pair in .dev/.
  const DEV_ENV = { NODE_ENV: 'development' };
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({
      env: { ...DEV_ENV, WIX_APP_PUBLIC_KEY: readDevWebhookKeys().publicKeyPem },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  printOutputOnFailure(() => [server]);

  it('signs and posts AppInstalled, which the server applies', async () => {
    const id = randomUUID();
    const devMe = () => me(server, devInstanceFor(id));
    expect((await devMe()).installation.status).toBe('unknown');

    const result = await runProjectScript(
      'webhook',
      ['AppInstalled', '--instance-id', id, '--url', `${server.url}/`],
      DEV_ENV,
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(result.stdout).toContain('applied');
    expect(result.stdout).toContain('HTTP 200');
    expect((await devMe()).installation.status).toBe('installed');
  });

  it('prints a delivery that verifies with the development public key, and nothing else', async () => {
    const id = randomUUID();
    await deliverViaScript(id);
    const result = await runProjectScript(
      'webhook',
      ['AppRemoved', '--instance-id', id, '--url', server.url, '--print'],
      DEV_ENV,
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const devPublicKey = createPublicKey(readDevWebhookKeys().publicKeyPem);
    const { payload, protectedHeader } = await jwtVerify(token, devPublicKey, {
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    const envelope = JSON.parse(String(payload.data)) as Record<string, unknown>;
    expect(envelope).toMatchObject({ eventType: 'AppRemoved', instanceId: id });
    expect(JSON.parse(String(envelope.data))).toEqual({ appId: DEV_APP_ID });
    // It is not signed with anything else (control for the verification above).
    await expect(jwtVerify(token, wixKeys.publicKey, { algorithms: ['RS256'] })).rejects.toThrow();

    // --print only prints: the server has not seen it. Posting it applies the removal.
    expect((await me(server, devInstanceFor(id))).installation.status).toBe('installed');
    expect(await deliver(server, token)).toBe('applied');
    expect((await me(server, devInstanceFor(id))).installation.status).toBe('removed');
  });

  it('trusts only the key npm run dev gives it, not a delivery signed with another', async () => {
    const id = randomUUID();
    const answer = await postWebhook(server, await delivery('AppInstalled', id));
    expectProblem(answer, 401, 'invalid_webhook_signature');
    expect((await me(server, devInstanceFor(id))).installation.status).toBe('unknown');
  });

  async function deliverViaScript(id: string) {
    const result = await runProjectScript(
      'webhook',
      ['AppInstalled', '--instance-id', id, '--url', server.url],
      DEV_ENV,
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  }
});

describe('next start in development without WIX_APP_PUBLIC_KEY', () => {
  let server: NextServer;

  beforeAll(async () => {
    server = await startNextServer({ env: { NODE_ENV: 'development' } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  printOutputOnFailure(() => [server]);

  it('answers deliveries 503 webhooks_not_configured, even one signed with the .dev/ pair', async () => {
    // Production code no longer reads .dev/: without the key from `npm run dev`, no delivery
    // is trusted, whatever NODE_ENV says.
    const id = randomUUID();
    const devSigned = await signWixWebhook(
      {
        eventType: 'AppInstalled',
        instanceId: id,
        data: lifecycleData('AppInstalled', { appId: DEV_APP_ID }),
      },
      createPrivateKey(readDevWebhookKeys().privateKeyPem),
    );
    for (const body of [devSigned, await delivery('AppInstalled', id)]) {
      const answer = await postWebhook(server, body);
      expectProblem(answer, 503, 'webhooks_not_configured');
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect((await me(server, devInstanceFor(id))).installation.status).toBe('unknown');
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'PostgreSQL shared by two next start processes',
  () => {
    const servers: NextServer[] = [];

    beforeAll(async () => {
      const env = {
        ...SECRETS,
        WIX_APP_PUBLIC_KEY: PUBLIC_PEM,
        DATABASE_URL: process.env.TEST_DATABASE_URL!,
      };
      servers.push(...(await Promise.all([startNextServer({ env }), startNextServer({ env })])));
    });

    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
    });

    printOutputOnFailure(() => servers);

    it('applies one of 10 concurrent copies of a delivery split over both processes', async () => {
      const id = randomUUID();
      const body = await delivery('AppInstalled', id);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => postWebhook(servers[i % 2]!, body)),
      );
      for (const answer of answers) expect(answer.status, answer.text).toBe(200);
      const outcomes = answers.map((a) => String(a.body.outcome)).sort();
      expect(outcomes).toEqual(['applied', ...Array<string>(9).fill('duplicate')]);
      for (const server of servers) expect(await statusOf(server, id)).toBe('installed');
    });

    it('ends removed when install and removal reach different processes in reverse order', async () => {
      const id = randomUUID();
      const installed = await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) });
      const removed = await delivery('AppRemoved', id, { issuedAt: secondsAgo(200) });
      expect(await deliver(servers[0]!, removed)).toBe('applied');
      expect(await deliver(servers[1]!, installed)).toBe('stale');
      for (const server of servers) expect(await statusOf(server, id)).toBe('removed');
    });

    it('ends removed when install and removal race on different processes', async () => {
      const ids = Array.from({ length: 8 }, () => randomUUID());
      await Promise.all(
        ids.map(async (id, i) => {
          const installed = await delivery('AppInstalled', id, { issuedAt: secondsAgo(300) });
          const removed = await delivery('AppRemoved', id, { issuedAt: secondsAgo(200) });
          const outcomes = await Promise.all([
            deliver(servers[i % 2]!, installed),
            deliver(servers[(i + 1) % 2]!, removed),
          ]);
          // The removal always applies; the install applies only if it got there first.
          expect(outcomes[1]).toBe('applied');
          expect(['applied', 'stale']).toContain(outcomes[0]);
        }),
      );
      for (const id of ids) {
        for (const server of servers) expect(await statusOf(server, id)).toBe('removed');
      }
    });

    it(`answers ${TIMED_DELIVERIES} sequential deliveries well inside Wix's 1250 ms`, async () => {
      const latency = await measureDeliveries(servers[0]!, 'PostgreSQL');
      expect(latency.max).toBeLessThan(WIX_WEBHOOK_DEADLINE_MS);
      for (const server of servers) expectNoUnhandledErrors(server);
    });
  },
);
