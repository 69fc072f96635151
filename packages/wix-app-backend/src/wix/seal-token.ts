/**
 * Seals Wix access tokens for storage: AES-256-GCM with a key derived (HKDF) from the app
 * secret. Server-only (node:crypto). A token sealed under another secret, or tampered with,
 * opens to null and is simply minted again. While the secret is being changed, tokens sealed
 * under the previous one still open (and new ones are sealed under the current one).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface TokenSealer {
  seal(token: string): string;
  open(sealed: string): string | null;
}

const keyFor = (secret: string) =>
  Buffer.from(hkdfSync('sha256', secret, 'wix-app-backend', 'wix-app-token-at-rest:v1', 32));

export function createTokenSealer(
  appSecret: string,
  previousSecrets: readonly string[] = [],
): TokenSealer {
  const key = keyFor(appSecret);
  const openKeys = [key, ...previousSecrets.map(keyFor)];
  return {
    seal(token) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([
        cipher.update(token, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `${VERSION}.${iv.toString('base64url')}.${data.toString('base64url')}`;
    },
    open(sealed) {
      const [version, ivText, dataText] = sealed.split('.');
      if (version !== VERSION || !ivText || !dataText) return null;
      for (const candidate of openKeys) {
        try {
          const data = Buffer.from(dataText, 'base64url');
          const iv = Buffer.from(ivText, 'base64url');
          const decipher = createDecipheriv('aes-256-gcm', candidate, iv);
          decipher.setAuthTag(data.subarray(data.length - 16));
          return Buffer.concat([
            decipher.update(data.subarray(0, data.length - 16)),
            decipher.final(),
          ]).toString('utf8');
        } catch {
          // Not sealed with this key (the authentication tag says so): try the next.
        }
      }
      return null;
    },
  };
}
