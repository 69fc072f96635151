/** Fault injection: which upcoming requests are slowed down, dropped or answered with an error. */
import { FaultsSchema, parseOrThrow } from './schemas';
import type { Faults } from './types';

export type FaultAction =
  | { kind: 'drop' }
  | { kind: 'status500' }
  | { kind: 'status429'; retryAfterSeconds: number }
  | null;

export interface FaultDecision {
  latencyMs: number;
  action: FaultAction;
}

export interface FaultInjector {
  set(faults: Faults): void;
  clear(): void;
  /** The faults for one request to `path`; consumes one of each counted fault it returns. */
  take(path: string): FaultDecision;
}

const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function createFaultInjector(): FaultInjector {
  let faults: Faults = {};
  return {
    set(next) {
      // Copied so later changes to the caller's object (or counting down) do not leak across.
      faults = structuredClone(parseOrThrow(FaultsSchema, next, 'faults'));
    },
    clear() {
      faults = {};
    },
    take(path) {
      if (faults.paths && !faults.paths.includes(path)) return { latencyMs: 0, action: null };
      return { latencyMs: faults.latencyMs ?? 0, action: takeAction(faults) };
    },
  };
}

/** At most one answer-changing fault per request; a dropped connection wins over an error. */
function takeAction(faults: Faults): FaultAction {
  if (faults.drop && faults.drop.count > 0) {
    faults.drop.count--;
    return { kind: 'drop' };
  }
  if (faults.status500 && faults.status500.count > 0) {
    faults.status500.count--;
    return { kind: 'status500' };
  }
  if (faults.status429 && faults.status429.count > 0) {
    faults.status429.count--;
    return {
      kind: 'status429',
      retryAfterSeconds: faults.status429.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    };
  }
  return null;
}
