import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeDatabase } from '../../src/app/database';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from '../../src/db/data-dir-lock';
import { runMigrations } from '../../src/db/migrate';
import { openDatabase } from '../../src/db/open-database';
import { createDocumentStore } from '../fixtures/documents';
import { createFixtureTables } from '../fixtures/tables';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** Every child is killed after this long, so a hung child fails the test instead of the run. */
const CHILD_TIMEOUT_MS = 30_000;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'data-dir-lock-'));
let dirCount = 0;
const freshDir = () => path.join(root, `dir-${++dirCount}`);
const lockPath = (dir: string) => path.join(dir, LOCK_FILE_NAME);
const readLock = (dir: string) =>
  JSON.parse(fs.readFileSync(lockPath(dir), 'utf8')) as { pid: number; hostname: string };

const children = new Set<ChildProcess>();

/** Starts a TypeScript fixture as a plain `node` process (so its pid is the one it records). */
function startFixture(fixture: string, dataDir: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(FIXTURES, fixture), dataDir],
    {
      cwd: process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  child.on('exit', () => {
    clearTimeout(timer);
    children.delete(child);
  });
  return child;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runFixture(fixture: string, dataDir: string): Promise<Finished> {
  const child = startFixture(fixture, dataDir);
  child.stdin?.end();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A child process holding the lock on `dataDir` until `stop()`. */
async function holdLockInChild(dataDir: string) {
  const child = startFixture('hold-data-dir-lock.ts', dataDir);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}): ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    pid: child.pid as number,
    /** Lets the child release the lock and exit normally. */
    stop: () => {
      child.stdin?.end();
      return exited;
    },
  };
}

/** The pid of a process that has certainly exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

function writeLock(dir: string, holder: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(lockPath(dir), JSON.stringify(holder));
}

function lockedError(run: () => unknown): DataDirLockedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirLockedError);
    return error as DataDirLockedError;
  }
  throw new Error('expected DataDirLockedError, but the lock was taken');
}

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('acquireDataDirLock', () => {
  it('creates missing nested folders and records this process in the lock file', () => {
    const dir = path.join(freshDir(), 'a', 'b', 'c');
    const lock = acquireDataDirLock(dir);
    try {
      expect(readLock(dir)).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    } finally {
      lock.release();
    }
  });

  it('lets the same process acquire the lock again (a dev-server reload)', () => {
    const dir = freshDir();
    const first = acquireDataDirLock(dir);
    const second = acquireDataDirLock(dir);
    expect(readLock(dir).pid).toBe(process.pid);
    second.release();
    first.release();
  });

  it('removes the lock file on release', () => {
    const dir = freshDir();
    acquireDataDirLock(dir).release();
    expect(fs.existsSync(lockPath(dir))).toBe(false);
    // Released means free: a new acquisition succeeds from a clean state.
    acquireDataDirLock(dir).release();
  });

  it('does not remove on release a lock another process has taken since', () => {
    const dir = freshDir();
    const lock = acquireDataDirLock(dir);
    writeLock(dir, { pid: process.pid + 1, hostname: os.hostname(), startedAt: '', command: '' });
    lock.release();
    expect(readLock(dir).pid).toBe(process.pid + 1);
  });

  it(
    'refuses a lock held by another live process, naming its pid and DATABASE_URL',
    { timeout: CHILD_TIMEOUT_MS + 5_000 },
    async () => {
      const dir = freshDir();
      const holder = await holdLockInChild(dir);
      try {
        expect(readLock(dir).pid).toBe(holder.pid);
        const error = lockedError(() => acquireDataDirLock(dir));
        expect(error.holder).toMatchObject({ pid: holder.pid, hostname: os.hostname() });
        expect(error.dataDir).toBe(dir);
        expect(error.message).toContain(`process ${holder.pid}`);
        expect(error.message).toContain(dir);
        expect(error.message).toContain('DATABASE_URL');
        // Refusing must leave the holder's lock in place.
        expect(readLock(dir).pid).toBe(holder.pid);
      } finally {
        expect(await holder.stop()).toBe(0);
      }
      // Once the holder released it, the lock is free again.
      expect(fs.existsSync(lockPath(dir))).toBe(false);
      acquireDataDirLock(dir).release();
    },
  );

  it('takes over a stale lock whose process is gone', async () => {
    const dir = freshDir();
    const pid = await deadPid();
    writeLock(dir, {
      pid,
      hostname: os.hostname(),
      startedAt: new Date().toISOString(),
      command: 'node -e',
    });
    const lock = acquireDataDirLock(dir);
    try {
      expect(readLock(dir).pid).toBe(process.pid);
    } finally {
      lock.release();
    }
  });

  it('refuses a lock from another host even when no such pid runs here', async () => {
    const dir = freshDir();
    writeLock(dir, {
      pid: await deadPid(),
      hostname: `not-${os.hostname()}`,
      startedAt: new Date().toISOString(),
      command: 'next start',
    });
    const error = lockedError(() => acquireDataDirLock(dir));
    expect(error.message).toContain(`on not-${os.hostname()}`);
    expect(error.message).toContain('DATABASE_URL');
  });

  it('refuses an unreadable lock file rather than guessing it is stale', () => {
    const dir = freshDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(lockPath(dir), '{"pid": "not a number"');
    const error = lockedError(() => acquireDataDirLock(dir));
    expect(error.holder).toBeNull();
    expect(error.message).toContain('unreadable');
    expect(error.message).toContain('DATABASE_URL');
  });
});

describe('openDatabase on a data folder', () => {
  // initdb of a new folder takes seconds; initialise one folder once, then every test reopens it.
  const dir = freshDir();
  beforeAll(async () => {
    const handle = await openDatabase({ databaseUrl: null, dataDir: dir });
    await runMigrations(handle.db);
    await createFixtureTables(handle.db);
    await handle.close();
  });

  it('keeps what was written after close and reopen, and frees the lock on close', async () => {
    const id = randomUUID();
    const document = { greeting: 'persisted', theme: 'dark' };
    const first = await openDatabase({ databaseUrl: null, dataDir: dir });
    expect(readLock(dir).pid).toBe(process.pid);
    const written = composeDatabase(first);
    await written.instances.recordSeen(id, Date.now());
    await createDocumentStore(written.db).saveDocument(id, {
      document,
      expectedVersion: 0,
      updatedBy: 'user-1',
      at: new Date(),
    });
    await first.close();
    expect(fs.existsSync(lockPath(dir))).toBe(false);

    const second = await openDatabase({ databaseUrl: null, dataDir: dir });
    try {
      expect(await runMigrations(second.db)).toEqual([]);
      expect(await createDocumentStore(second.db).getDocument(id)).toMatchObject({
        document,
        version: 1,
      });
    } finally {
      await second.close();
    }
  });

  it(
    'refuses a second process while the folder is open, and lets it in after close',
    { timeout: 3 * CHILD_TIMEOUT_MS },
    async () => {
      const handle = await openDatabase({ databaseUrl: null, dataDir: dir });
      try {
        const refused = await runFixture('open-database.ts', dir);
        expect(refused.code).toBe(2);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toContain('DataDirLockedError');
        expect(refused.stderr).toContain(`process ${process.pid}`);
        expect(refused.stderr).toContain('DATABASE_URL');
        // The refused process neither took nor removed our lock, and our database still works.
        expect(readLock(dir).pid).toBe(process.pid);
        await composeDatabase(handle).ping();
      } finally {
        await handle.close();
      }
      const admitted = await runFixture('open-database.ts', dir);
      expect(admitted).toMatchObject({ code: 0, stdout: 'opened\n' });
    },
  );

  it('releases the lock when the database fails to open', async () => {
    const broken = freshDir();
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'pgdata'), 'a file where the database folder should be');
    await expect(openDatabase({ databaseUrl: null, dataDir: broken })).rejects.toBeDefined();
    expect(fs.existsSync(lockPath(broken))).toBe(false);
  });
});
