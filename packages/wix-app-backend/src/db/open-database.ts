/**
 * Opens the database: embedded PGlite in DATA_DIR when DATABASE_URL is unset (zero setup, one
 * process), PostgreSQL through postgres.js when it is set (any number of processes). Both are
 * used through the same drizzle API (docs/decisions/008-pglite-postgres-drizzle.md).
 */
import path from 'node:path';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { acquireDataDirLock } from './data-dir-lock';
import { claimDataDir, type DataDirMode } from './data-dir-mode';
import type { SnapshotOptions } from './pglite-snapshot';
import * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Engine = 'pglite' | 'postgres';
/** A transaction, as drizzle passes it to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** `DATA_DIR` value for a throwaway in-memory PGlite (tests). */
export const IN_MEMORY_DATA_DIR = 'memory://';
/** postgres.js pool size per process; serverless functions each hold their own pool. */
export const POSTGRES_POOL_SIZE = 10;
/** Fail a connection attempt quickly so an outage answers 503 instead of hanging. */
export const POSTGRES_CONNECT_TIMEOUT_SECONDS = 5;

export interface DatabaseOptions {
  databaseUrl: string | null;
  /**
   * PostgreSQL: let postgres.js name server-side prepared statements. Default false, which
   * transaction-mode poolers need (decision 028); true only on a direct connection.
   */
  preparedStatements?: boolean;
  dataDir: string;
  /**
   * Which kind of server opens the PGlite folder (src/db/data-dir-mode.ts): a folder first
   * opened by the other kind is refused. Default development. Ignored for PostgreSQL and memory.
   */
  dataDirMode?: DataDirMode;
  /**
   * A new PGlite database starts as a copy of a freshly migrated one (src/db/pglite-snapshot.ts)
   * instead of running initdb; `false` runs initdb. Ignored for PostgreSQL.
   */
  pgliteSnapshot?: SnapshotOptions | false;
}

export interface DatabaseHandle {
  engine: Engine;
  db: Db;
  /** Where the data lives, safe to log (no password). */
  description: string;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.preparedStatements ?? false)
    : openPglite(
        options.dataDir,
        options.dataDirMode ?? 'development',
        options.pgliteSnapshot ?? {},
      );
}

async function openPglite(
  dataDir: string,
  mode: DataDirMode,
  snapshot: SnapshotOptions | false,
): Promise<DatabaseHandle> {
  // Loaded only here: a PostgreSQL process never loads PGlite's WASM.
  const { startPglite, drizzlePglite } = await import('./start-pglite');
  if (dataDir === IN_MEMORY_DATA_DIR) {
    const client = await startPglite(null, snapshot);
    return {
      engine: 'pglite',
      db: drizzlePglite({ client, schema }) as unknown as Db,
      description: 'PGlite (in memory)',
      close: () => client.close(),
    };
  }
  const dir = path.resolve(dataDir);
  const lock = acquireDataDirLock(dir);
  let client: Awaited<ReturnType<typeof startPglite>>;
  try {
    claimDataDir(dir, mode);
    client = await startPglite(path.join(dir, 'pgdata'), snapshot);
  } catch (error) {
    // Never keep the lock of a database that did not open: the next attempt starts clean.
    lock.release();
    throw error;
  }
  const opened = client;
  return {
    engine: 'pglite',
    db: drizzlePglite({ client: opened, schema }) as unknown as Db,
    description: `PGlite in ${dir}`,
    close: async () => {
      await opened.close();
      lock.release();
    },
  };
}

async function openPostgres(url: string, preparedStatements: boolean): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: POSTGRES_POOL_SIZE,
    connect_timeout: POSTGRES_CONNECT_TIMEOUT_SECONDS,
    idle_timeout: 30,
    // No named prepared statements unless asked for: behind a transaction-mode pooler (PgBouncer,
    // Supabase's and Neon's pooled URLs) each statement may run on another server connection,
    // where a name prepared on the first does not exist (SQLSTATE 26000). Unnamed statements
    // work on every connection, at the price of a second round trip per query (decision 028).
    prepare: preparedStatements,
    onnotice: () => {},
  });
  // `host` carries the port already; never the username or password.
  const { host, pathname } = new URL(url);
  return {
    engine: 'postgres',
    db: drizzlePostgres({ client, schema }) as unknown as Db,
    description: `PostgreSQL at ${host}${pathname}`,
    close: () => client.end({ timeout: 5 }),
  };
}
