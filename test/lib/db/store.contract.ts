/**
 * The contract every `Store` backend must pass (STYLE.md §12). Each backend's test file calls
 * `storeContract` with a function that opens a migrated, empty-or-shared database. Every test
 * uses fresh random instance ids, so runs against one shared PostgreSQL never collide.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAppToken } from '@/lib/db/app-token-store';
import { runMigrations } from '@/lib/db/migrate';
import { openDatabase, type DatabaseOptions } from '@/lib/db/open-database';
import { createStore, type SaveSettingsResult, type Store } from '@/lib/db/store';

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

const T0 = new Date('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

/** Runs `tasks` jobs on `workers` concurrent workers; resolves with every job's result. */
export async function runConcurrently<T>(
  tasks: number,
  workers: number,
  job: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < tasks) {
        const index = next++;
        results[index] = await job(index);
      }
    }),
  );
  return results;
}

/** Opens a migrated store on `options` (for registering a contract in one line). */
export async function openMigratedStore(
  options: DatabaseOptions,
  storeOptions: Parameters<typeof createStore>[2] = {},
): Promise<OpenedStore> {
  const handle = await openDatabase(options);
  await runMigrations(handle.db);
  return {
    store: createStore(handle.db, handle.engine, storeOptions),
    close: () => handle.close(),
  };
}

/**
 * Inside a `describe`: opens the store before its tests and closes it after. The getter throws
 * when the open failed, so each test reports that instead of a null dereference.
 */
export function useOpenedStore(open: () => Promise<OpenedStore>): () => Store {
  let opened: OpenedStore | null = null;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    await opened?.close();
  });
  return () => {
    if (!opened) throw new Error('the store did not open (see the beforeAll error)');
    return opened.store;
  };
}

export function storeContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract: ${name}`, () => {
    const store = useOpenedStore(open);

    const save = (
      instanceId: string,
      document: unknown,
      expectedVersion: number,
      options: { updatedBy?: string | null; at?: Date } = {},
    ): Promise<SaveSettingsResult> =>
      store().saveSettings(instanceId, {
        document,
        expectedVersion,
        updatedBy: options.updatedBy === undefined ? 'user-1' : options.updatedBy,
        at: options.at ?? T0,
      });

    describe('recordSeen', () => {
      it('creates the instance the first time, with firstSeenAt = lastSeenAt = at', async () => {
        const id = randomUUID();
        const record = await store().recordSeen(id, T0, MINUTE);
        const expected = {
          instanceId: id,
          firstSeenAt: T0,
          lastSeenAt: T0,
          status: null,
          statusAt: null,
          removedAt: null,
          plan: null,
          planCycle: null,
          planExpiresAt: null,
          planAutoRenews: null,
          planAt: null,
        };
        expect(record).toEqual(expected);
        expect(await store().getInstance(id)).toEqual(expected);
      });

      it('does not move lastSeenAt for a sighting inside the interval', async () => {
        const id = randomUUID();
        await store().recordSeen(id, T0, MINUTE);
        const record = await store().recordSeen(id, at(MINUTE - 1), MINUTE);
        expect(record).toMatchObject({ firstSeenAt: T0, lastSeenAt: T0 });
        expect(await store().getInstance(id)).toMatchObject({ firstSeenAt: T0, lastSeenAt: T0 });
      });

      it('does not move lastSeenAt for a sighting exactly one interval later', async () => {
        const id = randomUUID();
        await store().recordSeen(id, T0, MINUTE);
        expect(await store().recordSeen(id, at(MINUTE), MINUTE)).toMatchObject({ lastSeenAt: T0 });
      });

      it('moves lastSeenAt, and never firstSeenAt, for a sighting after the interval', async () => {
        const id = randomUUID();
        await store().recordSeen(id, T0, MINUTE);
        const later = at(MINUTE + 1);
        expect(await store().recordSeen(id, later, MINUTE)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: later,
        });
        const muchLater = at(10 * MINUTE);
        expect(await store().recordSeen(id, muchLater, MINUTE)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: muchLater,
        });
        expect(await store().getInstance(id)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: muchLater,
        });
      });

      it('never moves lastSeenAt backwards for a sighting stamped earlier', async () => {
        const id = randomUUID();
        await store().recordSeen(id, at(10 * MINUTE), MINUTE);
        const record = await store().recordSeen(id, T0, MINUTE);
        expect(record).toMatchObject({ firstSeenAt: at(10 * MINUTE), lastSeenAt: at(10 * MINUTE) });
      });

      it('creates the row exactly once when many first sightings race', async () => {
        const id = randomUUID();
        const records = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store().recordSeen(id, at(i), MINUTE)),
        );
        const first = await store().getInstance(id);
        expect(first).not.toBeNull();
        for (const record of records) expect(record.firstSeenAt).toEqual(first?.firstSeenAt);
      });
    });

    describe('getInstance', () => {
      it('returns null for an instance never seen', async () => {
        expect(await store().getInstance(randomUUID())).toBeNull();
      });
    });

    describe('settings', () => {
      it('returns null for an instance that never saved settings', async () => {
        const id = randomUUID();
        expect(await store().getSettings(id)).toBeNull();
        await store().recordSeen(id, T0, MINUTE);
        expect(await store().getSettings(id)).toBeNull();
      });

      it('saves the first version with expectedVersion 0 and returns version 1', async () => {
        const id = randomUUID();
        const result = await save(id, { greeting: 'hi' }, 0, { at: at(5) });
        expect(result).toEqual({ ok: true, version: 1, updatedAt: at(5) });
      });

      it('stores the document as JSON that round-trips, with updatedAt and updatedBy', async () => {
        const id = randomUUID();
        const document = {
          greeting: 'Grüß dich 👋 "quoted" \\ back\nslash',
          theme: 'dark',
          notificationEmail: null,
          nested: { list: [1, 2.5, -3, true, false, null, 'x'], empty: {}, none: [] },
        };
        await save(id, document, 0, { updatedBy: 'owner-7', at: at(42) });
        expect(await store().getSettings(id)).toEqual({
          document,
          version: 1,
          updatedAt: at(42),
          updatedBy: 'owner-7',
        });
      });

      it('stores a null updatedBy for a save without a user', async () => {
        const id = randomUUID();
        await save(id, { a: 1 }, 0, { updatedBy: null });
        expect(await store().getSettings(id)).toMatchObject({ updatedBy: null });
      });

      it('refuses a second first-save with version_conflict and keeps the first document', async () => {
        const id = randomUUID();
        await save(id, { n: 'first' }, 0);
        expect(await save(id, { n: 'second' }, 0)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 1,
        });
        expect(await store().getSettings(id)).toMatchObject({
          document: { n: 'first' },
          version: 1,
        });
      });

      it('saves with the current version and increments it by one each time', async () => {
        const id = randomUUID();
        await save(id, { n: 1 }, 0);
        expect(await save(id, { n: 2 }, 1, { at: at(1), updatedBy: 'user-2' })).toEqual({
          ok: true,
          version: 2,
          updatedAt: at(1),
        });
        expect(await save(id, { n: 3 }, 2, { at: at(2) })).toMatchObject({ ok: true, version: 3 });
        expect(await store().getSettings(id)).toEqual({
          document: { n: 3 },
          version: 3,
          updatedAt: at(2),
          updatedBy: 'user-1',
        });
      });

      it('refuses a stale version with the current one and leaves the document alone', async () => {
        const id = randomUUID();
        await save(id, { n: 1 }, 0);
        await save(id, { n: 2 }, 1);
        expect(await save(id, { n: 'stale' }, 1)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 2,
        });
        expect(await store().getSettings(id)).toMatchObject({ document: { n: 2 }, version: 2 });
      });

      it('refuses a version from the future', async () => {
        const id = randomUUID();
        await save(id, { n: 1 }, 0);
        expect(await save(id, { n: 'future' }, 7)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 1,
        });
      });

      it('refuses a non-zero version for an instance that never saved, reporting version 0', async () => {
        const id = randomUUID();
        expect(await save(id, { n: 1 }, 3)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 0,
        });
        expect(await store().getSettings(id)).toBeNull();
      });

      it('saves settings for an instance already recorded as seen without touching its record', async () => {
        const id = randomUUID();
        await store().recordSeen(id, T0, MINUTE);
        await save(id, { n: 1 }, 0, { at: at(30 * MINUTE) });
        expect(await store().getInstance(id)).toMatchObject({ firstSeenAt: T0, lastSeenAt: T0 });
      });
    });

    describe('isolation between instances', () => {
      it('never lets saves for one instance change or create another instance’s settings', async () => {
        const a = randomUUID();
        const b = randomUUID();
        await save(a, { owner: 'a', n: 1 }, 0);
        await save(a, { owner: 'a', n: 2 }, 1);
        expect(await store().getSettings(b)).toBeNull();
        expect(await store().getInstance(b)).toBeNull();

        // B's own version sequence starts at 0, whatever A's is.
        expect(await save(b, { owner: 'b' }, 2)).toMatchObject({ ok: false, currentVersion: 0 });
        expect(await save(b, { owner: 'b' }, 0)).toMatchObject({ ok: true, version: 1 });

        expect(await store().getSettings(a)).toMatchObject({
          document: { owner: 'a', n: 2 },
          version: 2,
        });
        expect(await store().getSettings(b)).toMatchObject({
          document: { owner: 'b' },
          version: 1,
        });
      });

      it('keeps lastSeenAt per instance', async () => {
        const a = randomUUID();
        const b = randomUUID();
        await store().recordSeen(a, T0, MINUTE);
        await store().recordSeen(b, T0, MINUTE);
        await store().recordSeen(a, at(5 * MINUTE), MINUTE);
        expect(await store().getInstance(b)).toMatchObject({ lastSeenAt: T0 });
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of 50 concurrent first saves win', async () => {
        const id = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => save(id, { writer: i }, 0)),
        );
        const winners = results.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => !r.ok)).toHaveLength(49);
        for (const r of results) if (!r.ok) expect(r.currentVersion).toBe(1);
        const winner = results.findIndex((r) => r.ok);
        expect(await store().getSettings(id)).toMatchObject({
          document: { writer: winner },
          version: 1,
        });
      });

      it('lets exactly one of 50 concurrent saves with the same expected version win', async () => {
        const id = randomUUID();
        await save(id, { writer: 'setup' }, 0);
        await save(id, { writer: 'setup' }, 1);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => save(id, { writer: i }, 2)),
        );
        expect(results.filter((r) => r.ok)).toEqual([expect.objectContaining({ version: 3 })]);
        expect(results.filter((r) => !r.ok)).toHaveLength(49);
        for (const r of results) if (!r.ok) expect(r.currentVersion).toBe(3);
        const winner = results.findIndex((r) => r.ok);
        expect(await store().getSettings(id)).toMatchObject({
          document: { writer: winner },
          version: 3,
        });
      });

      it(
        'loses no update when 20 workers make 200 read-modify-write increments with retries',
        { timeout: 120_000 },
        async () => {
          const id = randomUUID();
          let conflicts = 0;
          const increment = async () => {
            for (let attempt = 0; attempt < 2_000; attempt++) {
              const current = await store().getSettings(id);
              const count = (current?.document as { count?: number } | undefined)?.count ?? 0;
              const result = await save(id, { count: count + 1 }, current?.version ?? 0);
              if (result.ok) return;
              conflicts++;
            }
            throw new Error('an increment kept conflicting');
          };
          await runConcurrently(200, 20, increment);
          expect(await store().getSettings(id)).toMatchObject({
            document: { count: 200 },
            version: 200,
          });
          // Without conflicts the workers never overlapped, and the test proved nothing.
          expect(conflicts).toBeGreaterThan(0);
        },
      );
    });

    describe('app tokens', () => {
      const token = (sealedToken: string, offsetMs = 4 * 60 * MINUTE): StoredAppToken => ({
        sealedToken,
        expiresAt: at(offsetMs),
      });

      it('reads null for an instance without a token', async () => {
        expect(await store().readAppToken(randomUUID())).toBeNull();
      });

      it('writes the token decide returns, and hands it to the next decide as current', async () => {
        const id = randomUUID();
        const seen: Array<StoredAppToken | null> = [];
        const first = await store().withAppTokenLock(id, async (current) => {
          seen.push(current);
          return token('sealed-1');
        });
        expect(first).toEqual(token('sealed-1'));
        expect(await store().readAppToken(id)).toEqual(token('sealed-1'));

        const second = await store().withAppTokenLock(id, async (current) => {
          seen.push(current);
          return token('sealed-2', 8 * 60 * MINUTE);
        });
        expect(second).toEqual(token('sealed-2', 8 * 60 * MINUTE));
        expect(seen).toEqual([null, token('sealed-1')]);
        expect(await store().readAppToken(id)).toEqual(token('sealed-2', 8 * 60 * MINUTE));
      });

      it('does not write again when decide returns the current token', async () => {
        const id = randomUUID();
        await store().withAppTokenLock(id, async () => token('sealed-1'));
        // If returning `current` rewrote the row, the delete made inside decide would be undone.
        const kept = await store().withAppTokenLock(id, async (current) => {
          await store().deleteAppToken(id, current!.sealedToken);
          return current!;
        });
        expect(kept).toEqual(token('sealed-1'));
        expect(await store().readAppToken(id)).toBeNull();
      });

      it('writes nothing and rethrows when decide throws', async () => {
        const id = randomUUID();
        await expect(
          store().withAppTokenLock(id, async () => {
            throw new Error('mint failed');
          }),
        ).rejects.toThrow('mint failed');
        expect(await store().readAppToken(id)).toBeNull();
        // The lock was released: the next call runs.
        await store().withAppTokenLock(id, async () => token('sealed-1'));
        expect(await store().readAppToken(id)).toEqual(token('sealed-1'));
      });

      it('deletes the token when given its current sealed value', async () => {
        const id = randomUUID();
        await store().withAppTokenLock(id, async () => token('sealed-1'));
        await store().deleteAppToken(id, 'sealed-1');
        expect(await store().readAppToken(id)).toBeNull();
      });

      it('keeps a newer token when asked to delete a stale sealed value', async () => {
        const id = randomUUID();
        await store().withAppTokenLock(id, async () => token('sealed-old'));
        await store().withAppTokenLock(id, async () => token('sealed-new'));
        await store().deleteAppToken(id, 'sealed-old');
        expect(await store().readAppToken(id)).toEqual(token('sealed-new'));
      });

      it('ignores deleting a token of an instance that has none', async () => {
        await expect(store().deleteAppToken(randomUUID(), 'sealed')).resolves.toBeUndefined();
      });

      it('keeps tokens per instance', async () => {
        const a = randomUUID();
        const b = randomUUID();
        await store().withAppTokenLock(a, async () => token('sealed-a'));
        await store().withAppTokenLock(b, async () => token('sealed-b'));
        await store().deleteAppToken(a, 'sealed-a');
        await store().deleteAppToken(a, 'sealed-b');
        expect(await store().readAppToken(a)).toBeNull();
        expect(await store().readAppToken(b)).toEqual(token('sealed-b'));
      });

      it('does not hold one instance’s lock against another instance', async () => {
        const a = randomUUID();
        const b = randomUUID();
        let releaseA!: () => void;
        const aMayFinish = new Promise<void>((resolve) => (releaseA = resolve));
        const lockedA = store().withAppTokenLock(a, async () => {
          await aMayFinish;
          return token('sealed-a');
        });
        // B's decide releases A: with one lock for every instance, this would never finish.
        const lockedB = store().withAppTokenLock(b, async () => {
          releaseA();
          return token('sealed-b');
        });
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('one instance’s lock blocked another')), 5_000),
        );
        await Promise.race([Promise.all([lockedA, lockedB]), timeout]);
      });

      // PGlite serves one process with one connection and takes no lock: the token provider's
      // in-process single-flight is what keeps it to one mint (lib/db/app-token-store.ts).
      it('runs concurrent decisions for one instance one at a time (PostgreSQL)', async (ctx) => {
        if (store().engine !== 'postgres') ctx.skip();
        const id = randomUUID();
        let running = 0;
        let overlapped = false;
        let minted = 0;
        await Promise.all(
          Array.from({ length: 8 }, () =>
            store().withAppTokenLock(id, async (current) => {
              running++;
              if (running > 1) overlapped = true;
              await new Promise((resolve) => setTimeout(resolve, 20));
              running--;
              if (current) return current;
              minted++;
              return token(`sealed-${minted}`);
            }),
          ),
        );
        expect(overlapped).toBe(false);
        expect(minted).toBe(1);
        expect(await store().readAppToken(id)).toEqual(token('sealed-1'));
      });
    });

    describe('ping', () => {
      it('resolves while the database is reachable', async () => {
        await expect(store().ping()).resolves.toBeUndefined();
      });
    });
  });
}
