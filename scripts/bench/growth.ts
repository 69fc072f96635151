/**
 * Growth: the data a long-lived server accumulates. Seeds a PGlite folder with N instances and
 * their settings (bulk inserts through the app's schema, before the server opens the folder), and
 * measures the heap of a Token Info–sized TTL cache after 100,000 distinct tokens.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createTtlCache } from 'wix-app-backend/cache/ttl-cache';
import { migrationSets, runMigrations } from 'wix-app-backend/db/migrate';
import { openDatabase, type Db } from 'wix-app-backend/db/open-database';
import { instances } from 'wix-app-backend/db/schema';
import { settings } from '../../lib/db/schema';
import { wixApp } from '../../lib/wix-app';
import { DEFAULT_SETTINGS } from '../../lib/settings/settings-schema';
import {
  TOKEN_INFO_CACHE_MAX_ENTRIES,
  type VerifyAccessTokenResult,
} from 'wix-app-backend/auth/verify-access-token';

export const benchInstanceId = (i: number) => `bench-instance-${String(i).padStart(6, '0')}`;

const BATCH = 1_000;

/**
 * Creates `count` instances with saved settings (version 1); existing rows are kept. `also` seeds
 * more in the same open (a PGlite open costs a second or two).
 */
export async function seedDatabase(
  where: { dataDir: string } | { databaseUrl: string },
  count: number,
  also?: (db: Db) => Promise<void>,
): Promise<void> {
  if ('dataDir' in where) fs.mkdirSync(where.dataDir, { recursive: true });
  const handle = await openDatabase(
    'dataDir' in where
      ? // The bench's servers are production builds: the folder is theirs.
        { databaseUrl: null, dataDir: where.dataDir, dataDirMode: 'production' }
      : { databaseUrl: where.databaseUrl, dataDir: '' },
  );
  try {
    await runMigrations(handle.db, migrationSets(wixApp.definition.migrations));
    const at = new Date();
    for (let start = 0; start < count; start += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) =>
        benchInstanceId(start + k),
      );
      await handle.db
        .insert(instances)
        .values(ids.map((instanceId) => ({ instanceId, firstSeenAt: at, lastSeenAt: at })))
        .onConflictDoNothing();
      await handle.db
        .insert(settings)
        .values(
          ids.map((instanceId) => ({
            instanceId,
            document: { ...DEFAULT_SETTINGS, greeting: `Hello ${instanceId}` },
            version: 1,
            updatedAt: at,
            updatedBy: null,
          })),
        )
        .onConflictDoNothing();
    }
    await also?.(handle.db);
  } finally {
    await handle.close();
  }
}

export interface CacheMemoryResult {
  inserts: number;
  maxEntries: number;
  sizeAfter: number;
  heapBeforeMb: number;
  heapAfterMb: number;
}

// A full GC before each reading, without needing `node --expose-gc`.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

/**
 * The Token Info cache as createAccessTokenVerifier builds it (bounded at
 * TOKEN_INFO_CACHE_MAX_ENTRIES, keyed by a SHA-256 hex), filled with 100,000 distinct entries.
 */
export function tokenCacheMemory(inserts = 100_000): CacheMemoryResult {
  const before = heapMb();
  const cache = createTtlCache<VerifyAccessTokenResult>({
    maxEntries: TOKEN_INFO_CACHE_MAX_ENTRIES,
  });
  for (let i = 0; i < inserts; i++) {
    const key = i.toString(16).padStart(64, '0');
    cache.set(
      key,
      {
        ok: true,
        value: {
          instanceId: `3f1c6d2e-0000-4000-8000-${String(i).padStart(12, '0')}`,
          subjectType: 'VISITOR',
          subjectId: `9a8b7c6d-0000-4000-8000-${String(i).padStart(12, '0')}`,
          siteId: `5e4d3c2b-0000-4000-8000-${String(i).padStart(12, '0')}`,
          expiresAt: new Date(Date.now() + 14_400_000),
        },
      },
      300_000,
    );
  }
  const after = heapMb();
  const result = {
    inserts,
    maxEntries: TOKEN_INFO_CACHE_MAX_ENTRIES,
    sizeAfter: cache.size,
    heapBeforeMb: before,
    heapAfterMb: after,
  };
  return result;
}
