import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_WEBHOOK_PUBLIC_KEYS,
  parsePublicKey,
  parsePublicKeys,
} from '../../src/webhooks/parse-public-key';
import { webhookKeyPair } from '../../src/testing/webhooks';

const wix = webhookKeyPair();
const SPKI = wix.publicKeyPem;
const PKCS1 = wix.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const der = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

function expectKeyOfWix(text: string) {
  const result = parsePublicKey(text);
  expect(result.ok).toBe(true);
  if (result.ok) {
    expect(result.key.type).toBe('public');
    expect(der(result.key).equals(der(wix.publicKey))).toBe(true);
  }
}

function expectRefused(text: string, reason: RegExp) {
  const result = parsePublicKey(text);
  expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
}

describe('parsePublicKey', () => {
  it('reads an SPKI PEM (BEGIN PUBLIC KEY)', () => {
    expect(SPKI).toContain('-----BEGIN PUBLIC KEY-----');
    expectKeyOfWix(SPKI);
  });

  it('reads a PKCS#1 PEM (BEGIN RSA PUBLIC KEY)', () => {
    expect(PKCS1).toContain('-----BEGIN RSA PUBLIC KEY-----');
    expectKeyOfWix(PKCS1);
  });

  it('reads a base64-encoded PEM, as keys are often handed around', () => {
    expectKeyOfWix(base64(SPKI));
    expectKeyOfWix(base64(PKCS1));
  });

  it('reads a PEM whose line breaks were pasted as literal \\n escapes', () => {
    const escaped = SPKI.trim().split('\n').join('\\n');
    expect(escaped).not.toContain('\n');
    expectKeyOfWix(escaped);
  });

  it('ignores whitespace around the key', () => {
    expectKeyOfWix(`\n  ${SPKI}  \n`);
    expectKeyOfWix(` ${base64(SPKI)}\n`);
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'garbage'],
    ['a JSON document', '{"kty":"RSA"}'],
    ['base64 of something that is not a PEM', base64('hello world')],
  ])('refuses %s as not a PEM', (_label, text) => {
    expectRefused(text, /not a PEM/);
  });

  it('refuses a PEM whose body is not a key', () => {
    expectRefused('-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n', /valid/);
  });

  it('refuses a private key, though the public key could be derived from it', () => {
    const pkcs8 = wix.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pkcs1 = wix.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expectRefused(pkcs8, /private key/);
    expectRefused(pkcs1, /private key/);
    expectRefused(base64(pkcs8), /private key/);
  });

  it('refuses an EC public key: Wix signs with RSA', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectRefused(publicKey.export({ type: 'spki', format: 'pem' }).toString(), /ec key.*RSA/);
  });
});

describe('parsePublicKeys (one key, or several while Wix changes its key)', () => {
  const next = webhookKeyPair();
  const NEXT_SPKI = next.publicKeyPem;

  /** The keys `text` holds, as DER, in order; fails the test when it is refused. */
  function keysOf(text: string): Buffer[] {
    const result = parsePublicKeys(text);
    if (!result.ok) throw new Error(`expected keys, got: ${result.reason}`);
    for (const key of result.keys) expect(key.type).toBe('public');
    return result.keys.map(der);
  }

  function expectRefusedAll(text: string, reason: RegExp) {
    expect(parsePublicKeys(text)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  }

  it('reads one key in each form parsePublicKey reads', () => {
    for (const text of [SPKI, PKCS1, base64(SPKI), SPKI.trim().split('\n').join('\\n')]) {
      expect(keysOf(text)).toEqual([der(wix.publicKey)]);
    }
  });

  it('reads two PEMs one after the other, in order', () => {
    expect(keysOf(`${SPKI}${NEXT_SPKI}`)).toEqual([der(wix.publicKey), der(next.publicKey)]);
    expect(keysOf(`${NEXT_SPKI}\n${PKCS1}`)).toEqual([der(next.publicKey), der(wix.publicKey)]);
  });

  it('reads two PEMs whose line breaks were pasted as literal \\n escapes', () => {
    const escaped = `${SPKI}${NEXT_SPKI}`.trim().split('\n').join('\\n');
    expect(keysOf(escaped)).toEqual([der(wix.publicKey), der(next.publicKey)]);
  });

  it('reads base64-encoded PEMs separated by commas, with or without spaces', () => {
    const expected = [der(wix.publicKey), der(next.publicKey)];
    expect(keysOf(`${base64(SPKI)},${base64(NEXT_SPKI)}`)).toEqual(expected);
    expect(keysOf(` ${base64(SPKI)} , ${base64(NEXT_SPKI)}\n`)).toEqual(expected);
  });

  it('reads the base64 encoding of a text holding two PEMs', () => {
    expect(keysOf(base64(`${SPKI}${NEXT_SPKI}`))).toEqual([
      der(wix.publicKey),
      der(next.publicKey),
    ]);
  });

  it('reads a base64-encoded PEM wrapped over several lines, as `base64` prints it', () => {
    const wrapped = base64(SPKI).replace(/.{76}/g, '$&\n');
    expect(wrapped.split('\n').length).toBeGreaterThan(5);
    expect(keysOf(wrapped)).toEqual([der(wix.publicKey)]);
    const twoWrapped = `${wrapped},\n${base64(NEXT_SPKI).replace(/.{64}/g, '$&\n')}`;
    expect(keysOf(twoWrapped)).toEqual([der(wix.publicKey), der(next.publicKey)]);
  });

  it(`reads up to MAX_WEBHOOK_PUBLIC_KEYS (${MAX_WEBHOOK_PUBLIC_KEYS}) keys and refuses more`, () => {
    expect(keysOf(SPKI.repeat(MAX_WEBHOOK_PUBLIC_KEYS))).toHaveLength(MAX_WEBHOOK_PUBLIC_KEYS);
    const tooMany = MAX_WEBHOOK_PUBLIC_KEYS + 1;
    expectRefusedAll(
      SPKI.repeat(tooMany),
      new RegExp(`^${tooMany} keys; at most ${MAX_WEBHOOK_PUBLIC_KEYS}$`),
    );
    expectRefusedAll(
      Array.from({ length: tooMany }, () => base64(SPKI)).join(','),
      new RegExp(`^${tooMany} keys`),
    );
  });

  it('refuses a private key among public ones, naming which key it is', () => {
    const pkcs8 = next.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expectRefusedAll(`${SPKI}${pkcs8}`, /^key 2: this is a private key/);
    expectRefusedAll(`${pkcs8}${SPKI}`, /^key 1: this is a private key/);
    expectRefusedAll(`${base64(SPKI)},${base64(pkcs8)}`, /^key 2: this is a private key/);
  });

  it('refuses an EC key among RSA ones, naming which key it is', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expectRefusedAll(`${SPKI}${NEXT_SPKI}${ec}`, /^key 3: an ec key; Wix signs with RSA/);
  });

  it('refuses one key alone without numbering it', () => {
    const pkcs8 = next.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expectRefusedAll(pkcs8, /^this is a private key/);
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'garbage'],
    ['words separated by commas', 'garbage,more garbage'],
    ['a JSON document', '{"kty":"RSA"}'],
    ['base64 of something that is not a PEM', base64('hello world')],
    ['a BEGIN line without its END line', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq'],
  ])('refuses %s as not a PEM', (_label, text) => {
    expectRefusedAll(text, /not a PEM/);
  });

  it('refuses a list with an entry that is not a key, rather than dropping the entry', () => {
    expectRefusedAll(`${base64(SPKI)},garbage`, /^key 2: not a PEM/);
    expectRefusedAll(`garbage,${base64(SPKI)}`, /^key 1: not a PEM/);
    // A second key cut short while pasting it.
    const cut = base64(NEXT_SPKI).slice(0, 200);
    expectRefusedAll(`${base64(SPKI)},${cut}`, /^key 2: not a PEM/);
    expectRefusedAll(`${SPKI}${NEXT_SPKI.slice(0, 200)}`, /not a PEM/);
  });
});
