/**
 * Reads the webhook public key from the app dashboard ("Get Public Key"): a PEM, or that PEM
 * base64-encoded as it is often handed around in environment variables. SPKI
 * (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`) both work; it must be RSA.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

export type ParsePublicKeyResult = { ok: true; key: KeyObject } | { ok: false; reason: string };

export function parsePublicKey(text: string): ParsePublicKeyResult {
  let pem = text.trim().replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN')) {
    const decoded = Buffer.from(pem, 'base64').toString('utf8');
    if (!decoded.includes('-----BEGIN'))
      return { ok: false, reason: 'not a PEM, nor a base64-encoded PEM' };
    pem = decoded;
  }
  if (/PRIVATE KEY/.test(pem))
    return { ok: false, reason: 'this is a private key; use the public key' };
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa')
      return { ok: false, reason: `an ${key.asymmetricKeyType} key; Wix signs with RSA` };
    return { ok: true, key };
  } catch {
    return { ok: false, reason: 'the PEM does not hold a valid public key' };
  }
}
