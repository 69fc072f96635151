import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getMe } from '@/app/api/me/route';
import * as settingsRoute from '@/app/api/settings/route';
import { POST } from '@/app/api/webhooks/wix/route';
import {
  devWebhookKeys,
  signDelivery,
  webhookKeyPair,
  wholeSeconds,
  type DeliveryOptions,
} from 'wix-app-backend/testing/webhooks';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';
import { settingsOf } from '@/lib/settings/settings-store';

// The test app trusts the kit's key pair (`kit.webhookKeys`, given as WIX_APP_PUBLIC_KEY), as a
// deployed app trusts the key from its dashboard: `kit.signWebhook` signs as Wix would.
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

const impostor = webhookKeyPair();
/** The local development pair (.dev/webhook-keys.json), as `npm run webhook` signs with it. */
const devKeys = devWebhookKeys();

const minutesAgo = (minutes: number) => wholeSeconds(new Date(Date.now() - minutes * 60_000));

const post = (body: string | Uint8Array, headers: Record<string, string> = {}, app = kit) =>
  app.call(POST, '/api/webhooks/wix', { method: 'POST', body, headers });

/**
 * A 200 with the outcome. `queued`: the event went to a handler's queue — never for these
 * app-instance events, which no handler in lib/wix-app.ts takes.
 */
async function expectOutcome(
  response: Response,
  outcome: string,
  eventType: string,
  queued = false,
) {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual({ status: 'ok', outcome, eventType, queued });
}

/** Signs a lifecycle delivery as Wix would and POSTs it. */
async function deliver(
  eventType: string,
  instanceId: string,
  at: Date,
  extra: DeliveryOptions = {},
) {
  const body = await kit.signWebhook(eventType, instanceId, { at, ...extra });
  return { body, response: await post(body) };
}

/** The installation as GET /api/me reports it to the site (a signed instance of the test app). */
async function installationOf(instanceId: string) {
  const response = await kit.call(getMe, '/api/me', {
    auth: await kit.signInstance({ instanceId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { installation: unknown }).installation;
}

async function storedStatus(instanceId: string) {
  const record = await kit.database.instances.getInstance(instanceId);
  return (
    record && { status: record.status, statusAt: record.statusAt, removedAt: record.removedAt }
  );
}

describe('POST /api/webhooks/wix', () => {
  it('applies AppInstalled, answers 200 well within Wix’s 1250 ms, and /api/me shows it', async () => {
    const id = randomUUID();
    const body = await kit.signWebhook('AppInstalled', id, { at: minutesAgo(1) });
    const started = performance.now();
    const response = await post(body);
    const elapsed = performance.now() - started;
    await expectOutcome(response, 'applied', 'AppInstalled');
    expect(elapsed).toBeLessThan(1000);
    expect(await installationOf(id)).toEqual({ status: 'installed', removedAt: null, plan: null });
  });

  it('accepts the body whatever Content-Type it comes with', async () => {
    const id = randomUUID();
    const body = await kit.signWebhook('AppInstalled', id, { at: minutesAgo(1) });
    const response = await post(body, { 'content-type': 'application/json' });
    await expectOutcome(response, 'applied', 'AppInstalled');
  });

  it('answers duplicate for a replayed delivery, with no second effect', async () => {
    const id = randomUUID();
    const install = await deliver('AppInstalled', id, minutesAgo(10));
    await expectOutcome(install.response, 'applied', 'AppInstalled');
    await expectOutcome(
      (await deliver('AppRemoved', id, minutesAgo(5))).response,
      'applied',
      'AppRemoved',
    );

    await expectOutcome(await post(install.body), 'duplicate', 'AppInstalled');
    await expectOutcome(await post(`${install.body}\n`), 'duplicate', 'AppInstalled');
    expect(await installationOf(id)).toMatchObject({ status: 'removed' });
  });

  it('marks the site removed: /api/me still answers, data routes answer 403 app_not_installed', async () => {
    const id = randomUUID();
    const removedAt = minutesAgo(5);
    await deliver('AppInstalled', id, minutesAgo(10));
    expect(await installationOf(id)).toMatchObject({ status: 'installed' });
    await expectOutcome(
      (await deliver('AppRemoved', id, removedAt)).response,
      'applied',
      'AppRemoved',
    );

    expect(await installationOf(id)).toEqual({
      status: 'removed',
      removedAt: removedAt.toISOString(),
      plan: null,
    });
    const auth = await kit.signInstance({ instanceId: id });
    await expectProblem(
      await kit.call(settingsRoute.GET, '/api/settings', { auth }),
      403,
      'app_not_installed',
    );
    const put = await kit.call(settingsRoute.PUT, '/api/settings', {
      method: 'PUT',
      auth,
      headers: { 'if-match': '"0"' },
      json: { greeting: 'Hi', theme: 'dark' },
    });
    await expectProblem(put, 403, 'app_not_installed');
    expect(await settingsOf(kit.database).getSettings(id)).toBeNull();
  });

  it('keeps a removed site removed when an older AppInstalled arrives late', async () => {
    const id = randomUUID();
    await deliver('AppRemoved', id, minutesAgo(5));
    await expectOutcome(
      (await deliver('AppInstalled', id, minutesAgo(10))).response,
      'stale',
      'AppInstalled',
    );
    expect(await installationOf(id)).toMatchObject({ status: 'removed' });
  });

  it('reports the plan from PaidPlanPurchased on /api/me', async () => {
    const id = randomUUID();
    const at = minutesAgo(2);
    await deliver('AppInstalled', id, minutesAgo(3));
    const { response } = await deliver('PaidPlanPurchased', id, at, {
      plan: 'gold',
      cycle: 'YEARLY',
    });
    await expectOutcome(response, 'applied', 'PaidPlanPurchased');
    expect(await installationOf(id)).toEqual({
      status: 'installed',
      removedAt: null,
      plan: {
        id: 'gold',
        cycle: 'YEARLY',
        expiresAt: new Date(at.getTime() + 30 * 24 * 3600_000).toISOString(),
        autoRenews: true,
        paid: true,
      },
    });
  });

  it('records an unknown event type as ignored', async () => {
    const id = randomUUID();
    const { response } = await deliver('SitePropertiesUpdated', id, minutesAgo(1), {
      data: { anything: true },
    });
    await expectOutcome(response, 'ignored', 'SitePropertiesUpdated');
  });

  it('refuses a re-encoded copy of an old removal, leaving the reinstall alone', async () => {
    // The signature's last base64url character carries 4 padding bits: flipping one yields a
    // different body with the very same signature bytes. jose accepted such a copy (the delivery
    // id, which hashes what the signature covers, then made it a duplicate); the verifier now
    // reads only the canonical form (src/crypto/verify-rs256-jwt.ts), so it is refused outright.
    const id = randomUUID();
    await deliver('AppInstalled', id, minutesAgo(10));
    const removal = await deliver('AppRemoved', id, minutesAgo(5));
    await deliver('AppInstalled', id, minutesAgo(1));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(removal.body.at(-1) as string);
    const reencoded = removal.body.slice(0, -1) + alphabet[last ^ 1];
    expect(reencoded).not.toBe(removal.body);
    await expectProblem(await post(reencoded), 401, 'invalid_webhook_signature');
    expect(await installationOf(id)).toMatchObject({ status: 'installed', removedAt: null });
  });
});

describe('POST /api/webhooks/wix refuses forged and malformed deliveries, changing nothing', () => {
  const tooLarge = 'x'.repeat(70 * 1024);
  const forgeries: [string, (id: string) => Promise<string | Uint8Array>, number, string][] = [
    [
      'a removal signed by another key',
      (id) => signDelivery(impostor, 'AppRemoved', id, { at: minutesAgo(1) }),
      401,
      'invalid_webhook_signature',
    ],
    [
      'an unsigned removal (alg: none)',
      async (id) =>
        new UnsecuredJWT({
          data: JSON.stringify({ eventType: 'AppRemoved', instanceId: id, data: '{}' }),
        })
          .setIssuedAt()
          .setExpirationTime('1h')
          .encode(),
      401,
      'invalid_webhook_signature',
    ],
    [
      'a removal "signed" HS256 with the public key as the secret',
      (id) =>
        new SignJWT({
          data: JSON.stringify({ eventType: 'AppRemoved', instanceId: id, data: '{}' }),
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(kit.webhookKeys.publicKeyPem)),
      401,
      'invalid_webhook_signature',
    ],
    [
      'an expired removal',
      (id) => kit.signWebhook('AppRemoved', id, { at: minutesAgo(180), expiresInSeconds: 3600 }),
      401,
      'expired_webhook',
    ],
    ['garbage', async () => 'hello, webhook', 400, 'malformed_webhook'],
    ['an empty body', async () => '', 400, 'malformed_webhook'],
    [
      'a JSON body',
      async (id) => JSON.stringify({ eventType: 'AppRemoved', instanceId: id }),
      400,
      'malformed_webhook',
    ],
    [
      'a validly signed removal larger than 64 KiB',
      (id) => kit.signWebhook('AppRemoved', id, { at: minutesAgo(1), data: { padding: tooLarge } }),
      413,
      'payload_too_large',
    ],
    [
      'a validly signed removal followed by a byte that is not UTF-8',
      async (id) => {
        const body = await kit.signWebhook('AppRemoved', id, { at: minutesAgo(1) });
        return new Uint8Array([...Buffer.from(body), 0xff]);
      },
      400,
      'malformed_webhook',
    ],
  ];

  it.each(forgeries)('refuses %s', async (_label, forge, status, code) => {
    const id = randomUUID();
    await deliver('AppInstalled', id, minutesAgo(30));
    const before = await storedStatus(id);
    expect(before).toMatchObject({ status: 'installed' });

    await expectProblem(await post(await forge(id)), status, code);

    expect(await storedStatus(id)).toEqual(before);
    expect(await installationOf(id)).toEqual({ status: 'installed', removedAt: null, plan: null });
  });

  it('refuses a forged install of a site it never heard of, creating no record', async () => {
    const id = randomUUID();
    const body = await signDelivery(impostor, 'AppInstalled', id, { at: minutesAgo(1) });
    await expectProblem(await post(body), 401, 'invalid_webhook_signature');
    expect(await kit.database.instances.getInstance(id)).toBeNull();
  });
});

describe('POST /api/webhooks/wix with WIX_APP_PUBLIC_KEY set to another key', () => {
  const wix = webhookKeyPair();

  it('refuses a delivery signed by the local development key', async () => {
    const app = kit.withEnv({ WIX_APP_PUBLIC_KEY: wix.publicKeyPem });
    const id = randomUUID();
    const body = await signDelivery(devKeys, 'AppInstalled', id, { at: minutesAgo(1) });
    await expectProblem(await post(body, {}, app), 401, 'invalid_webhook_signature');
    expect(await kit.database.instances.getInstance(id)).toBeNull();
  });

  it('refuses a delivery signed by the key it was configured with before', async () => {
    const app = kit.withEnv({ WIX_APP_PUBLIC_KEY: wix.publicKeyPem });
    const id = randomUUID();
    const body = await kit.signWebhook('AppInstalled', id, { at: minutesAgo(1) });
    await expectProblem(await post(body, {}, app), 401, 'invalid_webhook_signature');
    expect(await kit.database.instances.getInstance(id)).toBeNull();
  });

  it('accepts a delivery signed with the configured key, given base64-encoded', async () => {
    const app = kit.withEnv({
      WIX_APP_PUBLIC_KEY: Buffer.from(wix.publicKeyPem).toString('base64'),
    });
    const id = randomUUID();
    const body = await signDelivery(wix, 'AppInstalled', id, { at: minutesAgo(1) });
    await expectOutcome(await post(body, {}, app), 'applied', 'AppInstalled');
    expect(await kit.database.instances.getInstance(id)).toMatchObject({ status: 'installed' });
  });
});

// The app never reads the development key pair (.dev/webhook-keys.json) itself: `npm run dev`
// hands it over as WIX_APP_PUBLIC_KEY. Without that variable there is no key, in every mode.
describe('POST /api/webhooks/wix without WIX_APP_PUBLIC_KEY', () => {
  it.each([
    ['production', { NODE_ENV: 'production' }],
    ['development', { NODE_ENV: 'development' }],
    ['test', { NODE_ENV: 'test' }],
    [
      'development on the development credentials',
      { NODE_ENV: 'development', WIX_APP_ID: '', WIX_APP_SECRET: '' },
    ],
  ])(
    'answers 503 webhooks_not_configured in %s, even to a delivery signed by the development key',
    async (_label, env) => {
      const app = kit.withEnv({ ...env, WIX_APP_PUBLIC_KEY: '' });
      expect(app.config.webhookPublicKeys).toEqual([]);
      const id = randomUUID();
      const body = await signDelivery(devKeys, 'AppInstalled', id, { at: minutesAgo(1) });
      const response = await post(body, {}, app);
      await expectProblem(response, 503, 'webhooks_not_configured');
      expect(response.headers.get('retry-after')).not.toBeNull();
      expect(await kit.database.instances.getInstance(id)).toBeNull();
    },
  );
});

/** A body that sends `first` at once and then nothing, never closing; counts reads. */
function stalledBody(first: string) {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (first) controller.enqueue(new TextEncoder().encode(first));
      },
      pull() {
        state.pulls++;
        return new Promise<void>(() => {}); // the rest never comes
      },
      cancel() {
        state.cancelled = true;
      },
    },
    // Nothing is read ahead: a pull happens only when someone reads the body.
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const streamedPost = (stream: ReadableStream<Uint8Array>) =>
  new Request('http://localhost:3000/api/webhooks/wix', {
    method: 'POST',
    headers: { 'content-length': '4096' },
    body: stream,
    duplex: 'half',
  } as RequestInit);

describe('POST /api/webhooks/wix and a body that never finishes arriving', () => {
  it('answers 503 webhooks_not_configured without reading it when no key is configured', async () => {
    const app = kit.withEnv({ WIX_APP_PUBLIC_KEY: '' });
    const { stream, state } = stalledBody('');
    const request = streamedPost(stream);
    const started = performance.now();
    const response = await POST.withContext(app.app)(request);
    await expectProblem(response, 503, 'webhooks_not_configured');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(state.pulls).toBe(0);
    expect(request.bodyUsed).toBe(false);
  });

  it('answers 408 request_timeout after its 2 s deadline, giving up on the rest', async () => {
    const id = randomUUID();
    const delivery = await kit.signWebhook('AppInstalled', id, { at: minutesAgo(1) });
    // The first half of a valid delivery, and then nothing.
    const { stream, state } = stalledBody(delivery.slice(0, delivery.length / 2));
    const started = performance.now();
    const response = await POST.withContext(kit.app)(streamedPost(stream));
    const elapsed = performance.now() - started;
    await expectProblem(response, 408, 'request_timeout');
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(5_000);
    expect(state.cancelled).toBe(true);
    expect(await kit.database.instances.getInstance(id)).toBeNull();
  });
});
