/**
 * An exclusive, inter-process lock on PGlite's data directory. PGlite has none of its own: two
 * processes opening one directory both succeed and silently lose writes (measured: 500 rows
 * written, 316 left). The lock is a file created with O_EXCL holding the owner's pid; a lock
 * whose process is gone (same host) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE_NAME = 'lock.json';

interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder
      ? `process ${holder.pid} on ${holder.hostname} (${holder.command}, since ${holder.startedAt})`
      : 'another process (its lock file is unreadable)';
    super(
      `The embedded database in ${dataDir} is in use by ${who}. ` +
        'PGlite cannot be shared between processes: stop that process, or set DATABASE_URL to a ' +
        'PostgreSQL server to run more than one process. ' +
        `(If no such process is running, delete ${path.join(dataDir, LOCK_FILE_NAME)}.)`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  release(): void;
}

/** Takes the lock or throws `DataDirLockedError` naming the holder. Creates `dataDir` if needed. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  const me: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv
      .slice(1)
      .map((a) => path.basename(a))
      .join(' ')
      .slice(0, 200),
  };

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(me), { flag: 'wx' });
      return makeLock(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(lockPath);
    // Re-opening in the same process (dev-server module reload) is not a second process.
    if (holder?.pid === process.pid && holder.hostname === me.hostname) return makeLock(lockPath);
    if (holder && holder.hostname === me.hostname && !isAlive(holder.pid)) {
      fs.rmSync(lockPath, { force: true }); // stale: its process is gone; retry the O_EXCL create
      continue;
    }
    throw new DataDirLockedError(dataDir, holder);
  }
  throw new DataDirLockedError(dataDir, readHolder(lockPath));
}

function makeLock(lockPath: string): DataDirLock {
  const release = () => {
    if (readHolder(lockPath)?.pid === process.pid) fs.rmSync(lockPath, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { release };
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    const value = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    return typeof value.pid === 'number' && typeof value.hostname === 'string'
      ? (value as LockHolder)
      : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
