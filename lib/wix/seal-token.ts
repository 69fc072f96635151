/**
 * Seals Wix access tokens for storage: AES-256-GCM with a key derived (HKDF) from the app
 * secret. Server-only (node:crypto). A token sealed under another secret, or tampered with,
 * opens to null and is simply minted again.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface TokenSealer {
  seal(token: string): string;
  open(sealed: string): string | null;
}

export function createTokenSealer(appSecret: string): TokenSealer {
  const key = Buffer.from(
    hkdfSync('sha256', appSecret, 'wix-app-backend', 'wix-app-token-at-rest:v1', 32),
  );
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
      try {
        const data = Buffer.from(dataText, 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
        decipher.setAuthTag(data.subarray(data.length - 16));
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
