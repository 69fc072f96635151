/**
 * Every test fails on an unexpected console.error: errors that only reach the console are bugs a
 * test should have asserted on. A test that expects one uses `expectConsoleError`.
 */
import { afterEach, beforeEach, vi } from 'vitest';

let errors: unknown[][] = [];
let expected = 0;

beforeEach(() => {
  errors = [];
  expected = 0;
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  if (errors.length > expected) {
    const text = errors.map((args) => args.map(String).join(' ')).join('\n');
    throw new Error(`unexpected console.error:\n${text}`);
  }
});

/** Declares that the current test expects `count` console.error calls; returns what was logged. */
export function expectConsoleError(count = 1): () => string[] {
  expected += count;
  return () => errors.map((args) => args.map(String).join(' '));
}
