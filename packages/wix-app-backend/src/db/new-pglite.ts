/**
 * Every PGlite this app starts — a data directory, an in-memory test database, the snapshot's
 * own — is made here, with one set of server settings.
 */
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * PostgreSQL's default 128 MB of shared buffers is allocated and zeroed inside PGlite's WASM
 * memory at every start: ≈ 0.4 s of CPU and ≈ 110 MB of memory per database, on the path of the
 * first request and of every in-memory test database. 16 MB holds this app's hot pages many
 * times over; the data directory's files stay in the OS page cache (docs/benchmarks.md).
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

/**
 * initdb's WAL segment size: 1 MB instead of PostgreSQL's 16 MB. A new database holds a few MB of
 * WAL records, but PostgreSQL keeps WAL in files of the full segment size, zero-filled, and keeps
 * spare ones: the snapshot every new database is copied from (src/db/pglite-snapshot.ts) was
 * 41 MB with one 16 MB segment, and 30 MB with six of 1 MB (it now keeps only the current one). A
 * `memory://` server reached its first answer ≈ 0.1 s sooner (docs/benchmarks.md). Recorded in a
 * database's control file: databases made before keep theirs.
 */
export const PGLITE_INITDB_PARAMS: readonly string[] = ['--wal-segsize=1'];

export function newPglite(dataDir: string | null, options: PGliteOptions = {}): PGlite {
  return new PGlite({
    ...(dataDir === null ? {} : { dataDir }),
    ...options,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    initDbStartParams: [...PGLITE_INITDB_PARAMS],
  });
}

/**
 * `loadDataDir` for bytes already in memory. PGlite only calls `arrayBuffer()` on it; a real
 * Blob of the snapshot would cost two more copies through Node's chunked Blob reader
 * (≈ 0.3 s per open). PGlite copies each file out of the tar and never writes to it, so one tar
 * serves every open in the process.
 */
export function tarSource(tar: Uint8Array): Blob {
  const buffer =
    tar.byteOffset === 0 && tar.byteLength === tar.buffer.byteLength
      ? tar.buffer
      : tar.slice().buffer;
  return {
    type: 'application/x-tar',
    size: tar.byteLength,
    arrayBuffer: () => Promise.resolve(buffer),
  } as unknown as Blob;
}

/** Waits for PGlite to start; a client that failed is closed, never kept. */
export async function ready(client: PGlite): Promise<PGlite> {
  try {
    await client.waitReady;
    return client;
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}
