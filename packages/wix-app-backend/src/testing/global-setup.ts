/**
 * Runs once before the unit suite's workers start: makes the migrated PGlite snapshot if the
 * cache lacks it (src/db/pglite-snapshot.ts), so each in-memory test database is a copy (≈ 1 s)
 * rather than an initdb plus every migration (≈ 5 s), and the workers do not all make it at
 * once on a fresh clone.
 */
import { getPgliteSnapshot } from '../db/pglite-snapshot';

export default async function setup(): Promise<void> {
  await getPgliteSnapshot();
}
