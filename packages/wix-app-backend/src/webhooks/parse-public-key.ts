/**
 * Reads the webhook public key from the app dashboard ("Get Public Key"): a PEM, or that PEM
 * base64-encoded as it is often handed around in environment variables. SPKI
 * (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`) both work; it must be RSA.
 *
 * While Wix's key is being changed, the variable may hold more than one: PEMs one after the
 * other, or base64-encoded PEMs separated by commas. A delivery signed with any of them verifies.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

/** More keys than this is a mistake, not a rotation. */
export const MAX_WEBHOOK_PUBLIC_KEYS = 5;

export type ParsePublicKeyResult = { ok: true; key: KeyObject } | { ok: false; reason: string };
export type ParsePublicKeysResult = { ok: true; keys: KeyObject[] } | { ok: false; reason: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** One or more keys (see the module comment). */
export function parsePublicKeys(text: string): ParsePublicKeysResult {
  const normalised = text.trim().replace(/\\n/g, '\n');
  // Split on commas only: one base64 entry may be wrapped over lines (as `base64` prints it).
  const sources = normalised.includes('-----BEGIN')
    ? [normalised]
    : normalised
        .split(',')
        .map((part) => part.replace(/\s+/g, ''))
        .filter(Boolean)
        .map((part) => Buffer.from(part, 'base64').toString('utf8'));
  const pems: string[] = [];
  for (const [i, source] of sources.entries()) {
    const blocks = source.match(PEM_BLOCK) ?? [];
    // An entry without a whole PEM (mistyped, or cut short while pasting) is refused, not dropped.
    if (blocks.length === 0 || blocks.length !== (source.match(/-----BEGIN /g) ?? []).length) {
      const which = sources.length > 1 ? `key ${i + 1}: ` : '';
      return { ok: false, reason: `${which}not a PEM, nor a base64-encoded PEM` };
    }
    pems.push(...blocks);
  }
  if (pems.length === 0) return { ok: false, reason: 'not a PEM, nor a base64-encoded PEM' };
  if (pems.length > MAX_WEBHOOK_PUBLIC_KEYS) {
    return { ok: false, reason: `${pems.length} keys; at most ${MAX_WEBHOOK_PUBLIC_KEYS}` };
  }
  const keys: KeyObject[] = [];
  for (const [i, pem] of pems.entries()) {
    const parsed = parsePublicKey(pem);
    if (!parsed.ok)
      return {
        ok: false,
        reason: pems.length > 1 ? `key ${i + 1}: ${parsed.reason}` : parsed.reason,
      };
    keys.push(parsed.key);
  }
  return { ok: true, keys };
}

/** Exactly one key. */
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
