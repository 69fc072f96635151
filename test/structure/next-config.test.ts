/**
 * next.config.mjs under the environments that change it (decision 021): a Vercel build (VERCEL=1)
 * must not name PGlite anywhere, since Vercel packs every trace that does into every function; a
 * standalone build (the container image) is opt-in, because `next start` warns on one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';
import { describe, expect, it, vi } from 'vitest';
import { PGlite, drizzle } from 'wix-app-backend/db/pglite-unavailable';
import { ENTRY_FILE, ROOT } from './project-files';

const CONFIG_PATH = path.join(ROOT, 'next.config.mjs');
const PGLITE_MODULES = ['@electric-sql/pglite', 'drizzle-orm/pglite'];

async function loadConfig(env: Record<string, string>): Promise<NextConfig> {
  for (const name of ['VERCEL', 'NEXT_OUTPUT', 'NEXT_SKIP_TYPECHECK', 'WIX_BENCH_BUILD']) {
    vi.stubEnv(name, env[name] ?? '');
  }
  vi.resetModules();
  // A path TypeScript does not resolve: the config is plain JavaScript, without declarations.
  const loaded = (await import(CONFIG_PATH)) as { default: NextConfig };
  return loaded.default;
}

function listSources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => path.join(dir, file));
}

describe('next.config.mjs', () => {
  it('resolves PGlite and its drizzle driver to the stub in a Vercel build', async () => {
    const config = await loadConfig({ VERCEL: '1' });
    const aliases = config.turbopack?.resolveAlias ?? {};
    for (const name of PGLITE_MODULES) {
      expect(aliases[name]).toBe('./packages/wix-app-backend/src/db/pglite-unavailable.ts');
    }
    expect(
      fs.existsSync(path.join(ROOT, 'packages/wix-app-backend/src/db/pglite-unavailable.ts')),
    ).toBe(true);
    // An external package is traced from node_modules whatever the alias says.
    expect(config.serverExternalPackages ?? []).not.toContain('@electric-sql/pglite');
  });

  it('keeps the real PGlite, as an external package, in every other build', async () => {
    const builds: Record<string, string>[] = [
      {},
      { NEXT_OUTPUT: 'standalone' },
      { WIX_BENCH_BUILD: '1' },
    ];
    for (const env of builds) {
      const config = await loadConfig(env);
      const aliases = config.turbopack?.resolveAlias ?? {};
      for (const name of PGLITE_MODULES) expect(aliases).not.toHaveProperty(name);
      expect(config.serverExternalPackages).toContain('@electric-sql/pglite');
    }
  });

  it('carries both migration folders — the machinery’s and the one lib/wix-app.ts names — into every function', async () => {
    const { wixApp } = await import('@/lib/wix-app');
    const traced = (await loadConfig({})).outputFileTracingIncludes?.['/**'] ?? [];
    const folders = ['packages/wix-app-backend/migrations', wixApp.definition.migrations];
    for (const folder of folders) {
      expect(folder && fs.existsSync(path.join(ROOT, folder, 'meta', '_journal.json'))).toBe(true);
      expect(traced).toContain(`./${folder}/**`);
    }
  });

  it('builds standalone output only when NEXT_OUTPUT=standalone, into the same .next', async () => {
    const normal = await loadConfig({});
    expect(normal.output).toBeUndefined();
    expect(normal.distDir).toBe('.next');

    const standalone = await loadConfig({ NEXT_OUTPUT: 'standalone' });
    expect(standalone.output).toBe('standalone');
    // The Dockerfile copies .next/standalone, and CI's `next start` serves the same .next.
    expect(standalone.distDir).toBe('.next');
  });

  it('type-checks in every build but the bench builds and CI (which checks in a step of its own)', async () => {
    const checked: Record<string, string>[] = [{}, { NEXT_OUTPUT: 'standalone' }, { VERCEL: '1' }];
    for (const env of checked) {
      expect((await loadConfig(env)).typescript?.ignoreBuildErrors).toBeFalsy();
    }
    expect((await loadConfig({ NEXT_SKIP_TYPECHECK: '1' })).typescript?.ignoreBuildErrors).toBe(
      true,
    );
    expect((await loadConfig({ WIX_BENCH_BUILD: '1' })).typescript?.ignoreBuildErrors).toBe(true);
  });
});

describe('the PGlite stub of Vercel builds', () => {
  it('throws a message that names the fix, whichever entry point is reached', () => {
    expect(() => new PGlite()).toThrow(/set DATABASE_URL/);
    expect(() => drizzle()).toThrow(/set DATABASE_URL/);
  });

  it('exports every name the server code imports (or re-exports) from PGlite or its drizzle driver', () => {
    const sources = [
      ...listSources('lib'),
      ...listSources('app'),
      ENTRY_FILE,
      'instrumentation.ts',
    ];
    const imported = new Set<string>();
    const staticImport = /(?:import|export)\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]([^'"]+)['"]/g;
    for (const file of sources) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const [, typeOnly, names, from] of text.matchAll(staticImport)) {
        if (typeOnly || !PGLITE_MODULES.includes(from!)) continue;
        for (const name of names!.split(',')) {
          const trimmed = name.trim();
          if (trimmed && !trimmed.startsWith('type ')) imported.add(trimmed.split(/\s+as\s+/)[0]!);
        }
      }
    }
    const stub = { PGlite, drizzle } as Record<string, unknown>;
    for (const name of imported)
      expect(
        stub,
        `packages/wix-app-backend/src/db/pglite-unavailable.ts lacks ${name}`,
      ).toHaveProperty(name);
  });
});
