/**
 * Starts PGlite for src/db/open-database.ts, which loads this module only when DATABASE_URL is
 * unset. A new database — in memory, or a data directory without its `pgdata` folder — starts as
 * a copy of the migrated snapshot (src/db/pglite-snapshot.ts) instead of running initdb; a
 * snapshot that fails is discarded and initdb runs as before.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { extractTar } from './extract-tar';
import { newPglite, ready, tarSource } from './new-pglite';
import { discardPgliteSnapshot, getPgliteSnapshot, type SnapshotOptions } from './pglite-snapshot';

export { drizzle as drizzlePglite } from 'drizzle-orm/pglite';

/** Opens PGlite in `pgdata` (its data directory's lock held by the caller), or in memory (null). */
export function startPglite(
  pgdata: string | null,
  snapshot: SnapshotOptions | false,
): Promise<PGlite> {
  return pgdata === null ? startInMemory(snapshot) : startInFolder(pgdata, snapshot);
}

async function startInMemory(snapshot: SnapshotOptions | false): Promise<PGlite> {
  const loadDataDir = snapshot ? await getPgliteSnapshot(snapshot).catch(() => null) : null;
  if (loadDataDir) {
    try {
      return await ready(newPglite(null, { loadDataDir: tarSource(loadDataDir) }));
    } catch {
      discardPgliteSnapshot(snapshot || {}); // made again by the next open
    }
  }
  return ready(newPglite(null));
}

/**
 * Opens the database in `pgdata` (the data directory's lock is held). A missing one is created
 * from the snapshot in a sibling folder and renamed into place, so a crash mid-way never leaves
 * a half-written database that a later start would take for a real one.
 */
async function startInFolder(pgdata: string, snapshot: SnapshotOptions | false): Promise<PGlite> {
  const open = () => ready(newPglite(pgdata));
  if (!snapshot || fs.existsSync(pgdata)) return open();
  const temp = `${pgdata}.new-${randomBytes(4).toString('hex')}`;
  try {
    extractTar(await getPgliteSnapshot(snapshot), temp);
    fs.renameSync(temp, pgdata);
  } catch {
    fs.rmSync(temp, { recursive: true, force: true });
    discardPgliteSnapshot(snapshot);
    return open();
  }
  try {
    return await open();
  } catch {
    // Only what we just copied in is removed: no data of anyone's lives there yet.
    fs.rmSync(pgdata, { recursive: true, force: true });
    discardPgliteSnapshot(snapshot);
    return open();
  }
}
