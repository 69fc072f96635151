import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LEGACY_TAGS,
  MIGRATION_LOCK_KEY,
  appMigrations,
  defaultMigrations,
  machineryMigrations,
  readJournal,
  runMigrations,
} from '../../src/db/migrate';
import {
  IN_MEMORY_DATA_DIR,
  openDatabase,
  type DatabaseHandle,
  type Db,
} from '../../src/db/open-database';

/** Every migration, machinery's then the app's, as schema_migrations records it. */
const JOURNAL_TAGS = defaultMigrations().flatMap((set) =>
  readJournal(set.folder).map((entry) => `${set.name}/${entry.tag}`),
);

/** postgres.js returns the rows array itself; PGlite returns `{ rows }`. */
async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const appliedTags = (db: Db) =>
  rows<{ tag: string }>(db, sql`select tag from schema_migrations order by tag`).then((r) =>
    r.map((row) => row.tag),
  );

const tableNames = (db: Db) =>
  rows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
  ).then((r) => r.map((row) => row.table_name));

/** The real sets, the app's a copy with one extra migration appended to its journal. */
function withExtraMigration(tag: string, statements: string[]) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.cpSync(appMigrations().folder, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries.push({ idx: journal.entries.length, tag });
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  fs.writeFileSync(
    path.join(folder, `${tag}.sql`),
    statements.join('\n--> statement-breakpoint\n'),
  );
  return { folder, sets: [machineryMigrations(), appMigrations(folder)] };
}

/**
 * Each set cut to its first migration: what a database migrated before the split holds (the
 * legacy journal created exactly those tables). An app's later migrations are not in it.
 */
function firstMigrationsOnly() {
  return defaultMigrations().map((set) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    fs.cpSync(set.folder, folder, { recursive: true });
    const journalPath = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
    journal.entries = journal.entries.slice(0, 1);
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    return { folder, set: { ...set, folder } };
  });
}

describe('runMigrations on PGlite', () => {
  /** Made by initdb, with nothing applied: only the first test uses it. */
  let fresh: DatabaseHandle;
  /** Copied from the migrated snapshot, for the tests that add migrations of their own. */
  let handle: DatabaseHandle;
  const folders: string[] = [];

  beforeAll(async () => {
    [fresh, handle] = await Promise.all([
      openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR, pgliteSnapshot: false }),
      openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fresh?.close(), handle?.close()]);
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('applies the machinery’s migrations, then the app’s, to a fresh database, then nothing on the next run', async () => {
    expect(JOURNAL_TAGS.slice(0, 2)).toEqual(['wix-app-backend/0000_machinery', 'app/0000_app']);
    expect(await tableNames(fresh.db)).not.toContain('instances');
    expect(await runMigrations(fresh.db)).toEqual(JOURNAL_TAGS);
    expect(await tableNames(fresh.db)).toEqual(
      expect.arrayContaining(['instances', 'settings', 'schema_migrations']),
    );
    expect(await appliedTags(fresh.db)).toEqual([...JOURNAL_TAGS].sort());

    expect(await runMigrations(fresh.db)).toEqual([]);
    expect(await appliedTags(fresh.db)).toEqual([...JOURNAL_TAGS].sort());
  });

  it('applies only a migration added to the journal later', async () => {
    await runMigrations(handle.db);
    const { folder, sets } = withExtraMigration('9001_add_probe', [
      'CREATE TABLE "migration_probe" ("id" integer PRIMARY KEY)',
      'ALTER TABLE "migration_probe" ADD COLUMN "body" text',
    ]);
    folders.push(folder);
    expect(await runMigrations(handle.db, sets)).toEqual(['app/9001_add_probe']);
    expect(await tableNames(handle.db)).toContain('migration_probe');
    expect(await runMigrations(handle.db, sets)).toEqual([]);
  });

  it('rolls a failing migration back entirely and does not record it', async () => {
    await runMigrations(handle.db);
    const { folder, sets } = withExtraMigration('9002_broken', [
      'CREATE TABLE "half_done" ("id" integer PRIMARY KEY)',
      'THIS IS NOT SQL',
    ]);
    folders.push(folder);
    await expect(runMigrations(handle.db, sets)).rejects.toThrow();
    expect(await tableNames(handle.db)).not.toContain('half_done');
    expect(await appliedTags(handle.db)).not.toContain('app/9002_broken');
  });

  it('adopts a database migrated before the split: its tables stay, both baselines are recorded', async () => {
    await runMigrations(handle.db);
    const tables = await tableNames(handle.db);
    const firsts = firstMigrationsOnly();
    folders.push(...firsts.map(({ folder }) => folder));
    const sets = firsts.map(({ set }) => set);
    // What such a database's journal says: the nine tags of the one set there was.
    await handle.db.execute(sql`delete from schema_migrations`);
    for (const tag of LEGACY_TAGS) {
      await handle.db.execute(sql`insert into schema_migrations (tag) values (${tag})`);
    }
    // Each set's first migration is a baseline: nothing of them is left to run. (Migrations an
    // app added after the split would run next, as on any database that lacks them.)
    expect(await runMigrations(handle.db, sets)).toEqual([]);
    expect(await tableNames(handle.db)).toEqual(tables);
    expect(await appliedTags(handle.db)).toEqual(
      expect.arrayContaining(['wix-app-backend/0000_machinery', 'app/0000_app', ...LEGACY_TAGS]),
    );
    expect(await runMigrations(handle.db, sets)).toEqual([]);
    // Put the whole journal back for the tests after this one (this database has every table).
    for (const key of JOURNAL_TAGS) {
      await handle.db.execute(
        sql`insert into schema_migrations (tag) values (${key}) on conflict do nothing`,
      );
    }
  });

  it('refuses a database that stopped part of the way through the old journal, naming where', async () => {
    await runMigrations(handle.db);
    await handle.db.execute(sql`delete from schema_migrations`);
    for (const tag of LEGACY_TAGS.slice(0, 5)) {
      await handle.db.execute(sql`insert into schema_migrations (tag) values (${tag})`);
    }
    await expect(runMigrations(handle.db)).rejects.toThrow(/older version.*0004_notes/);
    // Put it back for the tests after this one.
    await handle.db.execute(sql`delete from schema_migrations`);
    for (const key of JOURNAL_TAGS) {
      await handle.db.execute(sql`insert into schema_migrations (tag) values (${key})`);
    }
  });
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('runMigrations on PostgreSQL (TEST_DATABASE_URL)', () => {
  const name = `migrate_test_${randomUUID().replaceAll('-', '')}`;
  let admin: DatabaseHandle | null = null;
  let freshUrl = '';

  beforeAll(async () => {
    admin = await openDatabase({ databaseUrl: url ?? null, dataDir: 'unused' });
    await admin.db.execute(sql.raw(`create database "${name}"`));
    const parsed = new URL(url ?? '');
    parsed.pathname = `/${name}`;
    freshUrl = parsed.toString();
  });

  afterAll(async () => {
    await admin?.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
    await admin?.close();
  });

  it(
    'applies each migration exactly once when two processes migrate a fresh database at once',
    { timeout: 30_000 },
    async () => {
      const first = await openDatabase({ databaseUrl: freshUrl, dataDir: 'unused' });
      const second = await openDatabase({ databaseUrl: freshUrl, dataDir: 'unused' });
      try {
        const [a, b] = await Promise.all([runMigrations(first.db), runMigrations(second.db)]);
        // Exactly one of the two did the work; the other waited on the lock and found none left.
        expect([...a, ...b].sort()).toEqual([...JOURNAL_TAGS].sort());
        expect([a.length, b.length].sort()).toEqual([0, JOURNAL_TAGS.length]);

        const counts = await rows<{ tag: string; n: number }>(
          first.db,
          sql`select tag, count(*)::int as n from schema_migrations group by tag order by tag`,
        );
        expect(counts).toEqual([...JOURNAL_TAGS].sort().map((tag) => ({ tag, n: 1 })));
        expect(await tableNames(second.db)).toEqual(
          expect.arrayContaining(['instances', 'settings', 'schema_migrations']),
        );
        expect(await runMigrations(second.db)).toEqual([]);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    },
  );

  it(
    'finds an up-to-date database up to date without waiting for a process that holds the lock',
    { timeout: 30_000 },
    async () => {
      // Every migration applied (here, whether or not the test above ran first). Another process
      // then holds the migration lock (as while it applies a migration this one does not know): a
      // start needs one read, not the lock. Before that read existed, this waited until the lock
      // was freed.
      const holder = await openDatabase({ databaseUrl: freshUrl, dataDir: 'unused' });
      const starting = await openDatabase({ databaseUrl: freshUrl, dataDir: 'unused' });
      try {
        await runMigrations(holder.db);
        await holder.db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
        const migrated = runMigrations(starting.db).then((tags) => ({ tags }));
        const waiting = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000));
        expect(await Promise.race([migrated, waiting])).toEqual({ tags: [] });
      } finally {
        // Closing the holder's connections frees its lock, whichever of them took it.
        await Promise.all([holder.close(), starting.close()]);
      }
    },
  );
});
