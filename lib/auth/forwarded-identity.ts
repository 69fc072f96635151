/**
 * Carries the identity the middleware verified to the route handler in a request header that a
 * client cannot forge: the header is MACed with a key derived from the app secret and bound to
 * the credential of the same request, and it expires quickly. A handler that finds no valid seal
 * authenticates the request itself, so a middleware bypass or a forged header fails closed
 * (docs/decisions/005-middleware-and-handlers-both-authenticate.md).
 */
import { decodeBase64url, decodeBase64urlLenient, encodeBase64url } from './base64url';
import { createHmacKey } from './hmac';
import type { Identity } from './identity';

export const IDENTITY_HEADER = 'x-wix-verified-identity';
/** Long enough for middleware → handler in one process, short enough to be useless if leaked. */
export const FORWARDED_IDENTITY_TTL_SECONDS = 30;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface IdentityForwarder {
  seal(identity: Identity, credential: string): Promise<string>;
  /** The identity if `value` is a valid, fresh seal for `credential`; otherwise null. */
  open(value: string, credential: string): Promise<Identity | null>;
}

export function createIdentityForwarder(
  appSecret: string,
  now: () => number = Date.now,
): IdentityForwarder {
  // A separate key domain: a seal can never be mistaken for a Wix instance signature.
  const key = createHmacKey(`forwarded-identity:v2:${appSecret}`);
  // The MAC covers the credential itself: the payload is base64url (no '.'), so the message
  // splits one way only, and a seal is worthless with any other credential.
  const message = (payload: string, credential: string) => `${payload}.${credential}`;

  return {
    async seal(identity, credential) {
      const exp = Math.floor(now() / 1000) + FORWARDED_IDENTITY_TTL_SECONDS;
      const payload = encodeBase64url(encoder.encode(JSON.stringify({ identity, exp })));
      const mac = await key.sign(message(payload, credential));
      return `${payload}.${encodeBase64url(mac)}`;
    },
    async open(value, credential) {
      const [payload, macText, extra] = value.split('.');
      if (!payload || !macText || extra !== undefined) return null;
      const mac = decodeBase64url(macText);
      if (!mac) return null;
      const text = message(payload, credential);
      const valid = key.verifySync ? key.verifySync(text, mac) : await key.verify(text, mac);
      if (!valid) return null;
      // Past the MAC the payload is our own encoding: the fast decoder is enough.
      const bytes = decodeBase64urlLenient(payload);
      if (!bytes) return null;
      try {
        const parsed = JSON.parse(decoder.decode(bytes)) as { identity: Identity; exp: number };
        return parsed.exp >= now() / 1000 ? parsed.identity : null;
      } catch {
        return null;
      }
    },
  };
}
