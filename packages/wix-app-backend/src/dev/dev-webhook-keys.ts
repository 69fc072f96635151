/**
 * A local RSA key pair standing in for Wix's webhook key in development: `npm run webhook` signs
 * with the private key, and the app (outside production, without WIX_APP_PUBLIC_KEY) verifies
 * with the public one. Generated once into `.dev/` (git-ignored) and never committed.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const DEV_WEBHOOK_KEYS_FILE = path.join('.dev', 'webhook-keys.json');

export interface DevWebhookKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Reads the pair, creating it first if missing. Two processes racing both end with one pair. */
export function loadOrCreateDevWebhookKeys(
  file: string = path.resolve(DEV_WEBHOOK_KEYS_FILE),
): DevWebhookKeys {
  const existing = read(file);
  if (existing) return existing;
  if (fs.existsSync(file)) throw damaged(file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys: DevWebhookKeys = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  // Written whole to a temporary name, then linked into place: link fails if another process
  // got there first, and nobody ever reads a half-written file.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(keys, null, 2), { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  // Whoever linked first won; a file that is there but unreadable is not ours to paper over.
  const stored = read(file);
  if (!stored) throw damaged(file);
  return stored;
}

function damaged(file: string): Error {
  return new Error(
    `${file} is damaged; delete it and a new development key pair will be generated.`,
  );
}

function read(file: string): DevWebhookKeys | null {
  try {
    const keys = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevWebhookKeys>;
    return typeof keys.privateKeyPem === 'string' && typeof keys.publicKeyPem === 'string'
      ? (keys as DevWebhookKeys)
      : null;
  } catch {
    return null;
  }
}
