/**
 * Settings reads served from memory, for PGlite only. A PGlite folder is open in exactly one
 * process at a time (the data-dir lock), and every write of settings in that process goes
 * through the store this wraps — or through a lifecycle event or purge, after which the database
 * calls `forget` (`onInstanceChanged`, wired by `settingsOf`) — so the process sees every change
 * and the cache cannot go stale. PostgreSQL is shared by any number of processes (and Vercel freezes
 * functions between requests), so there a read always asks the database
 * (docs/decisions/013-settings-read-cache-on-pglite.md). A read that raced a write or a
 * `forget` never fills the cache.
 */
import type { SettingsRecord, SettingsStore } from './settings-store';

/** At most this many instances are remembered; the least recently read go first. */
export const SETTINGS_CACHE_MAX_ENTRIES = 10_000;
/** And at most about this many bytes of documents (their JSON length). */
export const SETTINGS_CACHE_MAX_BYTES = 8 * 1024 * 1024;

export interface SettingsReadCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
}

export interface CachedSettingsStore extends SettingsStore {
  /** Drops one instance's entry, or every entry: its settings changed behind the store's back. */
  forget(instanceId?: string): void;
  settingsCacheStats(): SettingsReadCacheStats;
}

export function withSettingsReadCache(
  store: SettingsStore,
  limits: { maxEntries?: number; maxBytes?: number } = {},
): CachedSettingsStore {
  const maxEntries = limits.maxEntries ?? SETTINGS_CACHE_MAX_ENTRIES;
  const maxBytes = limits.maxBytes ?? SETTINGS_CACHE_MAX_BYTES;
  const entries = new Map<string, { record: SettingsRecord | null; bytes: number }>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  // Moves at the start and the end of every write and at every `forget`: a read fills the cache
  // only if it did not move while the read was in flight, so a value read before a change can
  // never land after it.
  let generation = 0;

  const drop = (instanceId: string) => {
    const entry = entries.get(instanceId);
    if (!entry) return;
    entries.delete(instanceId);
    bytes -= entry.bytes;
  };
  const dropAll = () => {
    entries.clear();
    bytes = 0;
  };
  const remember = (instanceId: string, record: SettingsRecord | null) => {
    const size = record ? JSON.stringify(record.document).length : 0;
    if (size > maxBytes) return;
    drop(instanceId);
    entries.set(instanceId, { record: record && deepFreeze(record), bytes: size });
    bytes += size;
    // Map order is insertion order, and a hit re-inserts: the first key is the least recent.
    while (entries.size > maxEntries || bytes > maxBytes) {
      drop(entries.keys().next().value as string);
    }
  };
  const writing = async <T>(instanceId: string, run: () => Promise<T>): Promise<T> => {
    generation++;
    drop(instanceId);
    try {
      return await run();
    } finally {
      generation++;
      drop(instanceId);
    }
  };

  return {
    async getSettings(instanceId) {
      const entry = entries.get(instanceId);
      if (entry) {
        hits++;
        entries.delete(instanceId);
        entries.set(instanceId, entry);
        return entry.record;
      }
      misses++;
      const startedAt = generation;
      const record = await store.getSettings(instanceId);
      if (generation === startedAt) remember(instanceId, record);
      return record;
    },
    saveSettings: (instanceId, input) =>
      writing(instanceId, () => store.saveSettings(instanceId, input)),
    forget(instanceId) {
      generation++;
      if (instanceId === undefined) dropAll();
      else drop(instanceId);
    },
    settingsCacheStats: () => ({ entries: entries.size, bytes, hits, misses }),
  };
}

/** Cached records are shared between requests: nobody may change one in place. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
