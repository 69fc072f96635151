import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_VARIABLES } from 'wix-app-backend/config/env';
import { freePort, hermeticEnv, killGroup } from '@/scripts/lib/child-processes';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('hermeticEnv', () => {
  it('drops inherited WIX_* and configuration variables, blanks the latter, then applies overrides', () => {
    vi.stubEnv('WIX_SOMETHING_PRIVATE', 'leak');
    vi.stubEnv('DATABASE_URL', 'postgres://developer@localhost/dev');
    vi.stubEnv('HARMLESS_FOR_THE_CHILD', 'kept');

    const env = hermeticEnv({ NODE_ENV: 'production', DATA_DIR: 'memory://' });

    expect(env.WIX_SOMETHING_PRIVATE).toBeUndefined();
    expect(env.DATABASE_URL).toBe('');
    expect(env.HARMLESS_FOR_THE_CHILD).toBe('kept');
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATA_DIR).toBe('memory://');
    for (const name of CONFIG_VARIABLES.filter((n) => n !== 'DATA_DIR')) {
      expect(env[name], name).toBe('');
    }
  });
});

describe('freePort', () => {
  it('gives a port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('killGroup', () => {
  it('stops a detached child and its own children', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e3)'], { stdio: 'inherit' }); setInterval(() => {}, 1e3)",
      ],
      { detached: true, stdio: 'ignore' },
    );
    await new Promise((resolve) => child.once('spawn', resolve));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGKILL');
    await exited;
    // The grandchild was in the same group: signalling the group again finds nobody.
    await vi.waitFor(() => expect(() => process.kill(-child.pid!, 0)).toThrow());
  });

  it('does nothing for a child that has already exited', async () => {
    const child = spawn(process.execPath, ['-e', ''], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(() => killGroup(child, 'SIGKILL')).not.toThrow();
  });
});
