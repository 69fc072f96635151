/**
 * The Wix budget as the application context builds it: injectable (`wixBudget`), in memory on
 * PGlite, and — with PostgreSQL — one budget for every context over the database, as if each were
 * a process of its own (docs/decisions/023-shared-wix-budget.md).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppDatabase, type AppDatabase } from '../../src/app/database';
import { createAppContext, type AppContext } from '../../src/app/context';
import { isWixApiError } from '../../src/wix/wix-api-error';
import {
  WIX_CALLS_PER_INSTANCE_BURST,
  WIX_CALLS_PER_INSTANCE_PER_MINUTE,
  createInstanceBudget,
} from '../../src/wix/instance-budget';
import { createTestApp, testAppConfig, type TestApp } from '../../src/testing';
import { queryRows } from '../db/database.contract';

/** `n` Wix calls for `instanceId`, each a distinct path so none shares another's answer. */
function callWix(app: AppContext, instanceId: string, n: number, from = 0) {
  return Array.from({ length: n }, async (_, i) =>
    (await app.wix()).app.request(instanceId, { path: `/apps/v1/instance?call=${from + i}` }),
  );
}

describe('the Wix budget of an application context', () => {
  let kit: TestApp;
  beforeAll(async () => {
    kit = await createTestApp({
      emulator: true,
      wixBudget: createInstanceBudget({ perMinute: 1, maxWaitMs: 0 }),
    });
  });
  afterAll(() => kit?.close());

  it('is the one given as `wixBudget`', async () => {
    const instanceId = randomUUID();
    const [first, second] = await Promise.allSettled(callWix(kit.app, instanceId, 2));
    expect(first?.status).toBe('fulfilled');
    expect(second?.status).toBe('rejected');
    const reason = (second as PromiseRejectedResult).reason as unknown;
    expect(isWixApiError(reason) && reason.kind).toBe('budget');
    expect(kit.emulator!.stats().apiCallsPerInstance[instanceId]).toBe(1);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('with PostgreSQL (TEST_DATABASE_URL)', () => {
  const url = process.env.TEST_DATABASE_URL!;
  let kit: TestApp;
  let other: AppDatabase;
  let otherApp: AppContext;
  beforeAll(async () => {
    kit = await createTestApp({ emulator: true, database: { databaseUrl: url } });
    // A second "process": its own connection pool and context, the same database and Wix.
    other = await openAppDatabase({ databaseUrl: url, dataDir: 'unused' });
    otherApp = createAppContext(testAppConfig({ WIX_API_BASE_URL: kit.emulator!.url }), {
      database: other,
    });
  });
  afterAll(async () => {
    await other?.close();
    await kit?.close();
  });

  it('is one budget for every context over the database: a burst between them, then the pace', async () => {
    const instanceId = randomUUID();
    const extra = 10;
    const half = (WIX_CALLS_PER_INSTANCE_BURST + extra) / 2;
    const started = performance.now();
    // Each context alone stays within a burst; together they exceed it by `extra` calls.
    await Promise.all([
      ...callWix(kit.app, instanceId, half),
      ...callWix(otherApp, instanceId, half, half),
    ]);
    const elapsed = performance.now() - started;
    expect(kit.emulator!.stats().apiCallsPerInstance[instanceId]).toBe(2 * half);
    // The last of the extra calls waited for `extra` refills (less what refilled meanwhile).
    const refillMs = 60_000 / WIX_CALLS_PER_INSTANCE_PER_MINUTE;
    expect(elapsed).toBeGreaterThanOrEqual((extra - 0.5) * refillMs);
    // And the bucket both took from is the instance's row in the database.
    const rows = await queryRows<{ tokens: number }>(
      other.db,
      sql`select tokens from wix_call_budgets where instance_id = ${instanceId}`,
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.tokens)).toBeLessThan(0);
  });
});
