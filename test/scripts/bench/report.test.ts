import { describe, expect, it } from 'vitest';
import { combineRounds, roundOrder, type LoadResult } from '@/scripts/bench/load';
import { latencyTargetLines, ratio, roundRatios, table, targetLines } from '@/scripts/bench/report';

const round = (over: Partial<LoadResult>): LoadResult => ({
  rps: 1000,
  p50: 40,
  p99: 90,
  total: 2000,
  statuses: { '200': 2000 },
  errors: 0,
  timeouts: 0,
  cpuUsPerRequest: 1000,
  rounds: [over.rps ?? 1000],
  ...over,
});

describe('combineRounds', () => {
  it('averages req/s, takes the median p50 and the worst p99, and sums the counts', () => {
    const combined = combineRounds([
      round({ rps: 900, p50: 50, p99: 100, total: 1800, statuses: { '200': 1799, '412': 1 } }),
      round({ rps: 1000, p50: 40, p99: 300, total: 2000, errors: 2 }),
      round({ rps: 1100, p50: 45, p99: 120, total: 2200, timeouts: 1 }),
    ]);
    expect(combined).toMatchObject({
      rps: 1000,
      p50: 45,
      p99: 300,
      total: 6000,
      statuses: { '200': 5799, '412': 1 },
      errors: 2,
      timeouts: 1,
      rounds: [900, 1000, 1100],
    });
  });

  it('weights CPU per request by each round’s requests', () => {
    const combined = combineRounds([
      round({ total: 1000, cpuUsPerRequest: 1000 }),
      round({ total: 3000, cpuUsPerRequest: 2000 }),
    ]);
    expect(combined.cpuUsPerRequest).toBe(1750);
  });

  it('reports no CPU figure when any round lacks one', () => {
    const combined = combineRounds([round({}), round({ cpuUsPerRequest: null })]);
    expect(combined.cpuUsPerRequest).toBeNull();
  });
});

describe('roundRatios', () => {
  it('gives the lowest and highest of the per-round ratios', () => {
    const a = combineRounds([round({ rps: 900 }), round({ rps: 1000 }), round({ rps: 990 })]);
    const b = combineRounds([round({ rps: 1000 }), round({ rps: 1000 }), round({ rps: 900 })]);
    expect(roundRatios(a, b)).toEqual([0.9, 1.1]);
    expect(ratio(a, b)).toBeCloseTo(963.33 / 966.67, 4);
  });

  it('has nothing to say about a single run, or runs of different lengths', () => {
    expect(roundRatios(round({}), round({}))).toBeNull();
    const three = combineRounds([round({}), round({}), round({})]);
    const two = combineRounds([round({}), round({})]);
    expect(roundRatios(three, two)).toBeNull();
    expect(roundRatios(three, null)).toBeNull();
  });
});

describe('report lines', () => {
  it('marks a target PASS or MISS and prints the spread of its rounds', () => {
    const lines = targetLines([
      { name: 'met', formula: '3 ÷ 2', ratio: 0.98, min: 0.97, spread: [0.95, 1.01] },
      { name: 'missed', formula: '5a ÷ 3', ratio: 0.5, min: 0.85, spread: null },
    ]);
    expect(lines[0]).toBe('PASS  met: 3 ÷ 2 = 0.980 (target ≥ 0.97); rounds 0.95–1.01');
    expect(lines[1]).toBe('MISS  missed: 5a ÷ 3 = 0.500 (target ≥ 0.85)');
  });

  it('marks a latency target PASS at or under its ceiling, MISS over it, and names its budget', () => {
    const target = (ms: number | null) => ({
      name: 'fees call p99',
      ms,
      max: 1250,
      maxReason: 'half the deadline',
      budget: { name: 'Wix', ms: 3000 },
    });
    const [met, edge, missed, unmeasured] = latencyTargetLines([
      target(480.5),
      target(1250),
      target(1600),
      target(null),
    ]);
    expect(met).toBe(
      "PASS  fees call p99: 480.5 ms beside Wix's 3,000 ms (target ≤ 1,250 ms, half the deadline)",
    );
    expect(edge).toMatch(/^PASS {2}fees call p99: 1,250.0 ms/);
    expect(missed).toMatch(/^MISS {2}fees call p99: 1,600.0 ms/);
    expect(unmeasured).toMatch(/^n\/a +fees call p99: n\/a beside/);
  });

  it('prints a skipped row with its reason and n/a where no CPU figure exists', () => {
    const [head, , measured, skipped] = table([
      { name: 'measured', result: round({ cpuUsPerRequest: null }) },
      { name: 'skipped', result: null, note: 'no database' },
    ]);
    expect(head).toContain('CPU µs/req');
    expect(measured).toContain('n/a');
    expect(skipped).toMatch(/skipped .*no database/);
  });
});

describe('roundOrder', () => {
  const ids = ['1', '2', '3', '4', '5a', '5b', '6', '7', '8'];

  it('is a permutation, the same one for the same round', () => {
    for (let round = 1; round <= 5; round++) {
      const order = roundOrder(ids, round);
      expect([...order].sort()).toEqual([...ids].sort());
      expect(roundOrder(ids, round)).toEqual(order);
    }
  });

  it('does not keep a target behind the same neighbour in every round', () => {
    const predecessors = (id: string) =>
      new Set(
        [1, 2, 3, 4, 5].map((round) => {
          const order = roundOrder(ids, round);
          return order[order.indexOf(id) - 1] ?? 'first';
        }),
      );
    for (const id of ids) expect(predecessors(id).size).toBeGreaterThan(1);
  });
});
