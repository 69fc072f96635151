/**
 * HMAC-SHA256 behind one small interface, so callers never care which crypto the runtime has.
 *
 * On Node, node:crypto verifies a signed instance in ~5 µs; Web Crypto (`crypto.subtle`) takes
 * ~90 µs there because every call is asynchronous (docs/decisions/002-node-crypto-first.md).
 * `process.getBuiltinModule` (Node ≥ 20.16) loads node:crypto without a static import, so
 * bundlers for edge runtimes see no `node:` import and the same file runs everywhere.
 */

type NodeCrypto = typeof import('node:crypto');

export interface HmacKey {
  /** HMAC-SHA256 of `data` (UTF-8). */
  sign(data: string): Promise<Uint8Array>;
  /** Constant-time check that `mac` is the HMAC-SHA256 of `data`. */
  verify(data: string, mac: Uint8Array): Promise<boolean>;
  /**
   * `verify` without a promise, where the backend can (node:crypto): on the hot path an
   * `await` costs about as much as the HMAC itself.
   */
  readonly verifySync?: (data: string, mac: Uint8Array) => boolean;
  /** Which implementation is in use: reported by tests and benchmarks. */
  readonly backend: 'node:crypto' | 'web-crypto';
}

const encoder = new TextEncoder();

function loadNodeCrypto(): NodeCrypto | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  try {
    return (proc.getBuiltinModule('node:crypto') as NodeCrypto | undefined) ?? null;
  } catch {
    return null;
  }
}

const nodeCrypto = loadNodeCrypto();

/** Creates an HMAC-SHA256 key from a secret string's UTF-8 bytes (how Wix keys the app secret). */
export function createHmacKey(
  secret: string,
  options: { backend?: 'node:crypto' | 'web-crypto' } = {},
): HmacKey {
  const backend = options.backend ?? (nodeCrypto ? 'node:crypto' : 'web-crypto');
  if (backend === 'node:crypto') {
    if (!nodeCrypto) throw new Error('node:crypto is not available in this runtime');
    return createNodeKey(nodeCrypto, secret);
  }
  return createWebKey(secret);
}

function createNodeKey(node: NodeCrypto, secret: string): HmacKey {
  const key = node.createSecretKey(Buffer.from(secret, 'utf8'));
  const macOf = (data: string) => node.createHmac('sha256', key).update(data, 'utf8').digest();
  const verifySync = (data: string, mac: Uint8Array) => {
    const expected = macOf(data);
    // timingSafeEqual throws on length mismatch; the length of a MAC is not a secret.
    return mac.length === expected.length && node.timingSafeEqual(expected, mac);
  };
  return {
    backend: 'node:crypto',
    sign: async (data) => new Uint8Array(macOf(data)),
    verify: async (data, mac) => verifySync(data, mac),
    verifySync,
  };
}

function createWebKey(secret: string): HmacKey {
  const subtle = globalThis.crypto.subtle;
  // Imported lazily and once; a rejected import is not kept so a later call can retry.
  let keyPromise: Promise<CryptoKey> | null = null;
  const getKey = () => {
    keyPromise ??= subtle
      .importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
        'verify',
      ])
      .catch((error: unknown) => {
        keyPromise = null;
        throw error;
      });
    return keyPromise;
  };
  return {
    backend: 'web-crypto',
    sign: async (data) =>
      new Uint8Array(await subtle.sign('HMAC', await getKey(), encoder.encode(data))),
    // subtle.verify compares in constant time (WebCrypto spec, HMAC verify operation).
    verify: async (data, mac) =>
      subtle.verify('HMAC', await getKey(), mac as Uint8Array<ArrayBuffer>, encoder.encode(data)),
  };
}

/** SHA-256 of a string, hex-encoded; used to bind and to key things without keeping the input. */
export async function sha256Hex(data: string): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(data, 'utf8').digest('hex');
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(data)),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
