import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { renameToProxy } from '@/scripts/lib/rename-to-proxy';
import { ENTRY_FILE, ROOT } from '../../structure/project-files';

const entry = fs.readFileSync(path.join(ROOT, ENTRY_FILE), 'utf8');
const renamed = ENTRY_FILE === 'proxy.ts';

// In the template: what the rename would write. In the copy .ci/run renamed: what it wrote.
describe(
  renamed ? 'the proxy.ts the rename wrote' : 'the proxy.ts renameToProxy makes of middleware.ts',
  () => {
    const result = renamed ? ({ ok: true, source: entry } as const) : renameToProxy(entry);
    const source = result.ok ? result.source : '';

    it('exports the function as proxy and drops the runtime option with its comment', () => {
      expect(result.ok).toBe(true);
      expect(source).toContain('export function proxy(request: Request)');
      expect(source).not.toMatch(/function middleware\(/);
      expect(source).not.toMatch(/runtime:/);
      expect(source).not.toContain('Node for node:crypto');
    });

    it.skipIf(renamed)(
      'drops the header’s note about the rename, and keeps the rest as it was',
      () => {
        expect(source).not.toContain('proxy:rename');
        expect(source).toMatch(/^\/\*\*\n \* Next middleware: wiring only[^]*?\n \*\/\nimport /);
        const after = new Set(source.split('\n'));
        const removed = entry.split('\n').filter((line) => !after.has(line) && line.trim() !== '*');
        // The note (two lines), the runtime option and its comment (three), the renamed export.
        expect(removed).toHaveLength(6);
        expect(removed.join('\n')).toMatch(
          /^ \* Next 16 deprecates.*\n.*\nexport function middleware\(.*\n {2}\/\/ Node for node:crypto.*\n {2}\/\/.*\n {2}runtime: 'nodejs',$/,
        );
        expect(source).toContain(
          "'/api/:path(.*%(?:[^0-9A-Fa-f]|.[^0-9A-Fa-f]|.?$|[89A-Fa-f]).*)'",
        );
      },
    );

    it('leaves a file prettier and the project’s format check accept', async () => {
      const options = await prettier.resolveConfig(path.join(ROOT, 'proxy.ts'));
      expect(
        await prettier.check(source, { ...options, filepath: path.join(ROOT, 'proxy.ts') }),
      ).toBe(true);
    });
  },
);

describe('renameToProxy on a file it does not recognise', () => {
  it('refuses, saying what to do by hand', () => {
    expect(renameToProxy('export default function handler() {}')).toEqual({
      ok: false,
      reason: expect.stringMatching(/rename its export to `proxy` by hand/),
    });
  });

  it('keeps async on an async middleware function', () => {
    const result = renameToProxy('export async function middleware(request: Request) {}\n');
    expect(result).toEqual({
      ok: true,
      source: 'export async function proxy(request: Request) {}\n',
    });
  });
});
