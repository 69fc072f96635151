import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEV_WEBHOOK_KEYS_FILE,
  loadOrCreateDevWebhookKeys,
  type DevWebhookKeys,
} from '../../src/dev/dev-webhook-keys';

const MODULE = path.resolve('packages/wix-app-backend/src/dev/dev-webhook-keys.ts');

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-webhook-keys-'));
  file = path.join(dir, '.dev', 'webhook-keys.json');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs loadOrCreateDevWebhookKeys(file) in a separate Node process, starting at `startAt`. */
function createInChild(startAt: number): Promise<DevWebhookKeys> {
  // Every child waits for the same instant, so they all find the file missing and race.
  const code = `
    const { loadOrCreateDevWebhookKeys } = require(${JSON.stringify(MODULE)});
    while (Date.now() < Number(process.argv[2])) {}
    process.stdout.write(JSON.stringify(loadOrCreateDevWebhookKeys(process.argv[1])));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code, file, String(startAt)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) resolve(JSON.parse(stdout) as DevWebhookKeys);
      else reject(new Error(`child exited with ${status}: ${stderr}`));
    });
  });
}

describe('loadOrCreateDevWebhookKeys', () => {
  it('lives in .dev/webhook-keys.json by default', () => {
    expect(DEV_WEBHOOK_KEYS_FILE).toBe(path.join('.dev', 'webhook-keys.json'));
  });

  it('creates a key pair, folder included, the first time', () => {
    expect(fs.existsSync(file)).toBe(false);
    const keys = loadOrCreateDevWebhookKeys(file);
    expect(keys.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(keys.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(keys);
  });

  it('returns the same pair on later calls without writing the file again', () => {
    const first = loadOrCreateDevWebhookKeys(file);
    const written = fs.statSync(file);
    const second = loadOrCreateDevWebhookKeys(file);
    expect(second).toEqual(first);
    const after = fs.statSync(file);
    expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toEqual({
      ino: written.ino,
      mtimeMs: written.mtimeMs,
    });
  });

  it('makes a pair whose private key signs what its public key verifies', () => {
    const keys = loadOrCreateDevWebhookKeys(file);
    const message = Buffer.from('header.payload');
    const signature = sign('RSA-SHA256', message, createPrivateKey(keys.privateKeyPem));
    const publicKey = createPublicKey(keys.publicKeyPem);
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(verify('RSA-SHA256', message, publicKey, signature)).toBe(true);
    expect(verify('RSA-SHA256', Buffer.from('header.payloaD'), publicKey, signature)).toBe(false);
  });

  it('keeps the file private to its owner (mode 0600)', () => {
    loadOrCreateDevWebhookKeys(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('ends with one pair, and no temporary files, when four processes create it at once', async () => {
    const startAt = Date.now() + 1_500;
    const results = await Promise.all([1, 2, 3, 4].map(() => createInChild(startAt)));
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as DevWebhookKeys;
    for (const keys of results) expect(keys).toEqual(stored);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['webhook-keys.json']);
  });

  it('does not hand out a fresh unsaved pair on every call when the file is damaged', () => {
    // A damaged file (hand-edited, truncated, empty) must not leave the signer (`npm run webhook`)
    // and the verifier (the app) on two different pairs: either fail naming the file, or repair it.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"privateKeyPem": "-----BEGIN PRIV', { mode: 0o600 });
    let first: DevWebhookKeys;
    let second: DevWebhookKeys;
    try {
      first = loadOrCreateDevWebhookKeys(file);
      second = loadOrCreateDevWebhookKeys(file);
    } catch (error) {
      expect(String(error)).toContain(file);
      return;
    }
    // Compared by public key only, to keep the failure message short.
    expect(second.publicKeyPem).toBe(first.publicKeyPem);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevWebhookKeys>;
    expect(stored.publicKeyPem).toBe(first.publicKeyPem);
  });
});
