/**
 * The process's database: opened once (lock, connect, migrate), shared by every route. A failed
 * open is not kept, so the next request tries again — after a PostgreSQL outage the app recovers
 * without a restart. Held on globalThis so dev-server module reloads reuse it.
 */
import type { AppConfig } from '../config/env';
import { getConfig } from '../config/env';
import { guardDatabase } from '../db/errors';
import { runMigrations } from '../db/migrate';
import { openDatabase, type DatabaseHandle } from '../db/open-database';
import { createStore, type Store } from '../db/store';

export interface Database {
  handle: DatabaseHandle;
  store: Store;
  migrationsApplied: string[];
}

const holder = globalThis as { __wixAppDatabase?: Promise<Database> | null };

/** Opens the database on first use. Unreachable PostgreSQL → 503 `HttpError`. */
export function getDatabase(config: AppConfig = getConfig()): Promise<Database> {
  holder.__wixAppDatabase ??= open(config).catch((error: unknown) => {
    holder.__wixAppDatabase = null;
    throw error;
  });
  // No deadline here: a first PGlite open (initdb) legitimately takes seconds; the operations
  // run on the opened database have their own.
  return guardDatabase(() => holder.__wixAppDatabase as Promise<Database>, null);
}

export async function getStore(): Promise<Store> {
  return (await getDatabase()).store;
}

/** Closes the process's database (tests and scripts); the next `getDatabase` reopens it. */
export async function closeDatabase(): Promise<void> {
  const pending = holder.__wixAppDatabase;
  holder.__wixAppDatabase = null;
  if (pending) await (await pending.catch(() => null))?.handle.close();
}

async function open(config: AppConfig): Promise<Database> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const migrationsApplied = await runMigrations(handle.db);
    return { handle, store: createStore(handle.db, handle.engine), migrationsApplied };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}
