/**
 * Inputs built to hurt, against one production `next start`: NUL characters where PostgreSQL
 * cannot store them (in a settings body, in a signed instance's instanceId), webhook JWTs
 * without `exp` or dated a day ahead, a delivery replayed after its instance was purged, and
 * signed instances whose appDefId is a number or null. Every one gets a 4xx with its code, none
 * a 500, and nothing the client sent (an email, a uid) reaches the server's log.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance, type InstancePayloadInput } from 'wix-app-backend/auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { signDelivery, webhookKeyPair } from 'wix-app-backend/testing/webhooks';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';
import { SECRETS } from './helpers/http';

const CRON_SECRET = `cron-${randomUUID()}`;
const keys = webhookKeyPair();

let server: NextServer | undefined;

beforeAll(async () => {
  server = await startNextServer({
    env: {
      ...SECRETS,
      WIX_API_BASE_URL: 'http://127.0.0.1:9',
      WIX_APP_PUBLIC_KEY: keys.publicKeyPem,
      DATA_RETENTION_DAYS: '0',
      CRON_SECRET,
      // The chattiest level: whatever the app would ever log about these requests, it logs here.
      LOG_LEVEL: 'debug',
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${server!.url}${path}`, {
    ...init,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: assertions on body fail with the text in view
  }
  return { status: response.status, body, text };
}

const sign = (payload: Record<string, unknown>) =>
  signInstance(payload as unknown as InstancePayloadInput, TEST_APP_SECRET);

describe('NUL characters', () => {
  const uid = `uid-canary-${randomUUID()}`;
  const nulUid = `uid-canary-${randomUUID()}`;

  it('in a settings body: 400, for the escaped and the raw character', async () => {
    const instance = await sign({
      instanceId: randomUUID(),
      appDefId: TEST_APP_ID,
      uid,
      permissions: 'OWNER',
    });
    const headers = {
      authorization: instance,
      'content-type': 'application/json',
      'if-match': '"0"',
    };
    const escaped = await send('/api/settings', {
      method: 'PUT',
      headers,
      body: '{"greeting":"a\\u0000b","theme":"light","notificationEmail":"victim.pii@example.com"}',
    });
    expect(escaped.status, escaped.text).toBe(400);
    expect(escaped.body.code).toBe('invalid_settings');
    // A raw NUL inside a JSON string is a control character: not JSON at all.
    const raw = await send('/api/settings', {
      method: 'PUT',
      headers,
      body: '{"greeting":"a\u0000b","theme":"light","notificationEmail":"victim.pii@example.com"}',
    });
    expect(raw.status, raw.text).toBe(400);
    expect(raw.body.code).toBe('invalid_json');
    // Nothing was stored: the settings are still the defaults at version 0.
    const after = await send('/api/settings', { headers: { authorization: instance } });
    expect(after.status).toBe(200);
    expect(after.body.notificationEmail ?? null).toBeNull();
    console.log(
      `[attack] NUL in settings: escaped → ${escaped.status} ${String(escaped.body.code)}, raw → ${raw.status} ${String(raw.body.code)}`,
    );
  });

  it('in a signed instanceId: 401 malformed_credentials on /api/me and /api/settings', async () => {
    const instance = await sign({
      instanceId: `${randomUUID()}\u0000x`,
      appDefId: TEST_APP_ID,
      uid: nulUid,
      permissions: 'OWNER',
    });
    const answers = {
      me: await send('/api/me', { headers: { authorization: instance } }),
      settings: await send('/api/settings', { headers: { authorization: instance } }),
      // With a body: no middleware, the handler's own authenticate refuses it.
      put: await send('/api/settings', {
        method: 'PUT',
        headers: {
          authorization: instance,
          'content-type': 'application/json',
          'if-match': '"0"',
        },
        body: '{"greeting":"hi","theme":"light","notificationEmail":"victim.pii@example.com"}',
      }),
    };
    for (const [label, answer] of Object.entries(answers)) {
      expect(answer.status, `${label}: ${answer.text}`).toBe(401);
      expect(answer.body.code, label).toBe('malformed_credentials');
    }
  });

  it('reach neither the log nor an unhandled error: no email, no uid', () => {
    const output = server!.output();
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain('victim.pii');
    expect(output).not.toContain(uid);
    expect(output).not.toContain(nulUid);
    expect(output).not.toMatch(/unhandled error/i);
    expect(output).not.toContain('\u0000');
  });
});

describe('appDefId of the wrong type in a signed instance', () => {
  for (const [label, appDefId] of [
    ['a number', 123],
    ['null', null],
  ] as const) {
    it(`${label}: 401 wrong_app, with and without a body`, async () => {
      const instance = await sign({
        instanceId: randomUUID(),
        appDefId,
        uid: 'user-1',
        permissions: 'OWNER',
      });
      const me = await send('/api/me', { headers: { authorization: instance } });
      expect(me.status, me.text).toBe(401);
      expect(me.body.code).toBe('wrong_app');
      const put = await send('/api/settings', {
        method: 'PUT',
        headers: {
          authorization: instance,
          'content-type': 'application/json',
          'if-match': '"0"',
        },
        body: '{"greeting":"hi","theme":"light"}',
      });
      expect(put.status, put.text).toBe(401);
      expect(put.body.code).toBe('wrong_app');
    });
  }
});

describe('webhook deliveries built to hurt', () => {
  const deliver = (body: string) => send('/api/webhooks/wix', { method: 'POST', body });

  it('a JWT without exp: 400 malformed_webhook', async () => {
    const envelope = {
      eventType: 'AppInstalled',
      instanceId: randomUUID(),
      data: JSON.stringify({ appId: TEST_APP_ID }),
      identity: JSON.stringify({ identityType: 'APP' }),
      accountInfo: {},
    };
    const forever = await new SignJWT({ data: JSON.stringify(envelope) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt()
      .sign(keys.privateKey);
    const answer = await deliver(forever);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.code).toBe('malformed_webhook');
  });

  it('iat a day ahead: 400, and a real event after it is not made stale', async () => {
    const instanceId = randomUUID();
    const ahead = new Date(Date.now() + 24 * 3600 * 1000);
    for (const eventType of ['AppRemoved', 'AppInstalled']) {
      const future = await deliver(await signDelivery(keys, eventType, instanceId, { at: ahead }));
      expect(future.status, future.text).toBe(400);
      expect(future.body.code).toBe('malformed_webhook');
    }
    const installed = await deliver(await signDelivery(keys, 'AppInstalled', instanceId));
    expect(installed.status, installed.text).toBe(200);
    expect(installed.body.outcome).toBe('applied');
    const removed = await deliver(
      await signDelivery(keys, 'AppRemoved', instanceId, { at: new Date(Date.now() + 1_000) }),
    );
    expect(removed.body.outcome).toBe('applied');
  });

  it('DATA_RETENTION_DAYS=0: install, remove, purge, replay the install → not applied', async () => {
    const instanceId = randomUUID();
    const now = Date.now();
    const install = await signDelivery(keys, 'AppInstalled', instanceId, {
      at: new Date(now - 3_000),
    });
    const remove = await signDelivery(keys, 'AppRemoved', instanceId, {
      at: new Date(now - 2_000),
    });
    expect((await deliver(install)).body.outcome).toBe('applied');
    expect((await deliver(remove)).body.outcome).toBe('applied');
    const purge = await send('/api/cron/purge', {
      headers: { authorization: `Bearer ${CRON_SECRET}` },
    });
    expect(purge.status, purge.text).toBe(200);
    expect(purge.body.purged).toBeGreaterThanOrEqual(1);
    const replay = await deliver(install);
    console.log(
      `[attack] replay after purge: purge ${purge.text}; replayed AppInstalled → ${replay.status} ${replay.text}`,
    );
    expect(replay.status, replay.text).toBe(200);
    expect(replay.body.outcome).not.toBe('applied');
    expect(replay.body.outcome).toBe('duplicate');
  });

  it('never logged an unhandled error', () => {
    expect(server!.output()).not.toMatch(/unhandled error/i);
  });
});
