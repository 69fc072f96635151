/**
 * Applies the SQL migrations drizzle-kit generated in lib/db/migrations, in journal order, each
 * at most once. Everything runs in one transaction behind a transaction-scoped advisory lock, so
 * two processes starting together against one PostgreSQL apply each migration exactly once: the
 * second waits, then finds nothing left to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from './open-database';
import { rowsOf } from './rows';

/** Arbitrary, fixed: identifies "this app's migrations" among advisory locks. */
const MIGRATION_LOCK_KEY = 7_215_493_001;

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
