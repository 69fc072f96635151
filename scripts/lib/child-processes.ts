/**
 * What the benchmark and the e2e/reliability suites need to run the app as a child process: a
 * free port, a stop that takes the child's whole process group (next start spawns its own
 * children), and a hermetic environment.
 */
import type { ChildProcess } from 'node:child_process';
import { CONFIG_VARIABLES } from 'wix-app-backend/config/env';

export { freePort } from 'wix-app-backend/testing/free-port';

/** Signals the child's process group (it was spawned `detached`), or the child alone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * This process's environment minus every WIX_* and configuration variable, each configuration
 * variable then passed as an empty string, then `overrides`. Empty counts as unset for
 * packages/wix-app-backend/src/config/env.ts, and Next's .env loader never overwrites a variable that already exists, so
 * a developer's .env.local cannot leak into the child.
 */
export function hermeticEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('WIX_') && !CONFIG_VARIABLES.includes(key),
    ),
  );
  const blanks = Object.fromEntries(CONFIG_VARIABLES.map((key) => [key, '']));
  return { ...inherited, ...blanks, ...overrides } as NodeJS.ProcessEnv;
}
