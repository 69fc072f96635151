import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePublicKey } from '@/lib/webhooks/parse-public-key';
import { webhookKeyPair } from '../../helpers/webhooks';

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
