/**
 * Applies the SQL migrations drizzle-kit generated in lib/db/migrations, in journal order, each
 * at most once. Everything runs in one transaction behind a transaction-scoped advisory lock, so
 * two processes starting together against one PostgreSQL apply each migration exactly once: the
 * second waits, then finds nothing left to do. A database that already has every migration — nearly
 * every start — is recognised by one read first, without the transaction or the lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { hasSqlState } from './errors';
import type { Db } from './open-database';
import { rowsOf } from './rows';

/** Arbitrary, fixed: identifies "this app's migrations" among advisory locks. */
export const MIGRATION_LOCK_KEY = 7_215_493_001;

export function migrationsFolder(): string {
  return path.join(process.cwd(), 'lib', 'db', 'migrations');
}

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** The migrations the journal lists, in the order they apply. */
export function readJournal(folder: string = migrationsFolder()): { idx: number; tag: string }[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8'),
  ) as Journal;
  return [...journal.entries].sort((a, b) => a.idx - b.idx);
}

/** Applies pending migrations; returns the tags it applied. */
export async function runMigrations(
  db: Db,
  folder: string = migrationsFolder(),
): Promise<string[]> {
  const entries = readJournal(folder);
  // On the path of every start's first request: one read instead of a transaction of four
  // statements, ≈ 15 ms against 45–95 ms on PGlite's cold caches (docs/benchmarks.md).
  if (await allApplied(db, entries)) return [];
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create table if not exists schema_migrations (
      tag text primary key,
      applied_at timestamptz not null default now()
    )`);
    const done = await tx.execute<{ tag: string }>(sql`select tag from schema_migrations`);
    const applied = new Set(rowsOf<{ tag: string }>(done).map((row) => row.tag));
    const newlyApplied: string[] = [];
    for (const { tag } of entries) {
      if (applied.has(tag)) continue;
      const text = fs.readFileSync(path.join(folder, `${tag}.sql`), 'utf8');
      for (const statement of text.split('--> statement-breakpoint')) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`insert into schema_migrations (tag) values (${tag})`);
      newlyApplied.push(tag);
    }
    return newlyApplied;
  });
}

/**
 * True when schema_migrations lists every journal entry. Migrations are only ever added, so a
 * complete list cannot be made incomplete by a process migrating at the same moment; anything
 * less (or no table yet) takes the locked path, which reads again under the lock.
 */
async function allApplied(db: Db, entries: { tag: string }[]): Promise<boolean> {
  let done: unknown;
  try {
    done = await db.execute(sql`select tag from schema_migrations`);
  } catch (error) {
    if (hasSqlState(error, '42P01')) return false; // undefined_table: a new database
    throw error;
  }
  const applied = new Set(rowsOf<{ tag: string }>(done).map((row) => row.tag));
  return entries.every(({ tag }) => applied.has(tag));
}
