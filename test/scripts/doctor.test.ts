/** `npm run doctor` as an operator runs it: a real process, its output and exit code. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hermeticEnv } from '@/scripts/lib/child-processes';

const exec = promisify(execFile);

async function doctor(env: Record<string, string>, args: string[] = []) {
  try {
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', 'scripts/doctor.ts', ...args],
      {
        env: hermeticEnv(env),
      },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('npm run doctor', () => {
  it('names each missing variable with its description from docs/configuration.md, and fails', async () => {
    const { code, stdout } = await doctor({});
    expect(code).toBe(1);
    expect(stdout).toContain('✗ WIX_APP_ID: missing (required in production)');
    expect(stdout).toContain("WIX_APP_ID: your app's id (GUID) from the app dashboard.");
    expect(stdout).toContain('✗ WIX_APP_SECRET: missing (required in production)');
    expect(stdout).toContain('WIX_APP_SECRET: the app secret (app dashboard → OAuth).');
    expect(stdout).toMatch(/2 problems/);
  }, 30_000);

  it('passes a complete Vercel configuration, noting what is left to decide', async () => {
    const { code, stdout } = await doctor(
      {
        WIX_APP_ID: '6e3c8a9e-3c4a-4a9b-9a51-1f9b1a2c3d4e',
        WIX_APP_SECRET: 'a-real-looking-secret',
        DATABASE_URL: 'postgres://user:pw@db.example:5432/app',
        CRON_SECRET: '0123456789abcdef0123456789abcdef',
      },
      ['--vercel'],
    );
    expect(code).toBe(0);
    expect(stdout).toContain('! WIX_APP_PUBLIC_KEY: missing');
    expect(stdout).toContain('Ready for production');
  }, 30_000);
});
