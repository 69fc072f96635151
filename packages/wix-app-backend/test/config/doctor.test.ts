import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/config/doctor';

const APP = {
  WIX_APP_ID: '6e3c8a9e-3c4a-4a9b-9a51-1f9b1a2c3d4e',
  WIX_APP_SECRET: 'a-real-looking-secret',
};
const PUBLIC_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const COMPLETE = {
  ...APP,
  DATABASE_URL: 'postgres://user:pw@db.example:5432/app',
  WIX_APP_PUBLIC_KEY: PUBLIC_KEY,
  CRON_SECRET: '0123456789abcdef0123456789abcdef',
};
const messages = (items: readonly { message: string }[]) => items.map((i) => i.message);

describe('diagnose: what production lacks', () => {
  it('names both credentials when neither is set, as the startup check words it', () => {
    const { errors } = diagnose({});
    expect(messages(errors)).toEqual([
      'WIX_APP_ID: missing (required in production)',
      'WIX_APP_SECRET: missing (required in production)',
    ]);
    expect(errors.map((e) => e.variable)).toEqual(['WIX_APP_ID', 'WIX_APP_SECRET']);
  });

  it('names every malformed variable at once', () => {
    const { errors } = diagnose({ ...APP, WIX_APP_ID: 'not-a-guid', LOG_LEVEL: 'loud' });
    expect(errors.map((e) => e.variable).sort()).toEqual(['LOG_LEVEL', 'WIX_APP_ID']);
  });

  it('finds nothing to say of a complete configuration', () => {
    expect(diagnose(COMPLETE)).toEqual({ errors: [], warnings: [] });
  });

  it('warns of what a working server would still lack: webhooks, crons, a shared database', () => {
    const { errors, warnings } = diagnose(APP);
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.variable)).toEqual([
      'WIX_APP_PUBLIC_KEY',
      'CRON_SECRET',
      'DATABASE_URL',
    ]);
  });

  it('requires a hosted database on Vercel, and says what its crons lack without their secret', () => {
    expect(messages(diagnose(APP, { vercel: true }).errors)).toEqual([
      'DATABASE_URL: missing (required on Vercel: set it to a hosted PostgreSQL)',
    ]);
    const { errors, warnings } = diagnose({ ...COMPLETE, VERCEL: '1', CRON_SECRET: '' });
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^CRON_SECRET: missing — Vercel Cron calls/),
    ]);
  });

  it('warns of settings that are development choices in production', () => {
    const { warnings } = diagnose({
      ...COMPLETE,
      WIX_API_BASE_URL: 'http://127.0.0.1:5050',
      CORS_ALLOW_LOCALHOST: 'true',
    });
    expect(warnings.map((w) => w.variable)).toEqual(['WIX_API_BASE_URL', 'CORS_ALLOW_LOCALHOST']);
  });
});
