import { describe, expect, it } from 'vitest';
import {
  createInstanceBudget,
  MAX_BUDGET_WAIT_MS,
  WIX_CALLS_PER_INSTANCE_BURST,
  WIX_CALLS_PER_INSTANCE_PER_MINUTE,
} from '../../src/wix/instance-budget';
import { WixApiError } from '../../src/wix/wix-api-error';
import { createClock, recordingSleep, rejectionOf, T0 } from './wix-harness';

/**
 * A budget on a frozen clock whose waits are recorded (and do not advance the clock). With an
 * explicit `perMinute` the burst equals it unless given, so the bucket mechanics below are
 * tested with round numbers; the defaults have their own tests.
 */
function budgetOf(options: { perMinute?: number; burst?: number; maxWaitMs?: number } = {}) {
  const clock = createClock();
  const slept = recordingSleep();
  const budget = createInstanceBudget({
    burst: options.perMinute,
    ...options,
    now: clock.now,
    sleep: slept.sleep,
  });
  return { budget, clock, delays: slept.delays };
}

async function acquireTimes(budget: { acquire(id: string): Promise<void> }, id: string, n: number) {
  for (let i = 0; i < n; i++) await budget.acquire(id);
}

describe('createInstanceBudget', () => {
  it('plans for at most 180 calls per minute per instance by default, a tenth under Wix’s 200', () => {
    expect(WIX_CALLS_PER_INSTANCE_BURST + WIX_CALLS_PER_INSTANCE_PER_MINUTE).toBeLessThanOrEqual(
      180,
    );
  });

  it('lets a burst of `burst` calls through without waiting', async () => {
    const { budget, delays } = budgetOf({ perMinute: 60 });
    await acquireTimes(budget, 'a', 60);
    expect(delays).toEqual([]);
  });

  // src/wix/instance-budget.ts: "a burst of `burst` calls, then a steady `perMinute / 60` per
  // second, so no 60-second window ever holds more than `burst + perMinute` (20 + 160 = 180)".
  it(`by default lets a burst of WIX_CALLS_PER_INSTANCE_BURST (${WIX_CALLS_PER_INSTANCE_BURST}) through, then paces calls`, async () => {
    const { budget, delays } = budgetOf();
    await acquireTimes(budget, 'a', WIX_CALLS_PER_INSTANCE_BURST);
    expect(delays).toEqual([]);
    await budget.acquire('a');
    expect(delays).toEqual([60_000 / WIX_CALLS_PER_INSTANCE_PER_MINUTE]);
  });

  it('by default never lets more than 200 calls (Wix’s limit) start in any 60-second window', async () => {
    const clock = createClock();
    const budget = createInstanceBudget({ now: clock.now, sleep: recordingSleep(clock).sleep });
    const startedAt: number[] = [];
    // One caller after another for three minutes, each waiting as told (the recorded sleep
    // advances the clock). The cap keeps a budget that never waits from looping forever.
    while (clock.now() - T0 < 3 * 60_000 && startedAt.length < 10_000) {
      await budget.acquire('a');
      startedAt.push(clock.now());
    }
    let busiest = 0;
    for (let i = 0, j = 0; i < startedAt.length; i++) {
      while (startedAt[i]! - startedAt[j]! >= 60_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(200);
  });

  it('then spaces calls 1/rate apart, later callers queueing behind earlier ones', async () => {
    const { budget, delays } = budgetOf({ perMinute: 60, maxWaitMs: 10_000 });
    await acquireTimes(budget, 'a', 60);
    await Promise.all([budget.acquire('a'), budget.acquire('a'), budget.acquire('a')]);
    expect(delays).toEqual([1_000, 2_000, 3_000]);
  });

  it('refills at perMinute/60 per second as the clock moves', async () => {
    const { budget, clock, delays } = budgetOf({ perMinute: 60, maxWaitMs: 10_000 });
    await acquireTimes(budget, 'a', 62); // the last two wait 1 s and 2 s
    clock.advance(2_000); // pays back the two borrowed calls
    await budget.acquire('a');
    expect(delays).toEqual([1_000, 2_000, 1_000]);

    clock.advance(10_000); // 10 calls' worth
    await acquireTimes(budget, 'a', 9);
    expect(delays).toHaveLength(3);
    await budget.acquire('a');
    expect(delays).toHaveLength(4);
  });

  it('never saves up more than one burst, however long the instance was idle', async () => {
    const { budget, clock, delays } = budgetOf({ perMinute: 60, maxWaitMs: 10_000 });
    await budget.acquire('a');
    clock.advance(24 * 3_600_000);
    await acquireTimes(budget, 'a', 60);
    expect(delays).toEqual([]);
    await budget.acquire('a');
    expect(delays).toEqual([1_000]);
  });

  it('refuses a call that would wait longer than maxWaitMs, with Retry-After in seconds', async () => {
    const { budget, delays } = budgetOf({ perMinute: 60, maxWaitMs: 2_000 });
    await acquireTimes(budget, 'a', 62); // waits of 1 s and 2 s: within the limit
    const error = await rejectionOf(budget.acquire('a')); // would wait 3 s
    expect(error).toBeInstanceOf(WixApiError);
    expect(error).toMatchObject({ kind: 'budget' });
    expect((error as WixApiError).details.retryAfterSeconds).toBe(3);
    expect(delays).toEqual([1_000, 2_000]);
  });

  it('does not let a refused call take a slot', async () => {
    const { budget, clock, delays } = budgetOf({ perMinute: 60, maxWaitMs: 2_000 });
    await acquireTimes(budget, 'a', 62);
    for (let i = 0; i < 5; i++) await rejectionOf(budget.acquire('a'));
    clock.advance(1_000);
    await budget.acquire('a'); // a 2 s wait again, as if the refusals never happened
    expect(delays).toEqual([1_000, 2_000, 2_000]);
  });

  it(`by default waits up to MAX_BUDGET_WAIT_MS (${MAX_BUDGET_WAIT_MS} ms), and refuses past it`, async () => {
    const { budget, delays } = budgetOf({ perMinute: 60 });
    let error: unknown;
    for (let i = 0; i < 1_000 && error === undefined; i++) {
      error = await budget.acquire('a').then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(error).toMatchObject({ kind: 'budget' });
    expect(Math.max(...delays)).toBe(MAX_BUDGET_WAIT_MS);
    expect((error as WixApiError).details.retryAfterSeconds).toBeGreaterThan(
      MAX_BUDGET_WAIT_MS / 1_000,
    );
  });

  it('with maxWaitMs 0 refuses the first call over the burst, naming the time one call takes', async () => {
    const { budget, delays } = budgetOf({ perMinute: 3, maxWaitMs: 0 });
    await acquireTimes(budget, 'a', 3);
    const error = await rejectionOf(budget.acquire('a'));
    expect((error as WixApiError).details.retryAfterSeconds).toBe(20);
    expect(delays).toEqual([]);
  });

  it('keeps instances independent', async () => {
    const { budget, delays } = budgetOf({ perMinute: 5, maxWaitMs: 0 });
    await acquireTimes(budget, 'a', 5);
    await rejectionOf(budget.acquire('a'));
    await acquireTimes(budget, 'b', 5);
    await rejectionOf(budget.acquire('b'));
    expect(delays).toEqual([]);
  });

  it('tracks at most 10,000 instances, forgetting the least recently used first', async () => {
    const { budget } = budgetOf({ perMinute: 1, maxWaitMs: 0 });
    await budget.acquire('first');
    await budget.acquire('second');
    await rejectionOf(budget.acquire('first')); // spent, and remembered
    for (let i = 0; i < 9_998; i++) await budget.acquire(`other-${i}`);
    // 10,000 tracked: both still remembered as spent.
    await rejectionOf(budget.acquire('first'));
    await rejectionOf(budget.acquire('second'));

    await budget.acquire('one-more'); // 10,001: the oldest ('first') is forgotten
    await expect(budget.acquire('first')).resolves.toBeUndefined();
    await budget.acquire('yet-another'); // and now 'second'
    await expect(budget.acquire('second')).resolves.toBeUndefined();
    // The most recent ones are still remembered.
    await rejectionOf(budget.acquire('yet-another'));
  });
});

describe('createInstanceBudget with a small perMinute', () => {
  it('never allows a burst larger than perMinute', async () => {
    const clock = createClock();
    const slept = recordingSleep();
    const budget = createInstanceBudget({
      perMinute: 5,
      maxWaitMs: 20_000,
      now: clock.now,
      sleep: slept.sleep,
    });
    for (let i = 0; i < 5; i++) await budget.acquire('a');
    expect(slept.delays).toEqual([]);
    await budget.acquire('a');
    expect(slept.delays).toEqual([60_000 / 5]);
  });
});
