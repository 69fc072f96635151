import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractTar } from '../../src/db/extract-tar';
import {
  appMigrations,
  machineryMigrations,
  readJournal,
  runMigrations,
  type MigrationSet,
} from '../../src/db/migrate';
import { newPglite, ready, tarSource } from '../../src/db/new-pglite';
import { openDatabase, type DatabaseHandle } from '../../src/db/open-database';
import type * as SnapshotModule from '../../src/db/pglite-snapshot';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-snapshot-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let count = 0;
const tempDir = (label: string) => path.join(root, `${label}-${++count}`);

/** The module as a new process would load it: no snapshot remembered in memory. */
async function freshModule(): Promise<typeof SnapshotModule> {
  vi.resetModules();
  return import('../../src/db/pglite-snapshot');
}

/** The package's own stand-in for an app's migrations: one table that references instances. */
const FIXTURE_APP_MIGRATIONS = fileURLToPath(new URL('./fixtures/app-migrations', import.meta.url));

/**
 * The machinery's migrations and a copy of the fixture app's (its folder is `appFolder(sets)`),
 * optionally with one more migration appended to its journal.
 */
function migrationsCopy(extra?: { tag: string; sql: string }): MigrationSet[] {
  const folder = tempDir('migrations');
  fs.cpSync(FIXTURE_APP_MIGRATIONS, folder, { recursive: true });
  if (extra) {
    const journalPath = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
      entries: { idx: number; tag: string }[];
    };
    journal.entries.push({ idx: journal.entries.length, tag: extra.tag });
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    fs.writeFileSync(path.join(folder, `${extra.tag}.sql`), extra.sql);
  }
  return [machineryMigrations(), appMigrations(folder)];
}
const appFolder = (sets: MigrationSet[]) => sets.at(-1)!.folder;

async function tables(handle: DatabaseHandle): Promise<string[]> {
  const result = (await handle.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public'`,
  )) as unknown as { rows: { table_name: string }[] };
  return result.rows.map((row) => row.table_name);
}

/** One tar entry: a header with the fields extractTar reads, then the body's blocks. */
function tarEntry(name: string, type: string, body = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(type, 156);
  header.write('ustar', 257);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body);
  return Buffer.concat([header, data]);
}
const TAR_END = Buffer.alloc(1024);

const isGzippedTar = (file: string) =>
  Buffer.from(gunzipSync(fs.readFileSync(file)).subarray(257, 262)).toString() === 'ustar';

// Each snapshot made here is an initdb plus every migration: seconds on a busy machine.
describe('the PGlite snapshot', { timeout: 60_000 }, () => {
  const cacheDir = tempDir('cache');
  const folder = migrationsCopy();
  const options = { cacheDir, migrations: folder };

  it('is made once — one whole file when two processes make it at once — then reused', async () => {
    const [a, b] = [await freshModule(), await freshModule()];
    const file = a.snapshotPath(options);
    // The base they both start from (made now unless a test before made it); the race below is
    // on the snapshot, which is written the same way.
    await (await freshModule()).getPgliteSnapshot(options);
    fs.rmSync(file, { force: true }); // none to start with
    expect(fs.existsSync(file)).toBe(false);
    const [tarA, tarB] = await Promise.all([
      a.getPgliteSnapshot(options),
      b.getPgliteSnapshot(options),
    ]);
    expect(tarA.byteLength).toBeGreaterThan(1024);
    expect(tarB.byteLength).toBe(tarA.byteLength);
    // Both wrote a temporary file and renamed it: one complete snapshot, no temporary left.
    const files = fs.readdirSync(cacheDir);
    expect(files).toContain(path.basename(file));
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(isGzippedTar(file)).toBe(true);
    const written = fs.statSync(file);

    const later = await freshModule();
    expect((await later.getPgliteSnapshot(options)).byteLength).toBe(tarA.byteLength);
    expect(fs.statSync(file).mtimeMs).toBe(written.mtimeMs);
    expect(fs.statSync(file).ino).toBe(written.ino);
  });

  it('opens an in-memory database that has every migration and nothing left to apply', async () => {
    const handle = await openDatabase({
      databaseUrl: null,
      dataDir: 'memory://',
      pgliteSnapshot: options,
    });
    try {
      expect(await tables(handle)).toEqual(
        expect.arrayContaining(['instances', 'fixture_notes', 'schema_migrations']),
      );
      expect(await runMigrations(handle.db, folder)).toEqual([]);
      // Made by initdb with 1 MB WAL segments (src/db/new-pglite.ts): no 16 MB one to unpack.
      const wal = (await handle.db.execute(sql`show wal_segment_size`)) as unknown as {
        rows: { wal_segment_size: string }[];
      };
      expect(wal.rows).toEqual([{ wal_segment_size: '1MB' }]);
      // Only the app's database: initdb's two templates were dropped before the dump.
      const databases = (await handle.db.execute(
        sql`select datname from pg_database order by datname`,
      )) as unknown as { rows: { datname: string }[] };
      expect(databases.rows).toEqual([{ datname: 'postgres' }]);
      // And one WAL segment, the current one: no spares recycled ahead of it.
      const segments = (await handle.db.execute(
        sql`select name from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$'`,
      )) as unknown as { rows: { name: string }[] };
      expect(segments.rows).toHaveLength(1);
    } finally {
      await handle.close();
    }
  });

  it('creates a new data folder from it, leaving no temporary folder behind', async () => {
    const dataDir = tempDir('data');
    const handle = await openDatabase({ databaseUrl: null, dataDir, pgliteSnapshot: options });
    try {
      expect(await runMigrations(handle.db, folder)).toEqual([]);
      await handle.db.execute(
        sql`insert into instances (instance_id, first_seen_at, last_seen_at) values ('kept', now(), now())`,
      );
    } finally {
      await handle.close();
    }
    expect(fs.readdirSync(dataDir).sort()).toEqual(['mode.json', 'pgdata']);
    // One database folder: the templates' files went with them (base/<oid> per database).
    expect(fs.readdirSync(path.join(dataDir, 'pgdata', 'base'))).toHaveLength(1);
    const wal = fs.readdirSync(path.join(dataDir, 'pgdata', 'pg_wal'));
    expect(wal.filter((name) => /^[0-9A-F]{24}$/.test(name))).toHaveLength(1);
    // Reopened, the folder is the database itself: never replaced by the snapshot again.
    const again = await openDatabase({ databaseUrl: null, dataDir, pgliteSnapshot: options });
    try {
      const rows = (await again.db.execute(sql`select instance_id from instances`)) as unknown as {
        rows: { instance_id: string }[];
      };
      expect(rows.rows).toEqual([{ instance_id: 'kept' }]);
    } finally {
      await again.close();
    }
  });

  it('is made again, under another name, when a migration is added', async () => {
    const { snapshotPath, getPgliteSnapshot } = await freshModule();
    const changed = migrationsCopy({
      tag: '9101_snapshot_probe',
      sql: 'CREATE TABLE "snapshot_probe" ("id" integer PRIMARY KEY)',
    });
    const newOptions = { cacheDir, migrations: changed };
    expect(snapshotPath(newOptions)).not.toBe(snapshotPath(options));
    await getPgliteSnapshot(newOptions);
    expect(isGzippedTar(snapshotPath(newOptions))).toBe(true);

    const handle = await openDatabase({
      databaseUrl: null,
      dataDir: 'memory://',
      pgliteSnapshot: newOptions,
    });
    try {
      expect(await tables(handle)).toContain('snapshot_probe');
      expect(await runMigrations(handle.db, changed)).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it('starts a new migration set from the base, not from initdb', async () => {
    const { basePath, getPgliteSnapshot } = await freshModule();
    await getPgliteSnapshot(options); // the base exists from here on
    // A base of our own in another cache folder, marked by a table initdb never makes: a snapshot
    // made there has the mark only if it was made from this base.
    const marked = await ready(
      newPglite(null, { loadDataDir: tarSource(gunzipSync(fs.readFileSync(basePath(options)))) }),
    );
    await marked.exec('CREATE TABLE "made_from_base" ("id" integer)');
    const markedTar = new Uint8Array(await (await marked.dumpDataDir('none')).arrayBuffer());
    await marked.close();
    const otherOptions = { cacheDir: tempDir('cache'), migrations: folder };
    fs.mkdirSync(otherOptions.cacheDir, { recursive: true });
    fs.writeFileSync(basePath(otherOptions), gzipSync(markedTar, { level: 1 }));
    expect(basePath(otherOptions)).not.toBe(basePath(options));

    const handle = await openDatabase({
      databaseUrl: null,
      dataDir: 'memory://',
      pgliteSnapshot: otherOptions,
    });
    try {
      expect(await tables(handle)).toEqual(expect.arrayContaining(['made_from_base', 'instances']));
      expect(await runMigrations(handle.db, folder)).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it('hashes the migration files, the journal order and the PGlite version', async () => {
    const { migrationsHash } = await freshModule();
    const edited = migrationsCopy();
    expect(migrationsHash(edited)).toBe(migrationsHash(folder));
    const last = readJournal(appFolder(edited)).at(-1)!.tag;
    fs.appendFileSync(path.join(appFolder(edited), `${last}.sql`), '\n-- edited');
    expect(migrationsHash(edited)).not.toBe(migrationsHash(folder));
  });

  it(
    'ignores a corrupt snapshot and a base that does not load, makes both again, and opens a working database',
    { timeout: 60_000 },
    async () => {
      const { snapshotPath, basePath, getPgliteSnapshot } = await freshModule();
      await getPgliteSnapshot(options); // made here if no test before made it
      const file = snapshotPath(options);
      const good = fs.readFileSync(file);
      // Truncated, so it does not gunzip.
      fs.writeFileSync(file, good.subarray(0, good.length >> 1));
      // A tar PGlite cannot start from: the base's first entry (a folder) and nothing else, cut
      // from PGlite's own dump and, like it, without the two zero blocks that end a standard tar:
      // PGlite's reader takes those for a malformed header, retries the bytes as gzip and leaves
      // that failure unhandled.
      const base = basePath(options);
      const firstEntry = gunzipSync(fs.readFileSync(base)).subarray(0, 512);
      fs.writeFileSync(base, gzipSync(firstEntry));
      await freshModule();
      const handle = await openDatabase({
        databaseUrl: null,
        dataDir: 'memory://',
        pgliteSnapshot: options,
      });
      try {
        expect(await tables(handle)).toContain('instances');
      } finally {
        await handle.close();
      }
      expect(isGzippedTar(file)).toBe(true);
      expect(isGzippedTar(base)).toBe(true);
      expect(fs.statSync(base).size).toBeGreaterThan(100_000);
    },
  );

  it(
    'falls back to initdb for a new data folder when the snapshot holds a foreign entry',
    { timeout: 60_000 },
    async () => {
      const { snapshotPath } = await freshModule();
      const file = snapshotPath(options);
      // A symbolic link is nothing PGlite writes: extraction refuses it.
      fs.mkdirSync(path.dirname(file), { recursive: true }); // if no test before made one
      fs.writeFileSync(file, gzipSync(Buffer.concat([tarEntry('pg_link', '2'), TAR_END])));
      const dataDir = tempDir('data');
      const handle = await openDatabase({ databaseUrl: null, dataDir, pgliteSnapshot: options });
      try {
        // initdb made it: nothing migrated yet, and the migrations still apply.
        expect(await tables(handle)).not.toContain('instances');
        expect((await runMigrations(handle.db, folder)).length).toBeGreaterThan(0);
      } finally {
        await handle.close();
      }
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.readdirSync(dataDir).sort()).toEqual(['mode.json', 'pgdata']);
    },
  );
});

describe('extractTar', () => {
  const entry = tarEntry;
  const end = TAR_END;

  it('writes files and folders', () => {
    const dir = tempDir('tar');
    extractTar(Buffer.concat([entry('/base', '5'), entry('/base/1', '0', 'hello'), end]), dir);
    expect(fs.readFileSync(path.join(dir, 'base', '1'), 'utf8')).toBe('hello');
  });

  it('refuses a path that climbs out of the target folder', () => {
    const dir = tempDir('tar');
    expect(() => extractTar(Buffer.concat([entry('../escape', '0', 'x'), end]), dir)).toThrow(
      /outside/,
    );
    expect(fs.existsSync(path.join(dir, '..', 'escape'))).toBe(false);
  });

  it('refuses an archive cut short', () => {
    expect(() => extractTar(entry('/file', '0', 'abc').subarray(0, 512), tempDir('tar'))).toThrow(
      /truncated|end marker/,
    );
  });
});
