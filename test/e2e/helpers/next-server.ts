/**
 * Runs the production build with `next start`, as `node node_modules/next/dist/bin/next` (never
 * npx: killing an npx PID orphans next-server, which keeps the port). The child gets its own
 * process group so a stop takes everything it spawned with it.
 *
 * The environment is hermetic: every WIX_* variable inherited from the caller is dropped, and
 * every configuration variable the test does not set is passed as an empty string. Empty counts
 * as unset for packages/wix-app-backend/src/config/env.ts, and Next's .env loader never overwrites a variable that already
 * exists, so a developer's .env.local cannot leak into a test.
 *
 * The database defaults to an in-memory PGlite (DATA_DIR=memory://): nothing is written to the
 * project's .data folder, and a developer's running server (which holds that folder's lock) does
 * not stop the suite. A test that needs PostgreSQL or a real folder passes DATABASE_URL/DATA_DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, hermeticEnv, killGroup } from '@/scripts/lib/child-processes';
import { PROJECT_ROOT } from './paths';

export { freePort };

const NEXT_BIN = path.join(PROJECT_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

export type ServerEnv = Record<string, string>;

/** The child's environment: inherited minus WIX_*, then defaults, then what the test passes. */
export function nextEnv(env: ServerEnv): NodeJS.ProcessEnv {
  return hermeticEnv({
    DATA_DIR: 'memory://',
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ...env,
  });
}

// Servers still running when the test process exits (a crash, a missed afterAll) die with it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

interface Spawned {
  child: ChildProcess;
  port: number;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnNext(port: number, env: ServerEnv, serverJs?: string): Spawned {
  // A standalone build's server.js takes its address from PORT and HOSTNAME (the shell's
  // HOSTNAME is the machine's name: never inherit it).
  const args = serverJs ? [serverJs] : [NEXT_BIN, 'start', '-p', String(port)];
  const address: ServerEnv = serverJs ? { PORT: String(port), HOSTNAME: '127.0.0.1' } : {};
  const child = spawn(process.execPath, args, {
    cwd: serverJs ? path.dirname(serverJs) : PROJECT_ROOT,
    env: nextEnv({ ...env, ...address }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      stderr += `\n[spawn error] ${error.message}`;
      running.delete(child);
      resolve({ code: null, signal: null });
    });
    // 'close' (not 'exit'): resolves once stdout and stderr are fully read.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, port, output: () => ({ stdout, stderr }), exited };
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

export interface NextServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env?: ServerEnv;
  /**
   * How long to wait for GET /api/health to answer 200 (default 30 s). Health pings the database,
   * so this includes opening PGlite: ≈ 2–3 s idle, 7–10 s measured on a busy 2-core machine.
   */
  readyTimeoutMs?: number;
  /** A standalone build's server.js: run `node <serverJs>` (as the container does), not `next start`. */
  serverJs?: string;
}

/** Starts `next start` (or `serverJs`) on a free port; resolves once GET /api/health answers 200. */
export async function startNextServer(options: StartOptions = {}): Promise<NextServer> {
  const { env = {}, readyTimeoutMs = 30_000, serverJs } = options;
  const port = await freePort();
  const spawned = spawnNext(port, env, serverJs);
  const url = `http://127.0.0.1:${port}`;
  const output = () => {
    const { stdout, stderr } = spawned.output();
    return `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  };
  let stopping: Promise<void> | null = null;
  const server: NextServer = {
    url,
    port,
    output,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        killGroup(spawned.child, 'SIGTERM');
        if ((await withTimeout(spawned.exited, graceMs)) === 'timeout') {
          killGroup(spawned.child, 'SIGKILL');
          await withTimeout(spawned.exited, 5_000);
        }
      })();
      return stopping;
    },
  };

  const state: { exit: { code: number | null; signal: NodeJS.Signals | null } | null } = {
    exit: null,
  };
  void spawned.exited.then((result) => (state.exit = result));
  const deadline = Date.now() + readyTimeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    const { exit } = state;
    if (exit) {
      throw new Error(
        `next start exited before it was ready (code ${String(exit.code)}, signal ${String(exit.signal)})\n${output()}`,
      );
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return server;
      lastProblem = `GET /api/health answered ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(
    `next start was not ready within ${readyTimeoutMs} ms (${lastProblem})\n${output()}`,
  );
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  durationMs: number;
}

/**
 * Runs `next start` and waits for it to exit on its own. If it is still running after
 * `timeoutMs` it is killed and the promise rejects with its output.
 */
export async function runNextUntilExit(
  options: { env?: ServerEnv; timeoutMs?: number } = {},
): Promise<ExitResult> {
  const { env = {}, timeoutMs = 20_000 } = options;
  const started = Date.now();
  const spawned = spawnNext(await freePort(), env);
  const result = await withTimeout(spawned.exited, timeoutMs);
  if (result === 'timeout') {
    killGroup(spawned.child, 'SIGTERM');
    if ((await withTimeout(spawned.exited, 5_000)) === 'timeout') {
      killGroup(spawned.child, 'SIGKILL');
      await withTimeout(spawned.exited, 5_000);
    }
    const { stdout, stderr } = spawned.output();
    throw new Error(
      `next start was still running after ${timeoutMs} ms (killed)\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
    );
  }
  return { ...result, ...spawned.output(), durationMs: Date.now() - started };
}
