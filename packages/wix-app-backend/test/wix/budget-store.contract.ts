/**
 * The contract every Wix budget store (src/wix/budget-store.ts) passes: the in-memory one and the
 * PostgreSQL one. It runs on the real clock (PostgreSQL's store uses the database's), with rules
 * slow enough that the few milliseconds a test takes refill next to nothing: waits are checked
 * within DRIFT_MS below their exact value. Every test uses fresh random instance ids, so runs
 * against one shared PostgreSQL never collide.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BudgetRule, BudgetStore, Reservation } from '../../src/wix/budget-store';

/** How much a wait may fall short of its exact value because time passed during the test. */
const DRIFT_MS = 300;

/** One call a second, a burst of 5, waits up to 2.5 s: the 6th call waits 1 s, the 8th is refused. */
const SLOW: BudgetRule = { burst: 5, perMinute: 60, maxWaitMs: 2_500 };

export const waitOf = (reservation: Reservation): number => {
  if (!reservation.ok) throw new Error(`refused, retry after ${reservation.retryAfterMs} ms`);
  return reservation.waitMs;
};

export function expectAbout(actual: number, exact: number): void {
  expect(actual).toBeLessThanOrEqual(exact);
  expect(actual).toBeGreaterThanOrEqual(exact - DRIFT_MS);
}

async function reserveTimes(store: BudgetStore, id: string, n: number, rule = SLOW) {
  const out: Reservation[] = [];
  for (let i = 0; i < n; i++) out.push(await store.reserve(id, rule));
  return out;
}

export function budgetStoreContract(name: string, store: () => BudgetStore): void {
  describe(`Budget store contract: ${name}`, () => {
    it('grants a burst at once, then spaces calls 1/rate apart', async () => {
      const reservations = await reserveTimes(store(), randomUUID(), 7);
      const waits = reservations.map(waitOf);
      expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
      expectAbout(waits[5]!, 1_000);
      expectAbout(waits[6]!, 2_000);
    });

    it('refuses a reservation that would wait longer than maxWaitMs, naming when one would fit', async () => {
      const id = randomUUID();
      await reserveTimes(store(), id, 7);
      const refused = await store().reserve(id, SLOW); // would wait 3 s
      expect(refused.ok).toBe(false);
      expectAbout((refused as { retryAfterMs: number }).retryAfterMs, 3_000);
    });

    it('does not let a refused reservation take a slot', async () => {
      const id = randomUUID();
      await reserveTimes(store(), id, 7);
      for (let i = 0; i < 5; i++) expect((await store().reserve(id, SLOW)).ok).toBe(false);
      // A little more than maxWaitMs away, as if the refusals never happened.
      const again = await store().reserve(id, { ...SLOW, maxWaitMs: 3_000 });
      expectAbout(waitOf(again), 3_000);
    });

    it('with maxWaitMs 0 grants exactly the burst and refuses the next call', async () => {
      const id = randomUUID();
      const rule = { ...SLOW, maxWaitMs: 0 };
      const reservations = await reserveTimes(store(), id, 6, rule);
      expect(reservations.slice(0, 5).map(waitOf)).toEqual([0, 0, 0, 0, 0]);
      expect(reservations[5]!.ok).toBe(false);
    });

    it('keeps instances apart', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await reserveTimes(store(), a, 7);
      expect((await reserveTimes(store(), b, 5)).map(waitOf)).toEqual([0, 0, 0, 0, 0]);
    });

    it('refills at perMinute/60 per second, never past one burst', async () => {
      const id = randomUUID();
      const fast = { burst: 2, perMinute: 600, maxWaitMs: 1_000 }; // 10 a second
      await reserveTimes(store(), id, 2, fast);
      await new Promise((resolve) => setTimeout(resolve, 300)); // 3 calls' worth; 2 kept
      const waits = (await reserveTimes(store(), id, 3, fast)).map(waitOf);
      expect(waits.slice(0, 2)).toEqual([0, 0]);
      expect(waits[2]).toBeGreaterThan(0);
    });

    it('hands overlapping reservations distinct slots, queued one behind the other', async () => {
      const id = randomUUID();
      const reservations = await Promise.all(
        Array.from({ length: 12 }, () => store().reserve(id, SLOW)),
      );
      const granted = reservations.filter((r) => r.ok).map(waitOf);
      // 5 at once, then waits of about 1 s and 2 s; the rest would wait more than 2.5 s.
      expect(granted).toHaveLength(7);
      expect(reservations.filter((r) => !r.ok)).toHaveLength(5);
      const sorted = granted.sort((x, y) => x - y);
      expect(sorted.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
      expectAbout(sorted[5]!, 1_000);
      expectAbout(sorted[6]!, 2_000);
    });
  });
}
