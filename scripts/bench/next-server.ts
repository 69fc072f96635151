/**
 * Builds the benchmark app (WIX_BENCH_BUILD=1: the `*.bench.ts` routes, dist dir `.next-bench`)
 * and runs it with `node …/next start` in its own process group, so a stop takes every child
 * with it (never `npx next start`: killing that PID orphans next-server, which keeps the port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, hermeticEnv, killGroup } from '../lib/child-processes';

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
/**
 * `app`: the bench build; `noop`: the same with a middleware that lets everything through;
 * `notrace`: the same with the app's spans compiled out (next.config.mjs).
 */
export type BenchVariant = 'app' | 'noop' | 'notrace';
const benchEnvOf = (variant: BenchVariant) => ({
  WIX_BENCH_BUILD: variant === 'app' ? '1' : variant,
  NEXT_TELEMETRY_DISABLED: '1',
});

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

const benchEnv = (env: Record<string, string>, variant: BenchVariant = 'app') =>
  hermeticEnv({ NODE_ENV: 'production', ...benchEnvOf(variant), ...env });

/**
 * `next build` into `.next-bench` (`.next-bench-<variant>` for the others). Next rewrites tsconfig.json on a build (it adds the dist dir's
 * type folders); the file is put back as it was, so a benchmark leaves the tree unchanged.
 */
export async function buildBenchApp(
  variant: BenchVariant = 'app',
): Promise<{ routes: string[]; seconds: number }> {
  const tsconfig = path.join(ROOT, 'tsconfig.json');
  const before = fs.readFileSync(tsconfig, 'utf8');
  const started = Date.now();
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
          cwd: ROOT,
          env: benchEnv({}, variant),
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        running.add(child);
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        child.once('close', (exitCode) => {
          running.delete(child);
          resolve({ code: exitCode, output: text });
        });
      },
    );
    if (code !== 0) throw new Error(`next build failed (exit ${String(code)})\n${output}`);
    const routes = [...output.matchAll(/^[┌├└]\s+\S\s+(\/\S*)/gmu)].map((m) => m[1] ?? '');
    return { routes, seconds: (Date.now() - started) / 1000 };
  } finally {
    if (fs.readFileSync(tsconfig, 'utf8') !== before) fs.writeFileSync(tsconfig, before);
  }
}

export interface RunningServer {
  url: string;
  /** The serving process (`node … next start` serves in-process), for its CPU time. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Spawns a command in its own process group; resolves once `readyPath` answers 200. */
export async function startProcess(
  command: string[],
  options: { env: NodeJS.ProcessEnv; port: number; readyPath: string; timeoutMs?: number },
): Promise<RunningServer> {
  const [bin, ...args] = command as [string, ...string[]];
  const child = spawn(bin, args, {
    cwd: ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      running.delete(child);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const response = await fetch(url + options.readyPath, { signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      if (response.status === 200) return { url, pid: child.pid, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${command.join(' ')} did not become ready\n${output}`);
}

/** `next start` on the bench build, configured only by `env` (plus production defaults). */
export async function startNext(
  env: Record<string, string>,
  variant: BenchVariant = 'app',
): Promise<RunningServer> {
  const port = await freePort();
  return startProcess([process.execPath, NEXT_BIN, 'start', '-p', String(port)], {
    env: benchEnv(env, variant),
    port,
    readyPath: '/api/health',
  });
}
