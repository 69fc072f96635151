/**
 * Objects that must exist once per process, not once per bundle. Next compiles the middleware,
 * instrumentation and each route into separate bundles with separate module instances, so a
 * module-level singleton would exist several times: two PGlite handles on one folder, one Wix
 * budget per bundle, a Token Info cache the handler never sees the middleware fill. The
 * production context keeps these here, on `globalThis`; a test context gets a private registry.
 */

export interface SharedRegistry {
  /** The value under `key`, created by `create` on first use. A rejected promise is not kept. */
  once<T>(key: string, create: () => T): T;
  /** Forgets `key` (closing the database in scripts and tests). */
  delete(key: string): void;
}

/** A registry private to its creator. */
export function createSharedRegistry(map = new Map<string, unknown>()): SharedRegistry {
  return {
    once<T>(key: string, create: () => T): T {
      if (map.has(key)) return map.get(key) as T;
      const value = create();
      map.set(key, value);
      if (value instanceof Promise) {
        // A failed open must not be kept: the next request tries again (e.g. after an outage).
        value.catch(() => {
          if (map.get(key) === value) map.delete(key);
        });
      }
      return value;
    },
    delete(key) {
      map.delete(key);
    },
  };
}

const holder = globalThis as { __wixAppShared?: Map<string, unknown> };

/** The process-wide registry every bundle of this process shares. */
export function processRegistry(): SharedRegistry {
  holder.__wixAppShared ??= new Map();
  return createSharedRegistry(holder.__wixAppShared);
}
