/**
 * The contract the composed database (src/app/database.ts) must pass on every engine: the
 * instances and app-token stores over one connection, a per-instance resource of an app's kind
 * built on it (the fixture document store, test/fixtures/documents.ts), and `ping`. Each
 * engine's test file calls `databaseContract` with a function that opens a migrated,
 * empty-or-shared database. Every test uses fresh random instance ids, so runs against one shared
 * PostgreSQL never collide.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAppDatabase, type AppDatabase } from '../../src/app/database';
import type { DatabaseOptions, Db } from '../../src/db/open-database';
import {
  LAST_SEEN_WRITE_INTERVAL_MS,
  createInstancesStore,
} from '../../src/instances/instances-store';
import type { StoredAppToken } from '../../src/wix/app-token-store';
import {
  copyDocumentToDuplicate,
  openDocumentStore,
  type DocumentStore,
  type SaveDocumentResult,
} from '../fixtures/documents';
import { createFixtureTables } from '../fixtures/tables';

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

/**
 * The composed database as the contracts drive it: with the fixture document resource registered
 * as an app registers one of its own (its copy to a duplicated site), and its store at hand.
 */
export interface ContractDatabase extends AppDatabase {
  readonly documents: DocumentStore;
}

/**
 * Opens, migrates and composes the database `options` names, and creates the fixture tables (for
 * registering a contract). The document store reads through a per-process cache on PGlite unless
 * `cacheReads: false` (the contracts hold both layers to the same behaviour); on PostgreSQL, which
 * many processes share, it never caches.
 */
export async function openMigratedDatabase(
  options: DatabaseOptions,
  documents: { cacheReads?: boolean } = {},
): Promise<ContractDatabase> {
  const database = await openAppDatabase(options, {
    onSiteDuplicated: [copyDocumentToDuplicate],
  });
  try {
    await createFixtureTables(database.db);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  const cacheReads = (documents.cacheReads ?? true) && database.engine === 'pglite';
  return Object.assign(database, { documents: openDocumentStore(database, { cacheReads }) });
}

/**
 * Inside a `describe`: opens the database before its tests and closes it after. The getter
 * throws when the open failed, so each test reports that instead of a null dereference.
 */
export function useAppDatabase<D extends AppDatabase>(open: () => Promise<D>): () => D {
  let opened: D | null = null;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    await opened?.close();
  });
  return () => {
    if (!opened) throw new Error('the database did not open (see the beforeAll error)');
    return opened;
  };
}

/** postgres.js returns the rows array itself; PGlite returns `{ rows }`. */
export async function queryRows<T>(
  db: Pick<Db, 'execute'>,
  query: ReturnType<typeof sql>,
): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export function databaseContract(name: string, open: () => Promise<ContractDatabase>): void {
  describe(`Database contract: ${name}`, () => {
    const database = useAppDatabase(open);

    /** Records a sighting of `instanceId` at `when` (what `app.authenticate` does first). */
    const seen = (instanceId: string, when: Date = T0) =>
      database().instances.recordSeen(instanceId, when.getTime());
    /** A fresh instance with its row, as every verified instance has before it saves anything. */
    const newInstance = async (when: Date = T0) => {
      const id = randomUUID();
      await seen(id, when);
      return id;
    };
    const save = (
      instanceId: string,
      document: unknown,
      expectedVersion: number,
      options: { updatedBy?: string | null; at?: Date } = {},
    ): Promise<SaveDocumentResult> =>
      database().documents.saveDocument(instanceId, {
        document,
        expectedVersion,
        updatedBy: options.updatedBy === undefined ? 'user-1' : options.updatedBy,
        at: options.at ?? T0,
      });
    /** Counts the writes `recordSeen` sends to the database from here on. */
    const countInstanceWrites = () => vi.spyOn(database().db, 'insert');

    describe('instances: recordSeen', () => {
      it('creates the instance the first time, with firstSeenAt = lastSeenAt = the sighting', async () => {
        const id = randomUUID();
        const record = await seen(id, T0);
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
          planRenewalAt: null,
        };
        expect(record).toEqual(expected);
        expect(await database().instances.getInstance(id)).toEqual(expected);
      });

      it('does not move lastSeenAt for a sighting inside the interval', async () => {
        const id = await newInstance(T0);
        const record = await seen(id, at(MINUTE - 1));
        expect(record).toMatchObject({ firstSeenAt: T0, lastSeenAt: T0 });
        expect(await database().instances.getInstance(id)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: T0,
        });
      });

      it('does not move lastSeenAt inside the interval even without the memo (another process)', async () => {
        const id = await newInstance(T0);
        database().instances.forget(id);
        expect(await seen(id, at(MINUTE - 1))).toMatchObject({ firstSeenAt: T0, lastSeenAt: T0 });
        expect(await database().instances.getInstance(id)).toMatchObject({ lastSeenAt: T0 });
      });

      it('does not move lastSeenAt for a sighting exactly one interval later', async () => {
        const id = await newInstance(T0);
        expect(await seen(id, at(MINUTE))).toMatchObject({ lastSeenAt: T0 });
        expect(await database().instances.getInstance(id)).toMatchObject({ lastSeenAt: T0 });
      });

      it('moves lastSeenAt, and never firstSeenAt, for a sighting after the interval', async () => {
        const id = await newInstance(T0);
        const later = at(MINUTE + 1);
        expect(await seen(id, later)).toMatchObject({ firstSeenAt: T0, lastSeenAt: later });
        const muchLater = at(10 * MINUTE);
        expect(await seen(id, muchLater)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: muchLater,
        });
        expect(await database().instances.getInstance(id)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: muchLater,
        });
      });

      it('never moves lastSeenAt backwards for a sighting stamped earlier', async () => {
        const id = await newInstance(at(10 * MINUTE));
        const expected = { firstSeenAt: at(10 * MINUTE), lastSeenAt: at(10 * MINUTE) };
        expect(await seen(id, T0)).toMatchObject(expected);
        database().instances.forget(id);
        expect(await seen(id, T0)).toMatchObject(expected);
        expect(await database().instances.getInstance(id)).toMatchObject(expected);
      });

      it('creates the row exactly once when many first sightings race', async () => {
        const id = randomUUID();
        const records = await Promise.all(Array.from({ length: 20 }, (_, i) => seen(id, at(i))));
        const first = await database().instances.getInstance(id);
        expect(first).not.toBeNull();
        for (const record of records) expect(record.firstSeenAt).toEqual(first?.firstSeenAt);
      });

      it('answers a sighting inside the interval from memory, without writing', async () => {
        const id = await newInstance(T0);
        const writes = countInstanceWrites();
        for (let second = 1; second < 60; second += 7) {
          expect(await seen(id, at(second * 1000))).toMatchObject({ lastSeenAt: T0 });
        }
        expect(writes).not.toHaveBeenCalled();
      });

      it('writes at most once per interval for a steady stream of sightings', async () => {
        const id = await newInstance(T0);
        const writes = countInstanceWrites();
        // One sighting every 10 s for 5 minutes: 30 sightings, about one write a minute.
        for (let second = 10; second <= 300; second += 10) await seen(id, at(second * 1000));
        expect(writes.mock.calls.length).toBeGreaterThanOrEqual(4);
        expect(writes.mock.calls.length).toBeLessThanOrEqual(5);
        expect(await database().instances.getInstance(id)).toMatchObject({ firstSeenAt: T0 });
      });

      it('asks the database again after forget(id), and after forget() for every instance', async () => {
        const a = await newInstance(T0);
        const b = await newInstance(T0);
        const writes = countInstanceWrites();
        database().instances.forget(a);
        await seen(a, at(1000));
        await seen(b, at(1000));
        expect(writes).toHaveBeenCalledTimes(1);
        database().instances.forget();
        await seen(a, at(2000));
        await seen(b, at(2000));
        expect(writes).toHaveBeenCalledTimes(3);
      });

      it('keeps the memo per store: a second store over the same rows keeps firstSeenAt', async () => {
        const id = await newInstance(T0);
        const otherProcess = createInstancesStore(database().db);
        expect(await otherProcess.recordSeen(id, at(30_000).getTime())).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: T0,
        });
        expect(await otherProcess.recordSeen(id, at(2 * MINUTE).getTime())).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: at(2 * MINUTE),
        });
      });

      it('remembers at most maxTracked instances, forgetting the oldest first', async () => {
        const store = createInstancesStore(database().db, { maxTracked: 2 });
        const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
        for (const id of [a, b, c]) await store.recordSeen(id, T0.getTime());
        const writes = countInstanceWrites();
        await store.recordSeen(c, T0.getTime() + 1000);
        await store.recordSeen(b, T0.getTime() + 1000);
        expect(writes).not.toHaveBeenCalled();
        await store.recordSeen(a, T0.getTime() + 1000);
        expect(writes).toHaveBeenCalledTimes(1);
      });

      it('uses a one-minute interval by default', () => {
        expect(LAST_SEEN_WRITE_INTERVAL_MS).toBe(MINUTE);
      });
    });

    describe('instances: getInstance', () => {
      it('returns null for an instance never seen', async () => {
        expect(await database().instances.getInstance(randomUUID())).toBeNull();
      });
    });

    describe('a per-instance resource (the fixture documents)', () => {
      it('returns null for an instance that never saved a document', async () => {
        const id = randomUUID();
        expect(await database().documents.getDocument(id)).toBeNull();
        await seen(id);
        expect(await database().documents.getDocument(id)).toBeNull();
      });

      it('saves the first version with expectedVersion 0 and returns version 1', async () => {
        const id = await newInstance();
        const result = await save(id, { greeting: 'hi' }, 0, { at: at(5) });
        expect(result).toEqual({ ok: true, version: 1, updatedAt: at(5) });
      });

      it('stores the document as JSON that round-trips, with updatedAt and updatedBy', async () => {
        const id = await newInstance();
        const document = {
          greeting: 'Grüß dich 👋 "quoted" \\ back\nslash',
          theme: 'dark',
          notificationEmail: null,
          nested: { list: [1, 2.5, -3, true, false, null, 'x'], empty: {}, none: [] },
        };
        await save(id, document, 0, { updatedBy: 'owner-7', at: at(42) });
        expect(await database().documents.getDocument(id)).toEqual({
          document,
          version: 1,
          updatedAt: at(42),
          updatedBy: 'owner-7',
        });
      });

      it('stores a null updatedBy for a save without a user', async () => {
        const id = await newInstance();
        await save(id, { a: 1 }, 0, { updatedBy: null });
        expect(await database().documents.getDocument(id)).toMatchObject({ updatedBy: null });
      });

      it('refuses a second first-save with version_conflict and keeps the first document', async () => {
        const id = await newInstance();
        await save(id, { n: 'first' }, 0);
        expect(await save(id, { n: 'second' }, 0)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 1,
        });
        expect(await database().documents.getDocument(id)).toMatchObject({
          document: { n: 'first' },
          version: 1,
        });
      });

      it('saves with the current version and increments it by one each time', async () => {
        const id = await newInstance();
        await save(id, { n: 1 }, 0);
        expect(await save(id, { n: 2 }, 1, { at: at(1), updatedBy: 'user-2' })).toEqual({
          ok: true,
          version: 2,
          updatedAt: at(1),
        });
        expect(await save(id, { n: 3 }, 2, { at: at(2) })).toMatchObject({ ok: true, version: 3 });
        expect(await database().documents.getDocument(id)).toEqual({
          document: { n: 3 },
          version: 3,
          updatedAt: at(2),
          updatedBy: 'user-1',
        });
      });

      it('refuses a stale version with the current one and leaves the document alone', async () => {
        const id = await newInstance();
        await save(id, { n: 1 }, 0);
        await save(id, { n: 2 }, 1);
        expect(await save(id, { n: 'stale' }, 1)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 2,
        });
        expect(await database().documents.getDocument(id)).toMatchObject({
          document: { n: 2 },
          version: 2,
        });
      });

      it('refuses a version from the future', async () => {
        const id = await newInstance();
        await save(id, { n: 1 }, 0);
        expect(await save(id, { n: 'future' }, 7)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 1,
        });
      });

      it('refuses a non-zero version for an instance that never saved, reporting version 0', async () => {
        const id = await newInstance();
        expect(await save(id, { n: 1 }, 3)).toEqual({
          ok: false,
          reason: 'version_conflict',
          currentVersion: 0,
        });
        expect(await database().documents.getDocument(id)).toBeNull();
      });

      it('saves a document for an instance already recorded as seen without touching its record', async () => {
        const id = await newInstance(T0);
        await save(id, { n: 1 }, 0, { at: at(30 * MINUTE) });
        expect(await database().instances.getInstance(id)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: T0,
        });
      });

      it('refuses to save a document for an instance that has no row (the foreign key holds)', async () => {
        const id = randomUUID();
        const error = await save(id, { n: 1 }, 0).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        // A bug (the caller skipped `app.authenticate`), not an outage.
        expect(error).not.toMatchObject({ code: 'database_unavailable' });
        expect(await database().documents.getDocument(id)).toBeNull();
        expect(await database().instances.getInstance(id)).toBeNull();
      });
    });

    describe('isolation between instances', () => {
      it('never lets saves for one instance change or create another instance’s document', async () => {
        const a = await newInstance();
        const b = randomUUID();
        await save(a, { owner: 'a', n: 1 }, 0);
        await save(a, { owner: 'a', n: 2 }, 1);
        expect(await database().documents.getDocument(b)).toBeNull();
        expect(await database().instances.getInstance(b)).toBeNull();

        // B's own version sequence starts at 0, whatever A's is.
        await seen(b);
        expect(await save(b, { owner: 'b' }, 2)).toMatchObject({ ok: false, currentVersion: 0 });
        expect(await save(b, { owner: 'b' }, 0)).toMatchObject({ ok: true, version: 1 });

        expect(await database().documents.getDocument(a)).toMatchObject({
          document: { owner: 'a', n: 2 },
          version: 2,
        });
        expect(await database().documents.getDocument(b)).toMatchObject({
          document: { owner: 'b' },
          version: 1,
        });
      });

      it('keeps lastSeenAt per instance', async () => {
        const a = await newInstance(T0);
        const b = await newInstance(T0);
        await seen(a, at(5 * MINUTE));
        expect(await database().instances.getInstance(b)).toMatchObject({ lastSeenAt: T0 });
        expect(await database().instances.getInstance(a)).toMatchObject({
          lastSeenAt: at(5 * MINUTE),
        });
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of 50 concurrent first saves win', async () => {
        const id = await newInstance();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => save(id, { writer: i }, 0)),
        );
        const winners = results.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => !r.ok)).toHaveLength(49);
        for (const r of results) if (!r.ok) expect(r.currentVersion).toBe(1);
        const winner = results.findIndex((r) => r.ok);
        expect(await database().documents.getDocument(id)).toMatchObject({
          document: { writer: winner },
          version: 1,
        });
      });

      it('lets exactly one of 50 concurrent saves with the same expected version win', async () => {
        const id = await newInstance();
        await save(id, { writer: 'setup' }, 0);
        await save(id, { writer: 'setup' }, 1);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => save(id, { writer: i }, 2)),
        );
        expect(results.filter((r) => r.ok)).toEqual([expect.objectContaining({ version: 3 })]);
        expect(results.filter((r) => !r.ok)).toHaveLength(49);
        for (const r of results) if (!r.ok) expect(r.currentVersion).toBe(3);
        const winner = results.findIndex((r) => r.ok);
        expect(await database().documents.getDocument(id)).toMatchObject({
          document: { writer: winner },
          version: 3,
        });
      });

      it(
        'loses no update when 20 workers make 200 read-modify-write increments with retries',
        { timeout: 120_000 },
        async () => {
          const id = await newInstance();
          let conflicts = 0;
          const increment = async () => {
            for (let attempt = 0; attempt < 2_000; attempt++) {
              const current = await database().documents.getDocument(id);
              const count = (current?.document as { count?: number } | undefined)?.count ?? 0;
              const result = await save(id, { count: count + 1 }, current?.version ?? 0);
              if (result.ok) return;
              conflicts++;
            }
            throw new Error('an increment kept conflicting');
          };
          await runConcurrently(200, 20, increment);
          expect(await database().documents.getDocument(id)).toMatchObject({
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
      const tokens = () => database().appTokens;

      it('reads null for an instance without a token', async () => {
        expect(await tokens().readAppToken(randomUUID())).toBeNull();
      });

      it('writes the token decide returns, and hands it to the next decide as current', async () => {
        const id = randomUUID();
        const seenTokens: Array<StoredAppToken | null> = [];
        const first = await tokens().withAppTokenLock(id, async (current) => {
          seenTokens.push(current);
          return token('sealed-1');
        });
        expect(first).toEqual(token('sealed-1'));
        expect(await tokens().readAppToken(id)).toEqual(token('sealed-1'));

        const second = await tokens().withAppTokenLock(id, async (current) => {
          seenTokens.push(current);
          return token('sealed-2', 8 * 60 * MINUTE);
        });
        expect(second).toEqual(token('sealed-2', 8 * 60 * MINUTE));
        expect(seenTokens).toEqual([null, token('sealed-1')]);
        expect(await tokens().readAppToken(id)).toEqual(token('sealed-2', 8 * 60 * MINUTE));
      });

      it('creates the instance row for a token of an instance never seen (a script may call Wix)', async () => {
        const id = randomUUID();
        await tokens().withAppTokenLock(id, async () => token('sealed-1'));
        expect(await database().instances.getInstance(id)).toMatchObject({
          instanceId: id,
          status: null,
        });
      });

      it('does not touch an existing instance row when it writes a token', async () => {
        const id = await newInstance(T0);
        await tokens().withAppTokenLock(id, async () => token('sealed-1'));
        expect(await database().instances.getInstance(id)).toMatchObject({
          firstSeenAt: T0,
          lastSeenAt: T0,
        });
      });

      it('does not write again when decide returns the current token', async () => {
        const id = randomUUID();
        await tokens().withAppTokenLock(id, async () => token('sealed-1'));
        // If returning `current` rewrote the row, the delete made inside decide would be undone.
        const kept = await tokens().withAppTokenLock(id, async (current) => {
          await tokens().deleteAppToken(id, current!.sealedToken);
          return current!;
        });
        expect(kept).toEqual(token('sealed-1'));
        expect(await tokens().readAppToken(id)).toBeNull();
      });

      it('writes nothing and rethrows when decide throws', async () => {
        const id = randomUUID();
        await expect(
          tokens().withAppTokenLock(id, async () => {
            throw new Error('mint failed');
          }),
        ).rejects.toThrow('mint failed');
        expect(await tokens().readAppToken(id)).toBeNull();
        // The lock was released: the next call runs.
        await tokens().withAppTokenLock(id, async () => token('sealed-1'));
        expect(await tokens().readAppToken(id)).toEqual(token('sealed-1'));
      });

      it('deletes the token when given its current sealed value', async () => {
        const id = randomUUID();
        await tokens().withAppTokenLock(id, async () => token('sealed-1'));
        await tokens().deleteAppToken(id, 'sealed-1');
        expect(await tokens().readAppToken(id)).toBeNull();
      });

      it('keeps a newer token when asked to delete a stale sealed value', async () => {
        const id = randomUUID();
        await tokens().withAppTokenLock(id, async () => token('sealed-old'));
        await tokens().withAppTokenLock(id, async () => token('sealed-new'));
        await tokens().deleteAppToken(id, 'sealed-old');
        expect(await tokens().readAppToken(id)).toEqual(token('sealed-new'));
      });

      it('ignores deleting a token of an instance that has none', async () => {
        await expect(tokens().deleteAppToken(randomUUID(), 'sealed')).resolves.toBeUndefined();
      });

      it('keeps tokens per instance', async () => {
        const a = randomUUID();
        const b = randomUUID();
        await tokens().withAppTokenLock(a, async () => token('sealed-a'));
        await tokens().withAppTokenLock(b, async () => token('sealed-b'));
        await tokens().deleteAppToken(a, 'sealed-a');
        await tokens().deleteAppToken(a, 'sealed-b');
        expect(await tokens().readAppToken(a)).toBeNull();
        expect(await tokens().readAppToken(b)).toEqual(token('sealed-b'));
      });

      it('does not hold one instance’s lock against another instance', async () => {
        const a = randomUUID();
        const b = randomUUID();
        let releaseA!: () => void;
        const aMayFinish = new Promise<void>((resolve) => (releaseA = resolve));
        const lockedA = tokens().withAppTokenLock(a, async () => {
          await aMayFinish;
          return token('sealed-a');
        });
        // B's decide releases A: with one lock for every instance, this would never finish.
        const lockedB = tokens().withAppTokenLock(b, async () => {
          releaseA();
          return token('sealed-b');
        });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('one instance’s lock blocked another')), 5_000);
        });
        try {
          await Promise.race([Promise.all([lockedA, lockedB]), timeout]);
        } finally {
          clearTimeout(timer);
        }
      });

      // PGlite serves one process with one connection and takes no lock: the token provider's
      // in-process single-flight is what keeps it to one mint (src/wix/app-token-store.ts).
      it('runs concurrent decisions for one instance one at a time (PostgreSQL)', async (ctx) => {
        if (database().engine !== 'postgres') ctx.skip();
        const id = randomUUID();
        let running = 0;
        let overlapped = false;
        let minted = 0;
        await Promise.all(
          Array.from({ length: 8 }, () =>
            tokens().withAppTokenLock(id, async (current) => {
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
        expect(await tokens().readAppToken(id)).toEqual(token('sealed-1'));
      });
    });

    describe('ping', () => {
      it('resolves while the database is reachable', async () => {
        await expect(database().ping()).resolves.toBeUndefined();
      });
    });
  });
}
