/**
 * Applies the SQL migrations drizzle-kit generated — the machinery's (this package's
 * `migrations/`), then the app's (the folder its definition names, `migrations`) — in journal order, each at most
 * once, recorded in schema_migrations as `<set>/<tag>`. Everything runs in one transaction behind
 * a transaction-scoped advisory lock, so two processes starting together against one PostgreSQL
 * apply each migration exactly once: the second waits, then finds nothing left to do. A database
 * that already has every migration — nearly every start — is recognised by one read first,
 * without the transaction or the lock. A database migrated before the machinery and the app had
 * sets of their own is adopted (`LEGACY_TAGS`, decision 032).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { hasSqlState } from './errors';
import type { Db, Tx } from './open-database';
import { rowsOf } from './rows';

/** Arbitrary, fixed: identifies "this app's migrations" among advisory locks. */
export const MIGRATION_LOCK_KEY = 7_215_493_001;

/** One folder of drizzle-kit migrations; its tags are recorded as `<name>/<tag>`. */
export interface MigrationSet {
  name: string;
  folder: string;
}

/**
 * The machinery's migrations. The package is linked into node_modules by the workspace; a
 * standalone or serverless build carries the traced copy at its workspace path instead.
 */
export function machineryMigrations(): MigrationSet {
  const candidates = [
    path.join(process.cwd(), 'node_modules', 'wix-app-backend', 'migrations'),
    path.join(process.cwd(), 'packages', 'wix-app-backend', 'migrations'),
  ];
  return {
    name: 'wix-app-backend',
    folder: candidates.find((folder) => fs.existsSync(folder)) ?? candidates[0]!,
  };
}

/** The app's migrations, generated from its schema into `folder` (relative: to the project). */
export function appMigrations(folder: string): MigrationSet {
  // A path the build cannot follow: the deployment carries the folder because next.config.mjs
  // names it in outputFileTracingIncludes (a structure test compares the two), so the build must
  // not trace the whole project for it.
  return { name: 'app', folder: path.resolve(/*turbopackIgnore: true*/ process.cwd(), folder) };
}

/**
 * What a database of this app runs: the machinery's tables first (the app's reference
 * `instances`), then the app's own from the folder its definition names, if any.
 */
export function migrationSets(appFolder?: string | null): MigrationSet[] {
  return appFolder ? [machineryMigrations(), appMigrations(appFolder)] : [machineryMigrations()];
}

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** The migrations a folder's journal lists, in the order they apply. */
export function readJournal(folder: string): { idx: number; tag: string }[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8'),
  ) as Journal;
  return [...journal.entries].sort((a, b) => a.idx - b.idx);
}

interface Migration {
  /** `<set>/<tag>`, as schema_migrations records it. */
  key: string;
  file: string;
}

function listMigrations(sets: readonly MigrationSet[]): Migration[] {
  return sets.flatMap((set) =>
    readJournal(set.folder).map(({ tag }) => ({
      key: `${set.name}/${tag}`,
      file: path.join(set.folder, `${tag}.sql`),
    })),
  );
}

/**
 * The tags of the one migration journal every database had before the split (decision 032). A
 * database with all of them holds exactly the tables of both sets' first migrations.
 */
export const LEGACY_TAGS = [
  '0000_init',
  '0001_wix_app_tokens',
  '0002_instance_lifecycle',
  '0003_instance_foreign_keys',
  '0004_notes',
  '0005_delivery_expiry',
  '0006_event_queue',
  '0007_plan_renewal_clock',
  '0008_wix_call_budgets',
] as const;

/**
 * Applies pending migrations of `sets` (default: the machinery's alone); returns the
 * `<set>/<tag>` keys it applied.
 */
export async function runMigrations(
  db: Db,
  sets: readonly MigrationSet[] = migrationSets(),
): Promise<string[]> {
  const migrations = listMigrations(sets);
  // On the path of every start's first request: one read instead of a transaction of four
  // statements, ≈ 15 ms against 45–95 ms on PGlite's cold caches (docs/benchmarks.md).
  if (await allApplied(db, migrations)) return [];
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create table if not exists schema_migrations (
      tag text primary key,
      applied_at timestamptz not null default now()
    )`);
    const done = await tx.execute<{ tag: string }>(sql`select tag from schema_migrations`);
    const applied = new Set(rowsOf<{ tag: string }>(done).map((row) => row.tag));
    await adoptLegacy(tx, applied, sets);
    const newlyApplied: string[] = [];
    for (const { key, file } of migrations) {
      if (applied.has(key)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const statement of text.split('--> statement-breakpoint')) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`insert into schema_migrations (tag) values (${key})`);
      newlyApplied.push(key);
    }
    return newlyApplied;
  });
}

/**
 * A database migrated with the one journal of before the split holds what each set's first
 * migration creates: record those as applied (in `applied` too) instead of creating the tables
 * again. One that stopped part of the way is refused: no set can finish its migrations.
 */
async function adoptLegacy(tx: Tx, applied: Set<string>, sets: readonly MigrationSet[]) {
  const legacy = LEGACY_TAGS.filter((tag) => applied.has(tag));
  if (legacy.length === 0) return;
  if (legacy.length < LEGACY_TAGS.length) {
    throw new Error(
      `This database was migrated by an older version of the template, up to ${legacy.at(-1)}: ` +
        'start that version once so it finishes its migrations, then this one.',
    );
  }
  for (const set of sets) {
    const first = readJournal(set.folder)[0];
    const key = first && `${set.name}/${first.tag}`;
    if (!key || applied.has(key)) continue;
    await tx.execute(sql`insert into schema_migrations (tag) values (${key})`);
    applied.add(key);
  }
}

/**
 * True when schema_migrations lists every migration. Migrations are only ever added, so a
 * complete list cannot be made incomplete by a process migrating at the same moment; anything
 * less (or no table yet) takes the locked path, which reads again under the lock.
 */
async function allApplied(db: Db, migrations: Migration[]): Promise<boolean> {
  let done: unknown;
  try {
    done = await db.execute(sql`select tag from schema_migrations`);
  } catch (error) {
    if (hasSqlState(error, '42P01')) return false; // undefined_table: a new database
    throw error;
  }
  const applied = new Set(rowsOf<{ tag: string }>(done).map((row) => row.tag));
  return migrations.every(({ key }) => applied.has(key));
}
