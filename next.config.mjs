// `npm run bench` builds with WIX_BENCH_BUILD=1: only then do the `*.bench.ts` routes exist
// (app/(bench)/bench/ceiling, app/(bench)/api/bench/floor), and the build goes to its own folder so it never
// replaces the normal `.next`. WIX_BENCH_BUILD=noop is the same build with middleware.ts's gate
// replaced by one that lets everything through (scripts/bench/noop-gate.bench.ts), into
// `.next-bench-noop`: the bench's honest limit for what the middleware costs. WIX_BENCH_BUILD=notrace
// compiles the app's spans out (scripts/bench/no-tracing.bench.ts), into `.next-bench-notrace`: what
// tracing costs with no exporter configured. Next's default extensions are kept for every other build.
const benchVariant = process.env.WIX_BENCH_BUILD;
const benchBuild = ['1', 'noop', 'notrace'].includes(benchVariant ?? '');
const noopGate = benchVariant === 'noop';
const noTracing = benchVariant === 'notrace';

// The container image (Dockerfile) builds with NEXT_OUTPUT=standalone: a self-contained
// server.js plus only the node_modules files it traces, in .next/standalone. Opt-in, because
// `next start` (docs/deploying.md) warns when the config it starts with says standalone. The
// rest of .next is the same build either way, so `next start` without NEXT_OUTPUT serves a
// standalone build as it would a normal one: CI builds once and tests both servers.
const standaloneBuild = process.env.NEXT_OUTPUT === 'standalone';
// .ci/run type-checks the whole project in a step of its own (`npm run typecheck`: `next typegen`,
// then tsc over the same tsconfig) before it builds; NEXT_SKIP_TYPECHECK=1 spares the build from
// checking it all again (≈ 20 s of a 40 s build on 2 cores). Every other build checks types.
const skipTypecheck = process.env.NEXT_SKIP_TYPECHECK === '1';
// Vercel sets VERCEL=1 while it builds. There startup refuses to run without DATABASE_URL, so
// PGlite (≈ 20 MB of WASM and data, loaded only without DATABASE_URL) would only weigh down every
// function: see the end of this file, and decision 021.
const vercelBuild = process.env.VERCEL === '1';
const PGLITE_STUB = './packages/wix-app-backend/src/db/pglite-unavailable.ts';

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  distDir: noopGate
    ? '.next-bench-noop'
    : noTracing
      ? '.next-bench-notrace'
      : benchBuild
        ? '.next-bench'
        : '.next',
  pageExtensions: benchBuild
    ? ['tsx', 'ts', 'jsx', 'js', 'bench.tsx', 'bench.ts']
    : ['tsx', 'ts', 'jsx', 'js'],
  // The bench build measures speed; `npm run build` and `npm run typecheck` check the types.
  ...(benchBuild || skipTypecheck ? { typescript: { ignoreBuildErrors: true } } : {}),
  ...(benchBuild
    ? {
        turbopack: {
          resolveAlias: {
            'wix-app-backend': './scripts/bench/create-wix-app.bench.ts',
            ...(noopGate ? { './http/gate': './scripts/bench/noop-gate.bench.ts' } : {}),
            ...(noTracing
              ? { 'wix-app-backend/tracing': './scripts/bench/no-tracing.bench.ts' }
              : {}),
          },
        },
      }
    : {}),
  experimental: {
    // Only requests whose path Next could not decode reach the middleware with a body
    // (middleware.ts); Next buffers that body for it, so bound it to the largest one a route
    // accepts (a webhook delivery, 64 KiB).
    proxyClientMaxBodySize: '64kb',
    // A route's code loads with its first request, not every route's before the first answer
    // (decision 025): the first verified response comes ≈ 0.15 s sooner.
    preloadEntriesOnStart: false,
  },
  // PGlite loads its WASM and data files from its own package folder at run time.
  serverExternalPackages: ['@electric-sql/pglite'],
  // The machinery's workspace package is TypeScript source (packages/wix-app-backend): compiled
  // with the app, for the server and for the browser modules that use it.
  transpilePackages: ['wix-app-backend'],
  // The migrations — the machinery's and the app's — are read from disk at startup; make sure
  // serverless bundles and the standalone server carry them.
  outputFileTracingIncludes: {
    '/**': ['./lib/db/migrations/**', './packages/wix-app-backend/migrations/**'],
  },
  ...(standaloneBuild ? { output: 'standalone' } : {}),
};

// On Vercel, PGlite and drizzle's PGlite driver resolve to a stub that throws, so no trace names
// the package. (outputFileTracingExcludes is not enough: Turbopack applies it to routes only, and
// Vercel adds the instrumentation and middleware traces, which still name PGlite, to every
// function.)
if (vercelBuild) {
  nextConfig.turbopack = {
    ...nextConfig.turbopack,
    resolveAlias: {
      ...nextConfig.turbopack?.resolveAlias,
      '@electric-sql/pglite': PGLITE_STUB,
      'drizzle-orm/pglite': PGLITE_STUB,
    },
  };
  nextConfig.serverExternalPackages = nextConfig.serverExternalPackages?.filter(
    (name) => name !== '@electric-sql/pglite',
  );
}

export default nextConfig;
