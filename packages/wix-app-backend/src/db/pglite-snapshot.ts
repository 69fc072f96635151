/**
 * A snapshot of a freshly migrated PGlite database, so that a new data directory (or a
 * `memory://` test database) starts from a copy instead of running initdb and every migration:
 * ≈ 4–5 s become ≈ 1 s (docs/decisions/022-pglite-snapshot.md).
 *
 * The snapshot is a gzipped tar from PGlite's `dumpDataDir()`, cached on disk under a name that
 * hashes the migration files, the PGlite version and initdb's options, so a new migration or a
 * PGlite upgrade makes a new one. It is made from a second snapshot, the *base*: initdb's
 * database before any migration, named by the PGlite version and initdb's options alone, so a new
 * migration costs an open and the migrations, not another initdb (≈ 7 s of CPU). Both are written
 * to a temporary file and renamed into place: two processes that make one at once each write a
 * complete file, and the last rename wins. A snapshot or base that fails to read or to load is
 * deleted and made again. Never used for PostgreSQL.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrationSets, readJournal, runMigrations, type MigrationSet } from './migrate';
import { PGLITE_INITDB_PARAMS, newPglite, ready, tarSource } from './new-pglite';
import type { Db } from './open-database';

export interface SnapshotOptions {
  /** Where snapshots are kept; default `node_modules/.cache/wix-app-backend`. */
  cacheDir?: string;
  /** Default: the machinery's migrations alone; an app's database passes `migrationSets(folder)`. */
  migrations?: readonly MigrationSet[];
}

/** The default cache folder: npm's convention, absent from git, gone with node_modules. */
export function defaultSnapshotDir(): string {
  return path.join(process.cwd(), 'node_modules', '.cache', 'wix-app-backend');
}

/** The snapshot's file for the current migrations and PGlite version. */
export function snapshotPath(options: SnapshotOptions = {}): string {
  const dir = options.cacheDir ?? defaultSnapshotDir();
  return path.join(dir, `pglite-${migrationsHash(options.migrations)}.tar.gz`);
}

/** The base every snapshot starts from: initdb's database, before any migration. */
export function basePath(options: SnapshotOptions = {}): string {
  const dir = options.cacheDir ?? defaultSnapshotDir();
  const hash = createHash('sha256').update(pgliteFormat()).digest('hex');
  return path.join(dir, `pglite-base-${hash.slice(0, 16)}.tar.gz`);
}

/**
 * Hash of every set's name, journal and migrations, the PGlite version, initdb's options and
 * what makeSnapshot does besides migrating.
 */
export function migrationsHash(sets: readonly MigrationSet[] = migrationSets()): string {
  const hash = createHash('sha256').update(pgliteFormat()).update(SNAPSHOT_STEPS);
  for (const { name, folder } of sets) {
    hash
      .update(`\n[${name}]\n`)
      .update(fs.readFileSync(path.join(folder, 'meta', '_journal.json')));
    for (const { tag } of readJournal(folder)) {
      hash.update(`\n${tag}\n`).update(fs.readFileSync(path.join(folder, `${tag}.sql`)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** What a database made by initdb here depends on: the PGlite version and initdb's options. */
function pgliteFormat(): string {
  return `pglite ${pgliteVersion()} ${PGLITE_INITDB_PARAMS.join(' ')}\n`;
}

let version: string | null = null;
function pgliteVersion(): string {
  if (version) return version;
  try {
    const require = createRequire(path.join(process.cwd(), 'package.json'));
    let dir = path.dirname(require.resolve('@electric-sql/pglite'));
    while (!fs.existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) {
      dir = path.dirname(dir);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      version?: string;
    };
    version = pkg.version ?? 'unknown';
  } catch {
    // Unresolvable (an unusual bundle): a snapshot that does not load is still rebuilt.
    version = 'unknown';
  }
  return version;
}

/** Snapshots read (or made) by this process, by file: a test worker reads each file once. */
const memo = new Map<string, Promise<Uint8Array>>();

/**
 * The snapshot as an uncompressed tar: read from the cache, or made now (and cached, if the folder
 * is writable) when missing or unreadable. The bytes are shared by every open in this process:
 * read them, never write to them.
 */
export async function getPgliteSnapshot(options: SnapshotOptions = {}): Promise<Uint8Array> {
  const file = snapshotPath(options);
  let pending = memo.get(file);
  if (!pending) {
    pending = readSnapshot(file).then((tar) => tar ?? makeSnapshot(file, options));
    memo.set(file, pending);
    // A failed attempt must not stick: the next open tries again.
    pending.catch(() => memo.delete(file));
  }
  return pending;
}

/** Deletes a snapshot that failed to load, so the next open makes a new one. */
export function discardPgliteSnapshot(options: SnapshotOptions = {}): void {
  const file = snapshotPath(options);
  memo.delete(file);
  fs.rmSync(file, { force: true });
}

async function readSnapshot(file: string): Promise<Uint8Array | null> {
  let gz: Buffer;
  try {
    gz = await fs.promises.readFile(file);
  } catch {
    return null;
  }
  try {
    // Decompressed here: node:zlib is several times faster than PGlite's DecompressionStream.
    const tar = gunzipWhole(gz);
    if (isTar(tar)) return tar;
  } catch {
    // truncated or not gzip: made again below
  }
  fs.rmSync(file, { force: true });
  return null;
}

/** No snapshot of ours is near this size; a trailer claiming more is a corrupt file. */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/**
 * Gunzips into one buffer of the final size, which gzip records in its last four bytes. By default
 * node:zlib writes 16 KiB chunks and then copies them all into one buffer: twice the tar's size in
 * fresh memory, and on these virtual machines each new megabyte costs ≈ 5 ms to touch. Halves the
 * time a new in-memory database or data directory spends decompressing (docs/benchmarks.md).
 * zlib still checks the length and the CRC, and refuses to write past the claimed size.
 */
function gunzipWhole(gz: Buffer): Buffer {
  const size = gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0;
  if (size < 1024 || size > MAX_SNAPSHOT_BYTES) return gunzipSync(gz);
  return gunzipSync(gz, { chunkSize: size, maxOutputLength: size });
}

/** A POSIX tar's first header carries "ustar" at offset 257. */
function isTar(bytes: Uint8Array): boolean {
  return bytes.length > 512 && Buffer.from(bytes.subarray(257, 262)).toString() === 'ustar';
}

async function makeSnapshot(file: string, options: SnapshotOptions): Promise<Uint8Array> {
  const client = await startFromBase(basePath(options));
  let tar: Uint8Array;
  try {
    await runMigrations(drizzle({ client }) as unknown as Db, options.migrations);
    await dropTemplateDatabases(client);
    await dropSpareWal(client);
    tar = await dump(client);
  } finally {
    await client.close();
  }
  writeAtomically(file, tar);
  return tar;
}

/** Named in the snapshot's hash: a change to what makeSnapshot does makes a new snapshot. */
const SNAPSHOT_STEPS = 'migrate; drop template0 and template1; keep one WAL segment\n';

/**
 * initdb makes three databases and the app uses one, `postgres` (PGlite's default). template0
 * and template1 are read only by CREATE DATABASE, and were half of the snapshot (≈ 7 MB and
 * ≈ 300 files each) that every new in-memory database unpacked and PGlite copied twice more:
 * without them a `memory://` open takes ≈ 0.3 s and 0.4 s of CPU less (docs/benchmarks.md).
 * The cost: CREATE DATABASE needs a TEMPLATE clause on a database made from the snapshot.
 */
async function dropTemplateDatabases(client: PGlite): Promise<void> {
  for (const name of ['template0', 'template1']) {
    // A template cannot be dropped; clearing the flag first is how PostgreSQL lets one go. Two
    // statements, two calls: DROP DATABASE refuses the transaction one call would wrap them in.
    await client.exec(`alter database ${name} is_template false`);
    await client.exec(`drop database ${name}`);
  }
}

/**
 * PostgreSQL keeps spare WAL segments ahead of the current one (old ones it recycled under new
 * names): five of the 15 MB left after the templates, unpacked by every new database for nothing.
 * With recycling off for this session, switching segments until the current one is past the last
 * spare and then checkpointing deletes every segment before it, spares included: the snapshot
 * keeps one, the current. Done through PostgreSQL, not by deleting its files; a database opened
 * from the snapshot recycles as usual. ≈ 60 ms less per `memory://` open (docs/benchmarks.md).
 */
async function dropSpareWal(client: PGlite): Promise<void> {
  const name = async (query: string) =>
    (await client.query<{ name: string | null }>(query)).rows[0]?.name ?? '';
  await client.exec('set wal_recycle = off');
  const lastSpare = await name(
    `select max(name) as name from pg_ls_waldir() where name ~ '^[0-9A-F]{24}$'`,
  );
  // A switch ends the current segment only if it holds a record: the checkpoint writes one.
  // Bounded, in case a PostgreSQL ever stops switching: the snapshot is then only larger.
  for (let i = 0; i < 64; i++) {
    const current = await name(`select pg_walfile_name(pg_current_wal_lsn()) as name`);
    if (current > lastSpare) break;
    await client.exec('checkpoint');
    await client.query('select pg_switch_wal()');
  }
  await client.exec('checkpoint');
}

/**
 * A new in-memory PGlite as initdb leaves it: loaded from the base, or made by initdb (and the
 * base written from it) when there is none or it does not load. Not kept in memory: a process
 * needs it once per migration set.
 */
async function startFromBase(file: string): Promise<PGlite> {
  const base = await readSnapshot(file);
  if (base) {
    try {
      return await ready(newPglite(null, { loadDataDir: tarSource(base) }));
    } catch {
      fs.rmSync(file, { force: true });
    }
  }
  const client = await ready(newPglite(null));
  try {
    writeAtomically(file, await dump(client));
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

async function dump(client: PGlite): Promise<Uint8Array> {
  return new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer());
}

function writeAtomically(file: string, tar: Uint8Array): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, gzipSync(tar, { level: 1 }));
    // Atomic on one file system: a reader sees the old file, no file, or the whole new one.
    fs.renameSync(temp, file);
  } catch {
    // A read-only install still works: the caller has the bytes, and the next process tries again.
    fs.rmSync(temp, { force: true });
  }
}
