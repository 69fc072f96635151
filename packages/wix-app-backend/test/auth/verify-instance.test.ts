import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createInstanceVerifier,
  INSTANCE_FUTURE_SKEW_SECONDS,
  MAX_INSTANCE_LENGTH,
  type InstanceVerifierOptions,
  type VerifyInstanceResult,
} from '../../src/auth/verify-instance';
import { INSTANCE_A, INSTANCE_B, testInstance } from '../../src/testing/instances';
import { OTHER_APP_ID, TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

const NOW_MS = Date.parse('2025-06-01T12:00:00.000Z');
const NOW_ISO = new Date(NOW_MS).toISOString();
const MAX_AGE_SECONDS = 86_400;

function verifier(options: Partial<InstanceVerifierOptions> = {}) {
  return createInstanceVerifier({
    secret: TEST_APP_SECRET,
    appId: TEST_APP_ID,
    maxAgeSeconds: MAX_AGE_SECONDS,
    now: () => NOW_MS,
    ...options,
  });
}

const verify = verifier();

/** Signs arbitrary data text as Wix does, so malformed payloads get past the signature check. */
function signData(data: string, secret: string = TEST_APP_SECRET): string {
  return `${createHmac('sha256', secret).update(data).digest('base64url')}.${data}`;
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** A validly signed instance whose data is `json` as given (no defaults added). */
const signJson = (json: unknown) => signData(b64url(JSON.stringify(json)));

const instanceAt = (
  signDate: string | number,
  overrides: Record<string, unknown> = {},
  secret: string = TEST_APP_SECRET,
) => testInstance({ signDate, ...overrides }, secret);

function expectRefused(result: VerifyInstanceResult, reason: string) {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
}

function accepted(result: VerifyInstanceResult) {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.reason}: ${result.detail}`);
  return result.value;
}

describe('createInstanceVerifier: valid instances', () => {
  it('accepts an owner’s instance and reads its fields', async () => {
    const value = accepted(await verify(await instanceAt(NOW_ISO)));
    expect(value).toEqual({
      instanceId: INSTANCE_A,
      appDefId: TEST_APP_ID,
      uid: 'user-1',
      permissions: 'OWNER',
      isOwner: true,
      signedAt: new Date(NOW_MS),
      vendorProductId: null,
      originInstanceId: null,
      siteOwnerId: null,
      aid: null,
    });
  });

  it('reports a user whose permissions are null as not the owner', async () => {
    const value = accepted(await verify(await instanceAt(NOW_ISO, { permissions: null })));
    expect(value.permissions).toBeNull();
    expect(value.isOwner).toBe(false);
  });

  it('reports a user without a permissions field as not the owner', async () => {
    const value = accepted(
      await verify(signJson({ instanceId: INSTANCE_A, appDefId: TEST_APP_ID, signDate: NOW_ISO })),
    );
    expect(value.permissions).toBeNull();
    expect(value.isOwner).toBe(false);
    expect(value.uid).toBeNull();
  });

  it('does not treat a lowercase "owner" permission as the owner', async () => {
    const value = accepted(await verify(await instanceAt(NOW_ISO, { permissions: 'owner' })));
    expect(value.isOwner).toBe(false);
  });

  it('reads the optional documented fields when present', async () => {
    const value = accepted(
      await verify(
        await instanceAt(NOW_ISO, {
          vendorProductId: 'premium',
          originInstanceId: INSTANCE_B,
          siteOwnerId: 'owner-9',
          aid: 'visitor-7',
          demoMode: true,
        }),
      ),
    );
    expect(value).toMatchObject({
      vendorProductId: 'premium',
      originInstanceId: INSTANCE_B,
      siteOwnerId: 'owner-9',
      aid: 'visitor-7',
    });
  });

  it('accepts signDate as an ISO-8601 string', async () => {
    const value = accepted(await verify(await instanceAt('2025-06-01T11:00:00.000Z')));
    expect(value.signedAt.toISOString()).toBe('2025-06-01T11:00:00.000Z');
  });

  it('accepts signDate as epoch milliseconds (older instances)', async () => {
    const value = accepted(await verify(await instanceAt(NOW_MS - 3_600_000)));
    expect(value.signedAt.getTime()).toBe(NOW_MS - 3_600_000);
  });

  it('accepts an instance without appDefId', async () => {
    const value = accepted(await verify(signJson({ instanceId: INSTANCE_A, signDate: NOW_ISO })));
    expect(value.appDefId).toBeNull();
  });

  it('reads fields of unexpected types as absent instead of failing the instance', async () => {
    const value = accepted(
      await verify(
        await instanceAt(NOW_ISO, { uid: 42, permissions: ['OWNER'], vendorProductId: {} }),
      ),
    );
    expect(value.instanceId).toBe(INSTANCE_A);
    expect(value.uid).toBeNull();
    expect(value.permissions).toBeNull();
    expect(value.isOwner).toBe(false);
    expect(value.vendorProductId).toBeNull();
  });

  it('gives identical results with the node:crypto and Web Crypto backends', async () => {
    const instance = await instanceAt(NOW_ISO);
    const node = await verifier({ backend: 'node:crypto' })(instance);
    const web = await verifier({ backend: 'web-crypto' })(instance);
    expect(node.ok).toBe(true);
    expect(web).toEqual(node);
  });

  it('gives identical refusals with the node:crypto and Web Crypto backends', async () => {
    const forged = await instanceAt(NOW_ISO, {}, 'another-secret');
    const node = await verifier({ backend: 'node:crypto' })(forged);
    const web = await verifier({ backend: 'web-crypto' })(forged);
    expectRefused(node, 'invalid_signature');
    expect(web).toEqual(node);
  });
});

describe('createInstanceVerifier: malformed_credentials', () => {
  const validData = b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: NOW_ISO }));
  const validSignature = createHmac('sha256', TEST_APP_SECRET)
    .update(validData)
    .digest('base64url');

  it.each([
    ['has no dot', `${validSignature}${validData}`],
    ['has three parts', `${validSignature}.${validData}.${validData}`],
    ['has an empty signature', `.${validData}`],
    ['has empty data', `${validSignature}.`],
    ['is only a dot', '.'],
    ['has a 42-character signature', `${validSignature.slice(0, 42)}.${validData}`],
    ['has a 44-character signature', `${validSignature}A.${validData}`],
    ['has a 64-character hex signature', `${'ab'.repeat(32)}.${validData}`],
    ['has a signature with a standard-base64 "+"', `+${validSignature.slice(1)}.${validData}`],
    ['has a signature with a standard-base64 "/"', `/${validSignature.slice(1)}.${validData}`],
    ['has data with a character outside base64url', `${validSignature}.${validData.slice(1)}!`],
    ['has data with a standard-base64 "+"', `${validSignature}.+${validData.slice(1)}`],
    ['has data of an impossible length', `${validSignature}.${b64url('{}')}AA`],
  ])('refuses an instance that %s', async (_label, instance) => {
    expectRefused(await verify(instance), 'malformed_credentials');
  });

  it('refuses an instance longer than MAX_INSTANCE_LENGTH even if validly signed', async () => {
    const instance = signJson({
      instanceId: INSTANCE_A,
      signDate: NOW_ISO,
      filler: 'x'.repeat(MAX_INSTANCE_LENGTH),
    });
    expect(instance.length).toBeGreaterThan(MAX_INSTANCE_LENGTH);
    expectRefused(await verify(instance), 'malformed_credentials');
  });

  it('accepts a validly signed instance just under MAX_INSTANCE_LENGTH', async () => {
    const base = signJson({ instanceId: INSTANCE_A, signDate: NOW_ISO, filler: '' });
    // Every 3 filler characters add 4 base64url characters.
    const filler = 'x'.repeat(Math.floor(((MAX_INSTANCE_LENGTH - base.length) * 3) / 4) - 2);
    const instance = signJson({ instanceId: INSTANCE_A, signDate: NOW_ISO, filler });
    expect(instance.length).toBeLessThanOrEqual(MAX_INSTANCE_LENGTH);
    expect(instance.length).toBeGreaterThan(MAX_INSTANCE_LENGTH - 8);
    expect((await verify(instance)).ok).toBe(true);
  });

  it.each([
    ['data that is not JSON', b64url('not json')],
    ['data that is not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')],
    ['a JSON array', b64url(JSON.stringify([INSTANCE_A, NOW_ISO]))],
    ['JSON null', b64url('null')],
    ['a JSON string', b64url(JSON.stringify(INSTANCE_A))],
    ['no instanceId', b64url(JSON.stringify({ appDefId: TEST_APP_ID, signDate: NOW_ISO }))],
    ['an empty instanceId', b64url(JSON.stringify({ instanceId: '', signDate: NOW_ISO }))],
    ['a numeric instanceId', b64url(JSON.stringify({ instanceId: 42, signDate: NOW_ISO }))],
    ['no signDate', b64url(JSON.stringify({ instanceId: INSTANCE_A, appDefId: TEST_APP_ID }))],
    [
      'an unparseable signDate',
      b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: 'yesterday' })),
    ],
    ['an empty signDate', b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: '' }))],
    ['a boolean signDate', b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: true }))],
    ['a zero signDate', b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: 0 }))],
    ['a negative signDate', b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: -1 }))],
  ])('refuses a validly signed instance with %s', async (_label, data) => {
    expectRefused(await verify(signData(data)), 'malformed_credentials');
  });
});

describe('createInstanceVerifier: invalid_signature', () => {
  it('refuses an instance signed with another secret', async () => {
    expectRefused(
      await verify(await instanceAt(NOW_ISO, {}, 'another-secret')),
      'invalid_signature',
    );
  });

  it('refuses the data of one instance under the signature of another', async () => {
    const [signatureA] = (await instanceAt(NOW_ISO)).split('.');
    const [, dataB] = (await instanceAt(NOW_ISO, { instanceId: INSTANCE_B })).split('.');
    expectRefused(await verify(`${signatureA}.${dataB}`), 'invalid_signature');
  });

  it('refuses an instance whose data was edited to claim the owner role', async () => {
    const [signature] = (await instanceAt(NOW_ISO, { permissions: null })).split('.');
    const forgedData = b64url(
      JSON.stringify({
        signDate: NOW_ISO,
        instanceId: INSTANCE_A,
        appDefId: TEST_APP_ID,
        uid: 'user-1',
        permissions: 'OWNER',
      }),
    );
    expectRefused(await verify(`${signature}.${forgedData}`), 'invalid_signature');
  });

  it('refuses an instance with one character of the signature changed', async () => {
    const instance = await instanceAt(NOW_ISO);
    // The first character carries 6 significant bits, so the change is always canonical.
    const flipped = (instance[0] === 'A' ? 'B' : 'A') + instance.slice(1);
    expectRefused(await verify(flipped), 'invalid_signature');
  });

  it('refuses an instance with one character of the data changed', async () => {
    const instance = await instanceAt(NOW_ISO);
    const dot = instance.indexOf('.');
    const i = dot + 5;
    const flipped =
      instance.slice(0, i) + (instance[i] === 'A' ? 'B' : 'A') + instance.slice(i + 1);
    expectRefused(await verify(flipped), 'invalid_signature');
  });

  it('refuses an HMAC computed over the decoded JSON instead of the data text', async () => {
    const json = JSON.stringify({ instanceId: INSTANCE_A, signDate: NOW_ISO });
    const signature = createHmac('sha256', TEST_APP_SECRET).update(json).digest('base64url');
    expectRefused(await verify(`${signature}.${b64url(json)}`), 'invalid_signature');
  });

  it('refuses an instance whose signature is the data signed by the secret as hex', async () => {
    const data = b64url(JSON.stringify({ instanceId: INSTANCE_A, signDate: NOW_ISO }));
    const hexKey = Buffer.from(TEST_APP_SECRET).toString('hex');
    const signature = createHmac('sha256', hexKey).update(data).digest('base64url');
    expectRefused(await verify(`${signature}.${data}`), 'invalid_signature');
  });
});

describe('createInstanceVerifier: wrong_app', () => {
  it('refuses an instance whose appDefId is another app', async () => {
    expectRefused(await verify(await instanceAt(NOW_ISO, { appDefId: OTHER_APP_ID })), 'wrong_app');
  });

  it('refuses another app’s instance even when it is otherwise valid and signed', async () => {
    const result = await verify(
      signJson({ instanceId: INSTANCE_A, appDefId: OTHER_APP_ID, signDate: NOW_ISO }),
    );
    expectRefused(result, 'wrong_app');
  });

  it.each([
    ['a number', 123],
    ['null', null],
    ['an empty string', ''],
    ['an object', { id: TEST_APP_ID }],
    ['our id in upper case', TEST_APP_ID.toUpperCase()],
  ])('refuses an appDefId that is %s, not treating it as absent', async (_, appDefId) => {
    const result = await verify(signJson({ instanceId: INSTANCE_A, appDefId, signDate: NOW_ISO }));
    expectRefused(result, 'wrong_app');
  });

  it('accepts an instance with no appDefId at all (Wix publishes no schema)', async () => {
    const result = await verify(signJson({ instanceId: INSTANCE_A, signDate: NOW_ISO }));
    expect(result.ok && result.value.appDefId).toBe(null);
  });
});

describe('createInstanceVerifier: text the database cannot store', () => {
  it.each([
    ['a NUL character', 'aaaa\u0000bbbb'],
    ['a lone surrogate', 'aaaa\ud800'],
  ])('refuses an instanceId holding %s as malformed (it would fail every query)', async (_, id) => {
    const result = await verify(
      signJson({ instanceId: id, appDefId: TEST_APP_ID, signDate: NOW_ISO }),
    );
    expectRefused(result, 'malformed_credentials');
  });

  it('treats a uid holding a NUL character as absent', async () => {
    const result = await verify(
      signJson({
        instanceId: INSTANCE_A,
        appDefId: TEST_APP_ID,
        signDate: NOW_ISO,
        uid: 'u\u0000',
      }),
    );
    expect(result.ok && result.value.uid).toBe(null);
  });
});

describe('createInstanceVerifier: while the app secret is being changed (previousSecrets)', () => {
  const PREVIOUS = 'the-secret-before-the-change';
  const OLDER = 'a-secret-from-long-ago';
  const signedWithPrevious = () => instanceAt(NOW_ISO, {}, PREVIOUS);

  it('accepts an instance signed with a previous secret, reading it as usual', async () => {
    for (const backend of ['node:crypto', 'web-crypto'] as const) {
      const check = verifier({ previousSecrets: [PREVIOUS], backend });
      const value = accepted(await check(await signedWithPrevious()));
      expect(value).toMatchObject({ instanceId: INSTANCE_A, isOwner: true });
    }
  });

  it('accepts one signed with any of several previous secrets', async () => {
    const check = verifier({ previousSecrets: [OLDER, PREVIOUS] });
    expect((await check(await signedWithPrevious())).ok).toBe(true);
    expect((await check(await instanceAt(NOW_ISO, {}, OLDER))).ok).toBe(true);
  });

  it('refuses it as invalid_signature without previousSecrets', async () => {
    expectRefused(await verify(await signedWithPrevious()), 'invalid_signature');
    expectRefused(
      await verifier({ previousSecrets: [] })(await signedWithPrevious()),
      'invalid_signature',
    );
  });

  it('still accepts an instance signed with the current secret', async () => {
    for (const backend of ['node:crypto', 'web-crypto'] as const) {
      const check = verifier({ previousSecrets: [PREVIOUS], backend });
      expect((await check(await instanceAt(NOW_ISO))).ok).toBe(true);
    }
  });

  it('refuses an instance signed with a secret in neither list', async () => {
    const check = verifier({ previousSecrets: [PREVIOUS] });
    expectRefused(await check(await instanceAt(NOW_ISO, {}, OLDER)), 'invalid_signature');
  });

  it('holds an instance signed with a previous secret to every other check', async () => {
    const check = verifier({ previousSecrets: [PREVIOUS] });
    const twoDaysAgo = new Date(NOW_MS - 2 * 86_400_000).toISOString();
    expectRefused(await check(await instanceAt(twoDaysAgo, {}, PREVIOUS)), 'expired_instance');
    expectRefused(
      await check(await instanceAt(NOW_ISO, { appDefId: OTHER_APP_ID }, PREVIOUS)),
      'wrong_app',
    );
  });
});

describe('createInstanceVerifier: freshness', () => {
  const maxAgeMs = MAX_AGE_SECONDS * 1000;
  const skewMs = INSTANCE_FUTURE_SKEW_SECONDS * 1000;

  it('refuses an instance signed two days ago', async () => {
    expectRefused(
      await verify(await instanceAt(new Date(NOW_MS - 2 * maxAgeMs).toISOString())),
      'expired_instance',
    );
  });

  it('accepts an instance signed exactly maxAgeSeconds ago', async () => {
    expect((await verify(await instanceAt(new Date(NOW_MS - maxAgeMs).toISOString()))).ok).toBe(
      true,
    );
  });

  it('refuses an instance signed maxAgeSeconds and 1 ms ago', async () => {
    expectRefused(
      await verify(await instanceAt(new Date(NOW_MS - maxAgeMs - 1).toISOString())),
      'expired_instance',
    );
  });

  it('applies the edge to epoch-millisecond signDates too', async () => {
    expect((await verify(await instanceAt(NOW_MS - maxAgeMs))).ok).toBe(true);
    expectRefused(await verify(await instanceAt(NOW_MS - maxAgeMs - 1)), 'expired_instance');
  });

  it('uses the configured maxAgeSeconds', async () => {
    const strict = verifier({ maxAgeSeconds: 60 });
    expect((await strict(await instanceAt(new Date(NOW_MS - 60_000).toISOString()))).ok).toBe(true);
    expectRefused(
      await strict(await instanceAt(new Date(NOW_MS - 60_001).toISOString())),
      'expired_instance',
    );
  });

  it('reads the clock on every call, not once', async () => {
    let now = NOW_MS;
    const moving = verifier({ now: () => now });
    const instance = await instanceAt(NOW_ISO);
    expect((await moving(instance)).ok).toBe(true);
    now += maxAgeMs + 1;
    expectRefused(await moving(instance), 'expired_instance');
  });

  it('accepts an instance signed exactly INSTANCE_FUTURE_SKEW_SECONDS ahead', async () => {
    expect((await verify(await instanceAt(new Date(NOW_MS + skewMs).toISOString()))).ok).toBe(true);
  });

  it('refuses an instance signed more than INSTANCE_FUTURE_SKEW_SECONDS ahead', async () => {
    expectRefused(
      await verify(await instanceAt(new Date(NOW_MS + skewMs + 1).toISOString())),
      'instance_not_yet_valid',
    );
  });

  it('refuses an instance signed in the far future', async () => {
    expectRefused(
      await verify(await instanceAt('2999-01-01T00:00:00.000Z')),
      'instance_not_yet_valid',
    );
    expectRefused(await verify(await instanceAt(8.64e15 + 1)), 'instance_not_yet_valid');
  });
});

describe('createInstanceVerifier: padding', () => {
  it('tolerates one trailing "=" on the signature', async () => {
    const [signature, data] = (await instanceAt(NOW_ISO)).split('.');
    expect(signature).toHaveLength(43);
    expect((await verify(`${signature}=.${data}`)).ok).toBe(true);
  });

  it('refuses two trailing "=" on the signature', async () => {
    const [signature, data] = (await instanceAt(NOW_ISO)).split('.');
    expectRefused(await verify(`${signature}==.${data}`), 'malformed_credentials');
  });

  it('refuses "=" padding added to the data after signing, because the HMAC covers the text as received', async () => {
    const instance = await instanceAt(NOW_ISO, { pad: 'x' });
    const data = instance.split('.')[1]!;
    const padding = '='.repeat((4 - (data.length % 4)) % 4);
    expect(padding.length).toBeGreaterThan(0);
    expectRefused(await verify(instance + padding), 'invalid_signature');
  });

  it('accepts data that was padded before it was signed', async () => {
    let pad = '';
    const jsonOf = () =>
      JSON.stringify({ instanceId: INSTANCE_A, appDefId: TEST_APP_ID, signDate: NOW_ISO, pad });
    while (jsonOf().length % 3 === 0) pad += 'x';
    const json = jsonOf();
    const padded = Buffer.from(json).toString('base64');
    const data = padded.replace(/\+/g, '-').replace(/\//g, '_');
    expect(data.endsWith('=')).toBe(true);
    const value = accepted(await verify(signData(data)));
    expect(value.instanceId).toBe(INSTANCE_A);
  });
});

describe('createInstanceVerifier: never throws', () => {
  const garbage = [
    '',
    '.',
    '..',
    '...',
    '=',
    '=.=',
    ' ',
    '\u0000',
    '\u0000.\u0000',
    'a.b',
    'é.é',
    '😀.😀',
    '\ud800.\udfff',
    'x'.repeat(MAX_INSTANCE_LENGTH + 1),
    `${'A'.repeat(43)}.${'A'.repeat(MAX_INSTANCE_LENGTH)}`,
    `${'A'.repeat(43)}.`,
    `${'A'.repeat(43)}.A`,
    `${'A'.repeat(43)}.AA`,
    `${'A'.repeat(43)}.AAA=`,
    `${'A'.repeat(43)}.====`,
    `${'A'.repeat(44)}.AAAA`,
    `${'A'.repeat(43)}=.AAAA`,
    'Bearer abc.def',
    'null',
    'undefined',
    '{"instanceId":"x"}',
    `.${Buffer.from('{"instanceId":"x","signDate":1}').toString('base64url')}`,
  ];

  for (const backend of ['node:crypto', 'web-crypto'] as const) {
    it(`resolves ok:false for every garbage string (${backend})`, async () => {
      const check = verifier({ backend });
      for (const instance of garbage) {
        const result = await check(instance);
        expect(result.ok, JSON.stringify(instance.slice(0, 40))).toBe(false);
      }
    });
  }
});
