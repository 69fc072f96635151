/**
 * Storage for the per-instance app tokens (see schema `wix_app_tokens`), with the cross-process
 * lock that makes concurrent first calls mint one token between all processes.
 */
import { and, eq, sql } from 'drizzle-orm';
import { guardDatabase } from '../db/errors';
import type { Db, Engine } from '../db/open-database';
import { instances, wixAppTokens } from '../db/schema';

export interface StoredAppToken {
  sealedToken: string;
  expiresAt: Date;
}

export interface AppTokenStore {
  readAppToken(instanceId: string): Promise<StoredAppToken | null>;
  /**
   * Runs `decide` while holding this instance's token lock, across processes: it receives the
   * stored token (null if none) and returns the one to keep; a different one is written.
   */
  withAppTokenLock(
    instanceId: string,
    decide: (current: StoredAppToken | null) => Promise<StoredAppToken>,
  ): Promise<StoredAppToken>;
  /** Deletes the stored token only if it is still `sealedToken` (a newer one is kept). */
  deleteAppToken(instanceId: string, sealedToken: string): Promise<void>;
}

export function createAppTokenStore(db: Db, engine: Engine): AppTokenStore {
  type Queryable = Pick<Db, 'select' | 'insert'>;
  const read = async (q: Queryable, instanceId: string): Promise<StoredAppToken | null> => {
    const rows = await q
      .select({ sealedToken: wixAppTokens.sealedToken, expiresAt: wixAppTokens.expiresAt })
      .from(wixAppTokens)
      .where(eq(wixAppTokens.instanceId, instanceId))
      .limit(1);
    return rows[0] ?? null;
  };
  const write = async (q: Queryable, instanceId: string, token: StoredAppToken) => {
    const row = { instanceId, ...token, mintedAt: new Date() };
    // The token row references its instance; a script may call Wix for one never seen here.
    await q
      .insert(instances)
      .values({ instanceId, firstSeenAt: row.mintedAt, lastSeenAt: row.mintedAt })
      .onConflictDoNothing();
    await q
      .insert(wixAppTokens)
      .values(row)
      .onConflictDoUpdate({
        target: wixAppTokens.instanceId,
        set: { sealedToken: row.sealedToken, expiresAt: row.expiresAt, mintedAt: row.mintedAt },
      });
  };
  const decideAndWrite = async (
    q: Queryable,
    instanceId: string,
    decide: (current: StoredAppToken | null) => Promise<StoredAppToken>,
  ) => {
    const current = await read(q, instanceId);
    const next = await decide(current);
    if (next.sealedToken !== current?.sealedToken) await write(q, instanceId, next);
    return next;
  };

  return {
    readAppToken: (instanceId) => guardDatabase(() => read(db, instanceId)),
    withAppTokenLock: (instanceId, decide) =>
      guardDatabase(async () => {
        // PGlite serves one process (the data-dir lock sees to it) and one connection: a
        // transaction held across the HTTP mint would stall every other query, and the
        // provider's in-process single-flight already gives one mint per instance.
        if (engine === 'pglite') return decideAndWrite(db, instanceId, decide);
        return db.transaction(async (tx) => {
          await tx.execute(
            sql`select pg_advisory_xact_lock(hashtextextended(${`wix-app-token:${instanceId}`}, 0))`,
          );
          return decideAndWrite(tx as unknown as Queryable, instanceId, decide);
        });
      }),
    deleteAppToken: (instanceId, sealedToken) =>
      guardDatabase(async () => {
        await db
          .delete(wixAppTokens)
          .where(
            and(eq(wixAppTokens.instanceId, instanceId), eq(wixAppTokens.sealedToken, sealedToken)),
          );
      }),
  };
}
