/**
 * `npm run bench`: builds the app with its benchmark-only routes (WIX_BENCH_BUILD=1, into
 * `.next-bench`), runs it with `next start` and drives it with autocannon, one target after
 * another, then prints req/s, p50, p99, the ratios against the targets, and writes
 * docs/benchmarks.md. It reports; it never fails on a missed target (STYLE.md #17).
 *
 *   npm run bench [-- --duration 10 --connections 50 --warmup 2 --skip-build]
 *   bash scripts/with-postgres.sh npm run bench     # adds the PostgreSQL settings row
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { signInstance } from '../lib/auth/sign-instance';
import { startWixEmulator } from '../lib/dev/wix-emulator';
import { benchInstanceId, seedDatabase, tokenCacheMemory } from './bench/growth';
import { load, type LoadOptions, type LoadResult } from './bench/load';
import { verifierMicrobench } from './bench/micro';
import {
  buildBenchApp,
  freePort,
  startNext,
  startProcess,
  type RunningServer,
} from './bench/next-server';
import {
  machine,
  otherStatuses,
  ratio,
  table,
  targetLines,
  type Row,
  type Target,
} from './bench/report';
import { parseFlags, run } from './lib/cli';

const USAGE = `Usage: npm run bench [-- --duration S --connections N --warmup S --skip-build]
  --duration     seconds measured per target (default 10)
  --connections  concurrent connections (default 50)
  --warmup       seconds of discarded load before each target (default 2)
  --skip-build   reuse the existing .next-bench build
PostgreSQL is measured when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.`;

const APP_ID = '6b3f0a52-8c1e-4d7a-9f20-5b1c2d3e4f60';
const ORIGIN = `https://${APP_ID}.wix.run`;
const SEEDED = 10;
const SEEDED_GROWTH = 10_000;

async function main(): Promise<number> {
  const flags = parseFlags(
    {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '2' },
      'skip-build': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (typeof flags === 'number') return flags;
  const durationSeconds = Number(flags.duration);
  const connections = Number(flags.connections);
  const warmupSeconds = Number(flags.warmup);
  if (![durationSeconds, connections, warmupSeconds].every((n) => Number.isInteger(n) && n >= 0)) {
    console.error(`--duration, --connections and --warmup take whole numbers\n${USAGE}`);
    return 2;
  }
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || null;
  const started = Date.now();
  const say = (text: string) =>
    console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${text}`);

  if (!flags['skip-build']) {
    say('building the bench app into .next-bench …');
    const build = await buildBenchApp();
    for (const route of ['/bench/ceiling', '/api/bench/floor']) {
      if (!build.routes.includes(route)) throw new Error(`the bench build lacks ${route}`);
    }
    say(`built in ${build.seconds.toFixed(0)} s`);
  }

  const secret = randomBytes(24).toString('hex');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wix-bench-'));
  const emulator = await startWixEmulator({
    appId: APP_ID,
    appSecret: secret,
    rateLimitPerInstancePerMinute: 0,
  });
  const servers: RunningServer[] = [];
  const startServer = async (env: Record<string, string>) => {
    const server = await startNext({
      WIX_APP_ID: APP_ID,
      WIX_APP_SECRET: secret,
      WIX_API_BASE_URL: emulator.url,
      LOG_LEVEL: 'error',
      ...env,
    });
    servers.push(server);
    return server;
  };
  const base = { durationSeconds, warmupSeconds, connections };
  const rows: Row[] = [];
  const measure = async (name: string, options: LoadOptions) => {
    say(`${name} …`);
    const result = await load(options);
    rows.push({ name, result });
    say(`${name}: ${result.rps.toFixed(0)} req/s ${otherStatuses(result)}`);
    return result;
  };

  try {
    const owner = (instanceId: string) =>
      signInstance(
        { instanceId, appDefId: APP_ID, uid: `uid-${instanceId}`, permissions: 'OWNER' },
        secret,
      );
    const instanceId = benchInstanceId(0);
    const instance = await owner(instanceId);
    const token = emulator.issueWidgetToken({ instanceId, ttlSeconds: 14_400 });
    const withAuth = (credential: string) => ({ origin: ORIGIN, authorization: credential });

    say(`seeding PGlite: ${SEEDED} and ${SEEDED_GROWTH} instances with settings …`);
    const mainDir = path.join(tmp, 'main');
    const growthDir = path.join(tmp, 'growth');
    await seedDatabase({ dataDir: mainDir }, SEEDED);
    await seedDatabase({ dataDir: growthDir }, SEEDED_GROWTH);

    const app = await startServer({ DATA_DIR: mainDir });
    // Warm every path once, and check each answers 200 before measuring it.
    for (const [url, headers] of [
      [`${app.url}/bench/ceiling`, { origin: ORIGIN }],
      [`${app.url}/api/bench/floor`, { origin: ORIGIN }],
      [`${app.url}/api/me`, withAuth(instance)],
      [`${app.url}/api/me`, withAuth(token)],
      [`${app.url}/api/settings`, withAuth(instance)],
    ] as const) {
      const response = await fetch(url, { headers });
      if (response.status !== 200)
        throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
      await response.body?.cancel();
    }
    const tokenInfoBefore = emulator.stats().tokenInfoCalls;

    const ceiling = await measure('1 Next route outside the matcher (ceiling)', {
      ...base,
      url: `${app.url}/bench/ceiling`,
      headers: { origin: ORIGIN },
    });
    const floor = await measure('2 public route behind the middleware (floor)', {
      ...base,
      url: `${app.url}/api/bench/floor`,
      headers: { origin: ORIGIN },
    });
    const meInstance = await measure('3 GET /api/me, signed instance', {
      ...base,
      url: `${app.url}/api/me`,
      headers: withAuth(instance),
    });
    const meToken = await measure('4 GET /api/me, access token (cached)', {
      ...base,
      url: `${app.url}/api/me`,
      headers: withAuth(token),
    });
    const tokenInfoCalls = emulator.stats().tokenInfoCalls - tokenInfoBefore;
    const settingsPglite = await measure(`5a GET /api/settings, PGlite (${SEEDED} instances)`, {
      ...base,
      url: `${app.url}/api/settings`,
      headers: withAuth(instance),
    });
    const put = await putSettings(app.url, owner, base, measure);
    await app.stop();

    let settingsPg: LoadResult | null = null;
    if (pgUrl) {
      await seedDatabase({ databaseUrl: pgUrl }, SEEDED);
      const pg = await startServer({ DATABASE_URL: pgUrl });
      settingsPg = await measure('5b GET /api/settings, PostgreSQL', {
        ...base,
        url: `${pg.url}/api/settings`,
        headers: withAuth(instance),
      });
      await pg.stop();
    } else {
      rows.push({
        name: '5b GET /api/settings, PostgreSQL',
        result: null,
        note: 'no BENCH_DATABASE_URL / TEST_DATABASE_URL',
      });
    }

    const grown = await startServer({ DATA_DIR: growthDir });
    const growthInstance = await owner(benchInstanceId(SEEDED_GROWTH - 1));
    const settingsGrown = await measure(
      `8 GET /api/settings, PGlite (${SEEDED_GROWTH.toLocaleString('en-US')} instances)`,
      { ...base, url: `${grown.url}/api/settings`, headers: withAuth(growthInstance) },
    );
    await grown.stop();

    const barePort = await freePort();
    const bare = await startProcess(
      [process.execPath, '--import', 'tsx', path.join('scripts', 'bench', 'bare-server.ts')],
      {
        env: {
          ...process.env,
          BENCH_PORT: String(barePort),
          BENCH_APP_ID: APP_ID,
          BENCH_APP_SECRET: secret,
        },
        port: barePort,
        readyPath: '/ready',
      },
    );
    servers.push(bare);
    const bareResult = await measure('7 bare node:http, same CORS + instance check', {
      ...base,
      url: `${bare.url}/api/me`,
      headers: withAuth(instance),
    });
    await bare.stop();

    say('verifier microbenchmark …');
    const micro = await verifierMicrobench(instance, secret, APP_ID);
    const cache = tokenCacheMemory();

    const targets: Target[] = [
      { name: 'auth overhead', formula: '3 ÷ 2', ratio: ratio(meInstance, floor), min: 0.97 },
      {
        name: 'cached access token vs signed instance',
        formula: '4 ÷ 3',
        ratio: ratio(meToken, meInstance),
        min: 0.95,
      },
      {
        name: 'settings read vs /api/me',
        formula: '5a ÷ 3',
        ratio: ratio(settingsPglite, meInstance),
        min: 0.85,
      },
      {
        name: 'verifier vs bare node:crypto',
        formula: 'bare µs ÷ verifier µs',
        ratio: micro.bareUs / micro.verifierUs,
        min: 1 / 1.5,
      },
    ];
    const context = [
      `middleware floor ÷ ceiling (2 ÷ 1): ${ratio(floor, ceiling)?.toFixed(3)}`,
      `GET /api/me ÷ bare node:http (3 ÷ 7): ${ratio(meInstance, bareResult)?.toFixed(3)}`,
      settingsPg
        ? `settings PostgreSQL ÷ PGlite (5b ÷ 5a): ${ratio(settingsPg, settingsPglite)?.toFixed(3)}`
        : 'settings PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)',
      `settings with ${SEEDED_GROWTH.toLocaleString('en-US')} ÷ ${SEEDED} instances (8 ÷ 5a): ${ratio(settingsGrown, settingsPglite)?.toFixed(3)}`,
      `PUT /api/settings: ${put.conflicts} × 412 of ${put.result.total} requests`,
      `Token Info calls during targets 1–4 (cache warm beforehand): ${tokenInfoCalls}`,
      `verifier: createInstanceVerifier ${micro.verifierUs.toFixed(2)} µs/call, bare HMAC + timingSafeEqual ${micro.bareUs.toFixed(2)} µs/call (${(micro.verifierUs / micro.bareUs).toFixed(2)}×)`,
      `Token Info cache: ${cache.inserts.toLocaleString('en-US')} inserts, bounded at ${cache.maxEntries.toLocaleString('en-US')} (size after: ${cache.sizeAfter.toLocaleString('en-US')}); heap ${cache.heapBeforeMb.toFixed(1)} MB → ${cache.heapAfterMb.toFixed(1)} MB (+${(cache.heapAfterMb - cache.heapBeforeMb).toFixed(1)} MB)`,
    ];

    const settingsText = `${durationSeconds} s per target after ${warmupSeconds} s warm-up, ${connections} connections`;
    const output = [
      '',
      `Benchmark: ${settingsText}`,
      ...table(rows),
      '',
      'Targets',
      ...targetLines(targets),
      '',
      ...context,
    ];
    console.log(output.join('\n'));
    writeDocs({ rows, targets, context, settingsText });
    say('wrote docs/benchmarks.md');
    const missed = targets.filter((t) => t.ratio !== null && t.ratio < t.min).length;
    console.log(
      `\nSummary: ${targets.length - missed} of ${targets.length} targets met${missed ? `, ${missed} missed (reported, not gated)` : ''}.`,
    );
    return 0;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await emulator.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * PUT /api/settings with a correct If-Match on every request. autocannon resets a connection's
 * context before each request, so the state lives here: a pool of owner instances (4 per
 * connection), each with the version its last answer reported. A request takes a free instance
 * and sends that version; the answer's ETag updates it and frees the instance. A 412 would mean
 * the bookkeeping failed, so they are counted apart.
 */
async function putSettings(
  url: string,
  owner: (instanceId: string) => Promise<string>,
  base: Pick<LoadOptions, 'durationSeconds' | 'warmupSeconds' | 'connections'>,
  measure: (name: string, options: LoadOptions) => Promise<LoadResult>,
): Promise<{ result: LoadResult; conflicts: number }> {
  const ids = Array.from({ length: base.connections * 4 }, (_, i) => `bench-put-${i}`);
  const credentials = new Map(
    await Promise.all(ids.map(async (id) => [id, await owner(id)] as const)),
  );
  const versions = new Map(ids.map((id) => [id, 0]));
  const free = [...ids];
  let conflicts = 0;
  const body = JSON.stringify({ greeting: 'Hello from the benchmark', theme: 'dark' });
  const request: autocannon.Request = {
    method: 'PUT',
    path: '/api/settings',
    setupRequest(req, context) {
      const id = free.shift() ?? ids[Math.floor(Math.random() * ids.length)]!;
      (context as { id?: string }).id = id;
      return {
        ...req,
        body,
        headers: {
          ...req.headers,
          origin: ORIGIN,
          'content-type': 'application/json',
          authorization: credentials.get(id)!,
          'if-match': `"${versions.get(id)}"`,
        },
      };
    },
    onResponse(status, _body, context, headers) {
      const id = (context as { id?: string }).id;
      if (status === 412) conflicts++;
      if (id === undefined) return;
      const etag = /^"(\d+)"$/.exec(String(headers?.etag ?? headers?.ETag ?? ''));
      if (etag) versions.set(id, Number(etag[1]));
      free.push(id);
    },
  };
  const result = await measure('6 PUT /api/settings (If-Match per instance)', {
    ...base,
    url,
    requests: [request],
  });
  // The warm-up run's 412s are not part of the measured run's count.
  conflicts = result.statuses['412'] ?? 0;
  return { result, conflicts };
}

function writeDocs(input: {
  rows: Row[];
  targets: Target[];
  context: string[];
  settingsText: string;
}): void {
  const missed = input.targets.filter((t) => t.ratio !== null && t.ratio < t.min);
  const text = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.ts) from one run; rerun it to refresh this page.
It builds the app with its benchmark-only routes (\`WIX_BENCH_BUILD=1\` enables the
\`*.bench.ts\` page extension and builds into \`.next-bench\`, so a normal build never contains
them), runs \`next start\` in production mode and drives it with autocannon, one target after
another, on the same machine. Numbers are comparable within one run only: read the ratios.

## Reproduce

\`\`\`bash
npm run bench                                   # PGlite only
bash scripts/with-postgres.sh npm run bench     # adds the PostgreSQL row
npm run bench -- --duration 10 --connections 50 --warmup 2
\`\`\`

## Machine

${machine().join('\n')}

## Results

${input.settingsText}. Latencies in milliseconds.

${table(input.rows).join('\n')}

- **1** \`/bench/ceiling\`: outside the middleware matcher, returns a tiny JSON (Next's own cost).
- **2** \`/api/bench/floor\`: a public route, so the middleware runs CORS and copies headers but
  authenticates nothing.
- **3, 5, 6** send a signed instance (owner) in \`Authorization\`; **4** sends a widget access
  token from the Wix emulator running in the benchmark process as \`WIX_API_BASE_URL\`, with its
  Token Info result cached by one request before the run.
- **5a** reads settings of an instance that has saved settings, from a PGlite folder seeded with
  ${SEEDED} instances; **8** the same with ${SEEDED_GROWTH.toLocaleString('en-US')}.
- **6** keeps a correct \`If-Match\` on every request: a pool of owner instances (4 per
  connection), each request takes a free one and sends the version its last answer's ETag
  reported; 412s are counted separately.
- **7** a bare \`node:http\` server in its own process using \`createCors\` and
  \`createInstanceVerifier\` from lib: the physical ceiling for the same check.
- autocannon runs in the benchmark process, on the same cores as the server. Anything else
  running on the machine skews every row (check \`uptime\` first).

## Targets

${targetLines(input.targets)
  .map((line) => `    ${line}`)
  .join('\n')}

${
  missed.length === 0
    ? 'Every target was met in this run.'
    : `Missed in this run: ${missed
        .map(
          (t) => `${t.name} (${t.formula} = ${t.ratio?.toFixed(3)}, target ≥ ${t.min.toFixed(3)})`,
        )
        .join('; ')}. The benchmark reports these; it does not gate on them.`
}

## Also measured

${input.context.map((line) => `- ${line}`).join('\n')}
`;
  fs.writeFileSync(path.join(process.cwd(), 'docs', 'benchmarks.md'), text);
}

run(main);
