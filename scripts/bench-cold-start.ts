/**
 * Cold start: spawn `next start` → first verified `GET /api/me` 200, against a plain Next app
 * with one route (the floor). Cases, interleaved round by round in a shuffled order, median of
 * `runs` spawns each:
 *
 *   plain             a minimal app (/api/ping) built once in a temp folder, node_modules linked
 *   pglite-existing   this app on a PGlite data directory that already exists and is migrated
 *   pglite-fresh      this app on a new data directory each spawn (from the migrated snapshot)
 *   postgres          this app on TEST_DATABASE_URL, migrations already applied (when set)
 *
 * This app is built once as the bench build (WIX_BENCH_BUILD=1: no type check, so a colleague's
 * half-edited file elsewhere does not stop it) into its own dist dir (`.next-coldstart`, via
 * NEXT_DIST_DIR), so the measurement reflects the working tree and never replaces `.next`.
 * scripts/bench.ts may pass `build: false` and the `buildEnv` of a build it already made.
 *
 *   tsx scripts/bench-cold-start.ts [--runs 5] [--no-build]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { freePort, hermeticEnv, killGroup } from './lib/child-processes';

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
/** What selects this app's build, at `next build` and at `next start` alike. */
const DEFAULT_BUILD_ENV = { WIX_BENCH_BUILD: '1', NEXT_DIST_DIR: '.next-coldstart' };
const APP_ID = '6a0c9d4e-1b2f-4c3d-8e5f-7a9b0c1d2e3f';
const APP_SECRET = 'cold-start-bench-secret-7d1e2f3a';
const POLL_MS = 10;
const TIMEOUT_MS = 60_000;

export type ColdStartCase = 'plain' | 'pglite-existing' | 'pglite-fresh' | 'postgres';

export interface ColdStartRow {
  case: ColdStartCase;
  /** Median spawn → first verified 200, milliseconds. */
  ms: number;
  /** `ms` over the plain app's median. */
  ratio: number;
  /** Every spawn's time, in run order. */
  samples: number[];
}

export interface ColdStartOptions {
  /** Spawns per case (at least 5 for a median worth reading). */
  runs?: number;
  /** Build this app first (default true; false reuses the last build `buildEnv` names). */
  build?: boolean;
  /** Environment that selects the build (default WIX_BENCH_BUILD=1, NEXT_DIST_DIR=.next-coldstart). */
  buildEnv?: Record<string, string>;
  /** PostgreSQL URL for the postgres case; default TEST_DATABASE_URL, none skips the case. */
  databaseUrl?: string | null;
  log?: (line: string) => void;
}

/** Measures every case; returns one row per case, plain first. */
export async function measureColdStarts(options: ColdStartOptions = {}): Promise<ColdStartRow[]> {
  const runs = Math.max(1, options.runs ?? 5);
  const log = options.log ?? (() => {});
  const databaseUrl =
    options.databaseUrl === undefined
      ? (process.env.TEST_DATABASE_URL ?? null)
      : options.databaseUrl;
  const buildEnv = options.buildEnv ?? DEFAULT_BUILD_ENV;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  try {
    log('building the plain app…');
    const plainDir = await buildPlainApp(work);
    if (options.build ?? true) {
      log('building this app…');
      await buildThisApp(buildEnv);
    }
    const existingDir = path.join(work, 'data-existing');
    const appEnv = (env: Record<string, string>) =>
      hermeticEnv({
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        ...buildEnv,
        WIX_APP_ID: APP_ID,
        WIX_APP_SECRET: APP_SECRET,
        LOG_LEVEL: 'silent',
        ...env,
      });
    let fresh = 0;
    const cases: Record<ColdStartCase, (() => Promise<number>) | null> = {
      plain: () => coldStart(plainDir, hermeticEnv({ NEXT_TELEMETRY_DISABLED: '1' }), '/api/ping'),
      'pglite-existing': () => coldStart(ROOT, appEnv({ DATA_DIR: existingDir }), '/api/me'),
      'pglite-fresh': () =>
        coldStart(ROOT, appEnv({ DATA_DIR: path.join(work, `data-fresh-${++fresh}`) }), '/api/me'),
      postgres: databaseUrl
        ? () => coldStart(ROOT, appEnv({ DATABASE_URL: databaseUrl }), '/api/me')
        : null,
    };
    const active = (Object.keys(cases) as ColdStartCase[]).filter((name) => cases[name]);
    // Warm-up, not counted: creates the existing data directory (and the snapshot if missing),
    // applies the migrations on PostgreSQL, and loads the files into the page cache.
    for (const name of active) await cases[name]!();
    const samples = Object.fromEntries(active.map((name) => [name, [] as number[]]));
    for (let round = 0; round < runs; round++) {
      for (const name of shuffle(active)) {
        const ms = await cases[name]!();
        samples[name]!.push(ms);
        log(`round ${round + 1}/${runs} ${name}: ${ms} ms`);
      }
    }
    const plain = median(samples.plain!);
    return active.map((name) => {
      const ms = median(samples[name]!);
      return {
        case: name,
        ms,
        ratio: Math.round((ms / plain) * 100) / 100,
        samples: samples[name]!,
      };
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Spawns `next start` in `cwd`, polls `probe` until 200; returns the milliseconds. */
async function coldStart(cwd: string, env: NodeJS.ProcessEnv, probe: string): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}${probe}`;
  // Signed before the spawn: the clock starts with the process.
  const headers: Record<string, string> =
    probe === '/api/me'
      ? {
          authorization: await signInstance(
            { instanceId: crypto.randomUUID(), appDefId: APP_ID },
            APP_SECRET,
          ),
        }
      : {};
  const started = performance.now();
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port)], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    while (performance.now() - started < TIMEOUT_MS) {
      if (child.exitCode !== null) break;
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        await response.arrayBuffer();
        if (response.status === 200) return Math.round(performance.now() - started);
        throw new Error(`${probe} answered ${response.status}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(probe)) throw error;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS)); // not listening yet
      }
    }
    throw new Error(`next start in ${cwd} did not answer ${probe}\n${stderr}`);
  } finally {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A minimal Next app with one route, built once; node_modules is this project's. */
async function buildPlainApp(work: string): Promise<string> {
  const dir = path.join(work, 'plain');
  fs.mkdirSync(path.join(dir, 'app', 'api', 'ping'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'plain', private: true }),
  );
  fs.writeFileSync(
    path.join(dir, 'app', 'api', 'ping', 'route.js'),
    "export const GET = () => Response.json({ ok: true });\nexport const dynamic = 'force-dynamic';\n",
  );
  // Turbopack refuses files outside its root; the linked node_modules lives in this project.
  fs.writeFileSync(
    path.join(dir, 'next.config.mjs'),
    `export default { turbopack: { root: ${JSON.stringify(path.parse(ROOT).root)} } };\n`,
  );
  await run([NEXT_BIN, 'build'], dir, hermeticEnv({ NEXT_TELEMETRY_DISABLED: '1' }));
  return dir;
}

/** `next build` of this app; tsconfig.json is put back as it was. */
async function buildThisApp(buildEnv: Record<string, string>): Promise<void> {
  const tsconfig = path.join(ROOT, 'tsconfig.json');
  const before = fs.readFileSync(tsconfig, 'utf8');
  try {
    await run(
      [NEXT_BIN, 'build'],
      ROOT,
      hermeticEnv({ NEXT_TELEMETRY_DISABLED: '1', ...buildEnv }),
    );
  } finally {
    if (fs.readFileSync(tsconfig, 'utf8') !== before) fs.writeFileSync(tsconfig, before);
  }
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed in ${cwd}\n${output}`)),
    );
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === __filename;
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  measureColdStarts({
    runs: runsAt === -1 ? 5 : Number(args[runsAt + 1]),
    build: !args.includes('--no-build'),
    log: (line) => console.error(line),
  }).then(
    (rows) => {
      console.log('case             median ms  ratio  samples');
      for (const row of rows) {
        console.log(
          `${row.case.padEnd(16)} ${String(row.ms).padStart(9)}  ${row.ratio.toFixed(2).padStart(5)}  ${row.samples.join(' ')}`,
        );
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
