import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signWixWebhook } from '../../src/dev/sign-webhook';
import {
  createWebhookVerifier,
  WEBHOOK_CLOCK_LEEWAY_SECONDS,
  WEBHOOK_MAX_FUTURE_IAT_SECONDS,
  type VerifyWebhookResult,
} from '../../src/webhooks/verify-webhook';
import { webhookKeyPair } from '../../src/testing/webhooks';

// RSA key generation is slow: one pair for Wix, one for an impostor, for the whole file.
const wix = webhookKeyPair();
const impostor = webhookKeyPair();

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const ISSUED = new Date(NOW - 5_000);
const INSTANCE = '6e1f3c2a-4b5d-4e6f-8a7b-9c0d1e2f3a4b';

const verify = createWebhookVerifier(wix.publicKey, { now: () => NOW });

/** Signs arbitrary claims with `key` (RS256 unless told), for envelopes `signWixWebhook` won't make. */
function signClaims(
  claims: Record<string, unknown>,
  key: KeyObject | Uint8Array = wix.privateKey,
  alg = 'RS256',
): Promise<string> {
  const iat = Math.floor(ISSUED.getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key);
}

const envelope = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventType: 'AppInstalled',
    instanceId: INSTANCE,
    data: JSON.stringify({ appId: 'app' }),
    identity: JSON.stringify({ identityType: 'APP' }),
    accountInfo: { siteId: 'site-1' },
    ...fields,
  });

function expectRefused(result: VerifyWebhookResult, reason: string) {
  expect(result).toMatchObject({ ok: false, reason });
}

describe('createWebhookVerifier: valid deliveries', () => {
  it('parses a delivery signed with the app key into its event', async () => {
    const body = await signWixWebhook(
      {
        eventType: 'AppInstalled',
        instanceId: INSTANCE,
        data: { appId: 'app-1', originInstanceId: 'origin-1' },
        identity: { identityType: 'WIX_USER', wixUserId: 'user-7' },
        accountInfo: { accountId: 'account-1', siteId: 'site-1' },
      },
      wix.privateKey,
      { issuedAt: ISSUED },
    );
    expect(await verify(body)).toEqual({
      ok: true,
      value: {
        eventType: 'AppInstalled',
        instanceId: INSTANCE,
        data: { appId: 'app-1', originInstanceId: 'origin-1' },
        identity: { identityType: 'WIX_USER', wixUserId: 'user-7' },
        accountInfo: { accountId: 'account-1', siteId: 'site-1' },
        occurredAt: new Date(Math.floor(ISSUED.getTime() / 1000) * 1000),
        // signWixWebhook's default lifetime: an hour after iat.
        expiresAt: new Date((Math.floor(ISSUED.getTime() / 1000) + 3600) * 1000),
      },
    });
  });

  it('takes the time of the event from operationTimeStamp when the payload has one', async () => {
    const operationTimeStamp = '2026-02-27T08:30:15.250Z';
    const body = await signWixWebhook(
      {
        eventType: 'PaidPlanPurchased',
        instanceId: INSTANCE,
        data: { operationTimeStamp, vendorProductId: 'premium' },
      },
      wix.privateKey,
      { issuedAt: ISSUED },
    );
    const result = await verify(body);
    expect(result.ok && result.value.occurredAt).toEqual(new Date(operationTimeStamp));
  });

  it('falls back to iat when operationTimeStamp is not a date', async () => {
    const body = await signWixWebhook(
      {
        eventType: 'PaidPlanPurchased',
        instanceId: INSTANCE,
        data: { operationTimeStamp: 'yesterday-ish' },
      },
      wix.privateKey,
      { issuedAt: ISSUED },
    );
    const result = await verify(body);
    expect(result.ok && result.value.occurredAt).toEqual(
      new Date(Math.floor(ISSUED.getTime() / 1000) * 1000),
    );
  });

  it('bounds operationTimeStamp by iat plus the clock leeway: a 2099 time is taken as that', async () => {
    const iatSeconds = Math.floor(ISSUED.getTime() / 1000);
    const latest = new Date((iatSeconds + WEBHOOK_CLOCK_LEEWAY_SECONDS) * 1000);
    for (const operationTimeStamp of ['2099-01-01T00:00:00.000Z', 1e20, 4_102_444_800_000]) {
      const body = await signWixWebhook(
        { eventType: 'AppRemoved', instanceId: INSTANCE, data: { operationTimeStamp } },
        wix.privateKey,
        { issuedAt: ISSUED },
      );
      const result = await verify(body);
      expect(result.ok && result.value.occurredAt, String(operationTimeStamp)).toEqual(latest);
    }
  });

  it('keeps an operationTimeStamp within the leeway after iat as it is', async () => {
    const operationTimeStamp = new Date(ISSUED.getTime() + 30_000).toISOString();
    const body = await signWixWebhook(
      { eventType: 'PaidPlanChanged', instanceId: INSTANCE, data: { operationTimeStamp } },
      wix.privateKey,
      { issuedAt: ISSUED },
    );
    const result = await verify(body);
    expect(result.ok && result.value.occurredAt).toEqual(new Date(operationTimeStamp));
  });

  it('accepts surrounding whitespace and a kid header', async () => {
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      wix.privateKey,
      {
        issuedAt: ISSUED,
        keyId: 'key-2026',
      },
    );
    expect(await verify(`\n ${body}\r\n`)).toMatchObject({
      ok: true,
      value: { eventType: 'AppRemoved', instanceId: INSTANCE, data: {} },
    });
  });

  it('treats a missing inner data as an empty payload and a missing identity as null', async () => {
    const body = await signClaims({
      data: JSON.stringify({ eventType: 'AppRemoved', instanceId: INSTANCE }),
    });
    expect(await verify(body)).toMatchObject({
      ok: true,
      value: { data: {}, identity: null, accountInfo: null },
    });
  });

  it('accepts an identity that is not JSON, with identity null (the event still counts)', async () => {
    const body = await signClaims({ data: envelope({ identity: '{not json' }) });
    expect(await verify(body)).toMatchObject({
      ok: true,
      value: { eventType: 'AppInstalled', identity: null, data: { appId: 'app' } },
    });
  });

  it('accepts a delivery expired by less than the clock leeway', async () => {
    const iat = Math.floor(NOW / 1000) - 3600;
    const body = await signWixWebhook(
      { eventType: 'AppInstalled', instanceId: INSTANCE },
      wix.privateKey,
      {
        issuedAt: new Date(iat * 1000),
        expiresInSeconds: 3600 - (WEBHOOK_CLOCK_LEEWAY_SECONDS - 5),
      },
    );
    expect((await verify(body)).ok).toBe(true);
  });
});

describe('createWebhookVerifier: refusals (never a throw)', () => {
  const validBody = () =>
    signWixWebhook({ eventType: 'AppRemoved', instanceId: INSTANCE }, wix.privateKey, {
      issuedAt: ISSUED,
    });

  it('refuses a delivery signed by another key', async () => {
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      impostor.privateKey,
      {
        issuedAt: ISSUED,
      },
    );
    expectRefused(await verify(body), 'invalid_webhook_signature');
  });

  it('refuses an unsecured token (alg: none)', async () => {
    const body = new UnsecuredJWT({ data: envelope() })
      .setIssuedAt(Math.floor(ISSUED.getTime() / 1000))
      .setExpirationTime(Math.floor(NOW / 1000) + 3600)
      .encode();
    expect(body.endsWith('.')).toBe(true);
    expectRefused(await verify(body), 'invalid_webhook_signature');
  });

  it('refuses an HS256 token whose HMAC key is the public key PEM (algorithm confusion)', async () => {
    const body = await signClaims(
      { data: envelope() },
      // jose takes raw bytes as an HMAC secret: exactly what an attacker knows.
      new TextEncoder().encode(wix.publicKeyPem),
      'HS256',
    );
    expectRefused(await verify(body), 'invalid_webhook_signature');
  });

  it.each(['RS512', 'PS256'])(
    'refuses a token signed %s, even with the right RSA key',
    async (alg) => {
      const body = await signClaims({ data: envelope() }, wix.privateKey, alg);
      expectRefused(await verify(body), 'invalid_webhook_signature');
    },
  );

  it('refuses an ES256 token', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const body = await signClaims({ data: envelope() }, privateKey, 'ES256');
    expectRefused(await verify(body), 'invalid_webhook_signature');
  });

  it('refuses a delivery expired by more than the clock leeway', async () => {
    const iat = Math.floor(NOW / 1000) - 3600;
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      wix.privateKey,
      {
        issuedAt: new Date(iat * 1000),
        expiresInSeconds: 3600 - (WEBHOOK_CLOCK_LEEWAY_SECONDS + 5),
      },
    );
    expectRefused(await verify(body), 'expired_webhook');
    // The same token is still good by a clock just before it expired: only time refused it.
    const earlier = createWebhookVerifier(wix.publicKey, { now: () => NOW - 10 * 60_000 });
    expect((await earlier(body)).ok).toBe(true);
  });

  it('refuses a delivery whose payload was tampered with', async () => {
    const body = await validBody();
    const [header, payload, signature] = body.split('.') as [string, string, string];
    const i = Math.floor(payload.length / 2);
    const flipped = payload[i] === 'A' ? 'B' : 'A';
    const tampered = `${header}.${payload.slice(0, i)}${flipped}${payload.slice(i + 1)}.${signature}`;
    expectRefused(await verify(tampered), 'invalid_webhook_signature');
  });

  it('refuses a delivery whose payload was swapped for another signed payload', async () => {
    const [header, , signature] = (await validBody()).split('.');
    const other = await signWixWebhook(
      { eventType: 'AppInstalled', instanceId: INSTANCE },
      wix.privateKey,
      {
        issuedAt: ISSUED,
      },
    );
    expectRefused(
      await verify(`${header}.${other.split('.')[1]}.${signature}`),
      'invalid_webhook_signature',
    );
  });

  it('refuses a token whose signature was cut short', async () => {
    expectRefused(await verify((await validBody()).slice(0, -12)), 'invalid_webhook_signature');
  });

  it('refuses a token cut before its signature', async () => {
    const body = await validBody();
    expectRefused(await verify(body.slice(0, body.lastIndexOf('.'))), 'malformed_webhook');
  });

  it.each([
    ['an empty body', ''],
    ['whitespace', ' \n\t '],
    ['a JSON body', JSON.stringify({ data: envelope() })],
    ['a form body', 'eventType=AppRemoved&instanceId=x'],
    ['four segments', 'a.b.c.d'],
  ])('refuses %s as malformed', async (_label, body) => {
    expectRefused(await verify(body), 'malformed_webhook');
  });

  it.each([
    ['is not JSON', { data: 'not json at all' }],
    ['is missing', { other: 'claim' }],
    ['is JSON but not an object', { data: '42' }],
    ['lacks eventType', { data: envelope({ eventType: undefined }) }],
    ['lacks instanceId', { data: envelope({ instanceId: undefined }) }],
    ['has an empty instanceId', { data: envelope({ instanceId: '' }) }],
    ['has a numeric instanceId', { data: envelope({ instanceId: 42 }) }],
    ['has an inner data that is not JSON', { data: envelope({ data: '{"appId":' }) }],
    ['has an inner data that is a JSON array', { data: envelope({ data: '[1,2]' }) }],
  ])('refuses a signed token whose data claim %s as malformed', async (_label, claims) => {
    expectRefused(await verify(await signClaims(claims)), 'malformed_webhook');
  });

  it('refuses a token that is not valid yet (nbf in the future)', async () => {
    const body = await new SignJWT({ data: envelope() })
      .setProtectedHeader({ alg: 'RS256' })
      .setNotBefore(Math.floor(NOW / 1000) + 3600)
      .sign(wix.privateKey);
    expectRefused(await verify(body), 'malformed_webhook');
  });
});

describe('createWebhookVerifier: exp and iat', () => {
  const nowSeconds = Math.floor(NOW / 1000);
  const removal = (issuedAt: Date, expiresInSeconds?: number) =>
    signWixWebhook({ eventType: 'AppRemoved', instanceId: INSTANCE }, wix.privateKey, {
      issuedAt,
      expiresInSeconds,
    });

  it('refuses as malformed an exp, iat or nbf no date can hold (1e15, -1e13, NaN-like)', async () => {
    const iat = Math.floor(ISSUED.getTime() / 1000);
    for (const claims of [{ exp: 1e15 }, { iat: -1e13 }, { nbf: -1 }, { exp: 2.6e11 }]) {
      const body = await new SignJWT({ data: envelope(), iat, exp: iat + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .sign(wix.privateKey);
      expectRefused(await verify(body), 'malformed_webhook');
    }
  });

  it('refuses as malformed an instanceId or eventType PostgreSQL cannot store', async () => {
    for (const fields of [
      { instanceId: 'a\u0000b' },
      { instanceId: '\udc00' },
      { eventType: 'AppRemoved\u0000' },
    ]) {
      expectRefused(
        await verify(await signClaims({ data: envelope(fields) })),
        'malformed_webhook',
      );
    }
  });

  it('refuses a signed delivery without exp as malformed: it could be replayed forever', async () => {
    const body = await new SignJWT({ data: envelope() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt(nowSeconds - 5)
      .sign(wix.privateKey);
    const result = await verify(body);
    expectRefused(result, 'malformed_webhook');
    expect(!result.ok && result.detail).toMatch(/exp/);
  });

  it('refuses a delivery dated a day ahead as malformed, though it is signed and unexpired', async () => {
    const result = await verify(await removal(new Date(NOW + 24 * 3600_000), 7200));
    expectRefused(result, 'malformed_webhook');
    expect(!result.ok && result.detail).toMatch(/iat/);
  });

  it(`refuses a delivery dated a minute past WEBHOOK_MAX_FUTURE_IAT_SECONDS (${WEBHOOK_MAX_FUTURE_IAT_SECONDS} s) ahead`, async () => {
    const ahead = (WEBHOOK_MAX_FUTURE_IAT_SECONDS + 60) * 1000;
    expectRefused(await verify(await removal(new Date(NOW + ahead))), 'malformed_webhook');
  });

  it('accepts a delivery dated four minutes ahead (a sender’s clock a little fast)', async () => {
    const issuedAt = new Date(NOW + 4 * 60_000);
    const result = await verify(await removal(issuedAt));
    expect(result).toMatchObject({ ok: true, value: { occurredAt: issuedAt } });
  });

  it('reports when the delivery expires, from its exp claim', async () => {
    // An exp unrelated to iat, so it can only have come from the claim itself.
    const exp = nowSeconds + 1234;
    const body = await new SignJWT({ data: envelope() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt(nowSeconds - 5)
      .setExpirationTime(exp)
      .sign(wix.privateKey);
    const result = await verify(body);
    expect(result.ok && result.value.expiresAt).toEqual(new Date(exp * 1000));
  });
});

describe('createWebhookVerifier: several public keys (while Wix changes its key)', () => {
  // A second key Wix could sign with; `impostor` stays a key the app does not trust.
  const next = webhookKeyPair();
  const both = createWebhookVerifier([wix.publicKey, next.publicKey], { now: () => NOW });
  const bothReversed = createWebhookVerifier([next.publicKey, wix.publicKey], { now: () => NOW });
  const signedBy = (privateKey: KeyObject, options: { expiresInSeconds?: number } = {}) =>
    signWixWebhook({ eventType: 'AppInstalled', instanceId: INSTANCE }, privateKey, {
      issuedAt: ISSUED,
      ...options,
    });

  it('accepts a delivery signed with the second key', async () => {
    expect(await both(await signedBy(next.privateKey))).toMatchObject({
      ok: true,
      value: { eventType: 'AppInstalled', instanceId: INSTANCE },
    });
  });

  it('accepts deliveries signed with either key, whatever order the keys are given in', async () => {
    for (const check of [both, bothReversed]) {
      expect((await check(await signedBy(wix.privateKey))).ok).toBe(true);
      expect((await check(await signedBy(next.privateKey))).ok).toBe(true);
    }
  });

  it('refuses a delivery signed with none of them as invalid_webhook_signature', async () => {
    const body = await signedBy(impostor.privateKey);
    expectRefused(await both(body), 'invalid_webhook_signature');
    expectRefused(await bothReversed(body), 'invalid_webhook_signature');
  });

  it('reports an expired delivery signed with the second key as expired, not as forged', async () => {
    const iat = Math.floor(NOW / 1000) - 7200;
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      next.privateKey,
      { issuedAt: new Date(iat * 1000), expiresInSeconds: 3600 },
    );
    expectRefused(await both(body), 'expired_webhook');
    expectRefused(await bothReversed(body), 'expired_webhook');
  });

  it('still refuses an unsecured token (alg: none)', async () => {
    const body = new UnsecuredJWT({ data: envelope() })
      .setIssuedAt(Math.floor(ISSUED.getTime() / 1000))
      .setExpirationTime(Math.floor(NOW / 1000) + 3600)
      .encode();
    expectRefused(await both(body), 'invalid_webhook_signature');
    expectRefused(await bothReversed(body), 'invalid_webhook_signature');
  });

  it('still refuses HS256 tokens keyed with either public key PEM', async () => {
    for (const pem of [wix.publicKeyPem, next.publicKeyPem]) {
      const body = await signClaims({ data: envelope() }, new TextEncoder().encode(pem), 'HS256');
      expectRefused(await both(body), 'invalid_webhook_signature');
      expectRefused(await bothReversed(body), 'invalid_webhook_signature');
    }
  });

  it('cannot be built without a key', () => {
    expect(() => createWebhookVerifier([])).toThrow(/at least one public key/);
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createWebhookVerifier under fuzzing', () => {
  it('resolves ok:false, and never throws, for 500 random or mutated bodies', async () => {
    const next = random(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const ANY = `${B64URL}.{}":,=+/ \n\u0000\u00e9\u{1F600}`;
    const text = (alphabet: string, max: number) =>
      Array.from({ length: Math.floor(next() * max) }, () => pick([...alphabet])).join('');
    const seeds = [
      await signWixWebhook({ eventType: 'AppRemoved', instanceId: INSTANCE }, wix.privateKey, {
        issuedAt: ISSUED,
      }),
      await signWixWebhook(
        { eventType: 'AppInstalled', instanceId: INSTANCE },
        impostor.privateKey,
        {
          issuedAt: ISSUED,
        },
      ),
    ];
    const [header, payload] = (seeds[0] as string).split('.') as [string, string];

    const mutate = (token: string): string => {
      const chars = [...token];
      const edits = 1 + Math.floor(next() * 4);
      for (let n = 0; n < edits; n++) {
        // Never substitute the last character alone: its low bits are base64 padding, so some
        // substitutions decode to the very same signature (see the route test on re-encoding).
        const i = Math.floor(next() * (chars.length - 1));
        const op = Math.floor(next() * 4);
        if (op === 0) chars[i] = pick([...B64URL].filter((c) => c !== chars[i]));
        else if (op === 1) chars.splice(i, 1);
        else if (op === 2) chars.splice(i, 0, pick([...ANY]));
        else chars[i] = pick(['.', '', ' ', '=', '%']);
      }
      return chars.join('');
    };

    const bodies: string[] = [];
    for (let n = 0; n < 500; n++) {
      const kind = n % 5;
      if (kind === 0) bodies.push(text(ANY, 400));
      else if (kind === 1)
        bodies.push(`${text(B64URL, 60)}.${text(B64URL, 200)}.${text(B64URL, 342)}`);
      else if (kind === 2) {
        const seed = pick(seeds);
        let mutated = mutate(seed);
        while (mutated === seed) mutated = mutate(seed); // a deletion undone by an insertion
        bodies.push(mutated);
      } else if (kind === 3) bodies.push(`${header}.${payload}.${text(B64URL, 342)}`);
      else bodies.push(`${header}.${text(B64URL, 300)}.${(seeds[0] as string).split('.')[2]}`);
    }

    const results = await Promise.all(
      bodies.map((body) =>
        verify(body).then(
          (result) => ({ body, result }),
          (error: unknown) => ({ body, result: { thrown: String(error) } }),
        ),
      ),
    );
    const accepted = results.filter(({ result }) => !('ok' in result) || result.ok !== false);
    expect(accepted).toEqual([]);
    const reasons = new Set(results.map(({ result }) => ('reason' in result ? result.reason : '')));
    // The fuzz reaches both the shape check and the signature check, not just one of them.
    expect(reasons).toEqual(new Set(['malformed_webhook', 'invalid_webhook_signature']));
  });
});
