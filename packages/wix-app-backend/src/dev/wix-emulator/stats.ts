/** Counters tests assert on ("the app minted one token for two calls"). */
import type { EmulatorStats } from './types';

export interface StatsCounter {
  /** Mutable counters; per-instance ones are Maps so an id like `__proto__` is just a key. */
  readonly counts: {
    tokensMinted: number;
    tokensMintedPerInstance: Map<string, number>;
    tokenInfoCalls: number;
    apiCallsPerInstance: Map<string, number>;
    requests: number;
    faultsInjected: EmulatorStats['faultsInjected'];
  };
  snapshot(): EmulatorStats;
  reset(): void;
}

export function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

const zero = (): StatsCounter['counts'] => ({
  tokensMinted: 0,
  tokensMintedPerInstance: new Map(),
  tokenInfoCalls: 0,
  apiCallsPerInstance: new Map(),
  requests: 0,
  faultsInjected: { latency: 0, status429: 0, status500: 0, dropped: 0 },
});

export function createStatsCounter(): StatsCounter {
  let counts = zero();
  return {
    get counts() {
      return counts;
    },
    snapshot: () => ({
      tokensMinted: counts.tokensMinted,
      // fromEntries defines own properties, so every key (even `__proto__`) survives.
      tokensMintedPerInstance: Object.fromEntries(counts.tokensMintedPerInstance),
      tokenInfoCalls: counts.tokenInfoCalls,
      apiCallsPerInstance: Object.fromEntries(counts.apiCallsPerInstance),
      requests: counts.requests,
      faultsInjected: { ...counts.faultsInjected },
    }),
    reset() {
      counts = zero();
    },
  };
}
