// `npm run bench` builds with WIX_BENCH_BUILD=1: only then do the `*.bench.ts` routes exist
// (app/bench/ceiling, app/api/bench/floor), and the build goes to its own folder so it never
// replaces the normal `.next`. Next's default extensions are kept for every other build.
const benchBuild = process.env.WIX_BENCH_BUILD === '1';

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  distDir: benchBuild ? '.next-bench' : '.next',
  pageExtensions: benchBuild
    ? ['tsx', 'ts', 'jsx', 'js', 'bench.tsx', 'bench.ts']
    : ['tsx', 'ts', 'jsx', 'js'],
  // The bench build measures speed; `npm run build` and `npm run typecheck` check the types.
  ...(benchBuild ? { typescript: { ignoreBuildErrors: true } } : {}),
  ...(benchBuild
    ? { turbopack: { resolveAlias: { './api-access': './scripts/bench/api-access.bench.ts' } } }
    : {}),
  // Only requests whose path Next could not decode reach the middleware with a body
  // (middleware.ts); Next buffers that body for it, so bound it to the largest one a route
  // accepts (a webhook delivery, 64 KiB).
  experimental: { proxyClientMaxBodySize: '64kb' },
  // PGlite loads its WASM and data files from its own package folder at run time.
  serverExternalPackages: ['@electric-sql/pglite'],
  // The migrations are read from disk at startup; make sure serverless bundles carry them.
  outputFileTracingIncludes: { '/**': ['./lib/db/migrations/**'] },
};

export default nextConfig;
