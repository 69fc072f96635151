/**
 * base64url (RFC 4648 §5) without padding, as Wix uses for both parts of a signed instance.
 * Implemented on plain strings and bytes so it runs the same on Node, edge runtimes and browsers.
 */

const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as unpadded base64url (natively where the runtime has Buffer: same text). */
export function encodeBase64url(bytes: Uint8Array): string {
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  }
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes unpadded base64url. Returns null for any character outside the alphabet, for an
 * impossible length, and for non-canonical input (unused low bits set), so one byte string has
 * exactly one accepted text form.
 */
export function decodeBase64url(text: string): Uint8Array | null {
  const remainder = text.length % 4;
  if (remainder === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < text.length; i += 4) {
    const a = sextet(text, i),
      b = sextet(text, i + 1),
      c = sextet(text, i + 2),
      d = sextet(text, i + 3);
    if ((a | b | c | d) < 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (remainder === 2) {
    const a = sextet(text, i),
      b = sextet(text, i + 1);
    if ((a | b) < 0 || (b & 15) !== 0) return null;
    out[o] = (a << 2) | (b >> 4);
  } else if (remainder === 3) {
    const a = sextet(text, i),
      b = sextet(text, i + 1),
      c = sextet(text, i + 2);
    if ((a | b | c) < 0 || (c & 3) !== 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 255;
  }
  return out;
}

/**
 * Decodes base64url natively where the runtime has Buffer, which skips characters outside the
 * alphabet instead of refusing them. Only for text already authenticated (a MAC checked over
 * it); anything from outside goes through `decodeBase64url`.
 */
export function decodeBase64urlLenient(text: string): Uint8Array | null {
  return NodeBuffer ? NodeBuffer.from(text, 'base64url') : decodeBase64url(text);
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? LOOKUP[code]! : -1;
}
