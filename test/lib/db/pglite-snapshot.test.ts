import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractTar } from '@/lib/db/extract-tar';
import { migrationsFolder, readJournal, runMigrations } from '@/lib/db/migrate';
import { openDatabase, type DatabaseHandle } from '@/lib/db/open-database';
import type * as SnapshotModule from '@/lib/db/pglite-snapshot';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-snapshot-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let count = 0;
const tempDir = (label: string) => path.join(root, `${label}-${++count}`);

/** The module as a new process would load it: no snapshot remembered in memory. */
async function freshModule(): Promise<typeof SnapshotModule> {
  vi.resetModules();
  return import('@/lib/db/pglite-snapshot');
}

/** A copy of the real migrations, optionally with one more appended to the journal. */
function migrationsCopy(extra?: { tag: string; sql: string }): string {
  const folder = tempDir('migrations');
  fs.cpSync(migrationsFolder(), folder, { recursive: true });
  if (extra) {
    const journalPath = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
      entries: { idx: number; tag: string }[];
    };
    journal.entries.push({ idx: journal.entries.length, tag: extra.tag });
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    fs.writeFileSync(path.join(folder, `${extra.tag}.sql`), extra.sql);
  }
  return folder;
}

async function tables(handle: DatabaseHandle): Promise<string[]> {
  const result = (await handle.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public'`,
  )) as unknown as { rows: { table_name: string }[] };
  return result.rows.map((row) => row.table_name);
}

const isGzippedTar = (file: string) =>
  Buffer.from(gunzipSync(fs.readFileSync(file)).subarray(257, 262)).toString() === 'ustar';

// Each snapshot made here is an initdb plus every migration: seconds on a busy machine.
describe('the PGlite snapshot', { timeout: 60_000 }, () => {
  const cacheDir = tempDir('cache');
  const folder = migrationsCopy();
  const options = { cacheDir, migrationsFolder: folder };

  it('is made once — one whole file when two processes make it at once — then reused', async () => {
    const [a, b] = [await freshModule(), await freshModule()];
    const file = a.snapshotPath(options);
    fs.rmSync(file, { force: true }); // whichever test ran before: none to start with
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
    expect(
      files.filter((name) => name.includes(path.basename(file)) && name !== path.basename(file)),
    ).toEqual([]);
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
        expect.arrayContaining(['instances', 'settings', 'schema_migrations']),
      );
      expect(await runMigrations(handle.db, folder)).toEqual([]);
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
    expect(fs.readdirSync(dataDir).sort()).toEqual(['pgdata']);
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
    const newOptions = { cacheDir, migrationsFolder: changed };
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

  it('hashes the migration files, the journal order and the PGlite version', async () => {
    const { migrationsHash } = await freshModule();
    const edited = migrationsCopy();
    expect(migrationsHash(edited)).toBe(migrationsHash(folder));
    const last = readJournal(edited).at(-1)!.tag;
    fs.appendFileSync(path.join(edited, `${last}.sql`), '\n-- edited');
    expect(migrationsHash(edited)).not.toBe(migrationsHash(folder));
  });

  it(
    'ignores a corrupt snapshot, makes it again, and opens a working database',
    { timeout: 60_000 },
    async () => {
      const { snapshotPath, getPgliteSnapshot } = await freshModule();
      await getPgliteSnapshot(options); // made here if no test before made it
      const file = snapshotPath(options);
      const good = fs.readFileSync(file);
      // Truncated, so it does not gunzip; each variant costs a whole rebuild (an initdb).
      for (const corrupt of [good.subarray(0, good.length >> 1)]) {
        fs.writeFileSync(file, corrupt);
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
      }
    },
  );

  it(
    'falls back to initdb for a new data folder when the snapshot holds a foreign entry',
    { timeout: 60_000 },
    async () => {
      const { snapshotPath } = await freshModule();
      const file = snapshotPath(options);
      // A symbolic link is nothing PGlite writes: extraction refuses it.
      const header = Buffer.alloc(512);
      header.write('pg_link', 0);
      header.write('0000644\0', 100);
      header.write('00000000000\0', 124);
      header.write('2', 156);
      header.write('ustar', 257);
      fs.mkdirSync(path.dirname(file), { recursive: true }); // if no test before made one
      fs.writeFileSync(file, gzipSync(Buffer.concat([header, Buffer.alloc(1024)])));
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
      expect(fs.readdirSync(dataDir).sort()).toEqual(['pgdata']);
    },
  );
});

describe('extractTar', () => {
  const entry = (name: string, type: string, body = '') => {
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(type, 156);
    header.write('ustar', 257);
    const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
    data.write(body);
    return Buffer.concat([header, data]);
  };
  const end = Buffer.alloc(1024);

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
