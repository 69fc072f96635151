import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabaseAtStartup } from '../../src/app/startup';
import { LOCK_FILE_NAME } from '../../src/db/data-dir-lock';
import { claimDataDir, DataDirModeError, MODE_FILE_NAME } from '../../src/db/data-dir-mode';
import { openDatabase } from '../../src/db/open-database';
import { expectConsoleError } from '../../src/testing/setup';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'data-dir-mode-'));
let count = 0;
const freshDir = () => {
  const dir = path.join(root, `dir-${++count}`);
  fs.mkdirSync(dir);
  return dir;
};
const recorded = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, MODE_FILE_NAME), 'utf8')) as { mode: string };

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('claimDataDir', () => {
  it('records the first kind of server in a folder that records none, then lets it in again', () => {
    const dir = freshDir();
    claimDataDir(dir, 'production');
    expect(recorded(dir).mode).toBe('production');
    expect(() => claimDataDir(dir, 'production')).not.toThrow();
  });

  it('takes over a folder made before folders recorded their kind (its data is kept)', () => {
    const dir = freshDir();
    fs.mkdirSync(path.join(dir, 'pgdata'));
    claimDataDir(dir, 'development');
    expect(recorded(dir).mode).toBe('development');
    expect(fs.existsSync(path.join(dir, 'pgdata'))).toBe(true);
  });

  it.each([
    ['development', 'production'],
    ['production', 'development'],
  ] as const)(
    'refuses a %s folder to a %s server, naming both and the way out',
    (holds, wanted) => {
      const dir = freshDir();
      claimDataDir(dir, holds);
      const error = (() => {
        try {
          claimDataDir(dir, wanted);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(DataDirModeError);
      const message = (error as Error).message;
      expect(message).toContain(`${dir} holds ${holds} data; this is a ${wanted} server`);
      expect(message).toContain('.data-production for production');
      expect(message).toContain(path.join(dir, MODE_FILE_NAME));
      expect(recorded(dir).mode).toBe(holds); // unchanged
    },
  );

  it('refuses a folder whose record it cannot read, rather than guess', () => {
    const dir = freshDir();
    fs.writeFileSync(path.join(dir, MODE_FILE_NAME), '{"mode":"staging"}');
    expect(() => claimDataDir(dir, 'development')).toThrow(/cannot tell whose data it holds/);
  });
});

describe('openDatabase on a folder of the other kind', () => {
  it('refuses before PGlite starts and leaves the folder unlocked', async () => {
    const dir = freshDir();
    claimDataDir(dir, 'development');
    await expect(
      openDatabase({ databaseUrl: null, dataDir: dir, dataDirMode: 'production' }),
    ).rejects.toBeInstanceOf(DataDirModeError);
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'pgdata'))).toBe(false);
  });

  it('stops the server at startup with the message alone', async () => {
    const dir = freshDir();
    claimDataDir(dir, 'development');
    const logged = expectConsoleError(1);
    const exits: number[] = [];
    const refusal = new DataDirModeError(dir, 'development', 'production');
    await openDatabaseAtStartup(
      () =>
        ({
          database: () => Promise.reject(refusal),
        }) as never,
      // A real exit never returns; this one does, so the test sees what would follow it.
      ((code: number) => void exits.push(code)) as (code: number) => never,
    );
    expect(exits).toEqual([1]);
    expect(logged()).toEqual([refusal.message]);
  });
});
