/**
 * The docs point at things that exist. README.md and every .md under docs/ are read outside
 * fenced code blocks (``` or ~~~: those are examples for the reader), and two kinds of reference
 * are checked; each failure names the doc, the line and the missing target:
 *
 * 1. A Markdown link `[text](target)` (or a reference definition `[id]: target`) whose target is
 *    relative — not http:, https:, mailto: or a bare `#anchor` — must name an existing file or
 *    folder, resolved from the Markdown file's own folder once `#fragment` and `?query` are cut.
 *
 * 2. A backticked span that looks like a repository path must name an existing file or folder,
 *    resolved from the repository root. "Looks like a repository path" means: no whitespace, none
 *    of the glob or placeholder characters `*` `<` `>` `{` `}` `…` `...`, and it is one of the
 *    repository's top-level entries (TOP_LEVEL: read from the file system, minus what .gitignore
 *    leaves out) or starts with one followed by `/`. A trailing line suffix (`:123`, `:12-30`) is
 *    cut first. Some docs name tests relative to test/ (`packages/wix-app-backend/test/auth/x.test.ts` for
 *    packages/wix-app-backend/test/auth/x.test.ts, `e2e/…` for test/e2e/…), so a span ending in .test.ts, .test.tsx,
 *    .cases.ts or .contract.ts may also start with a folder of test/ and may exist either at the
 *    root or under test/.
 *
 * A file a doc tells the reader to create is not in the repository: ALLOWED_MISSING lists those,
 * per doc, and the last test keeps that list from outliving its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PRESENT, isDemoPath, ROOT } from './project-files';

/** Paths a doc names as something the reader writes, not something the repository has. */
const ALLOWED_MISSING: Record<string, readonly string[]> = {
  // The recipe builds a tasks feature step by step: these are the files it has the reader write.
  'docs/adding-a-route.md': [
    'lib/tasks/tasks.ts',
    'app/api/tasks/route.ts',
    'app/api/tasks/[id]/route.ts',
    'test/app/api/tasks/route.test.ts',
  ],
};

function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listMarkdown(rel));
    else if (entry.name.endsWith('.md')) out.push(rel);
  }
  return out;
}

const DOCS = ['README.md', ...listMarkdown('docs')];

/** Top-level names .gitignore leaves out (build output, local data): not repository paths. */
const IGNORED = fs
  .readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim().replace(/^\/|\/$/g, ''))
  .filter((line) => line && !line.startsWith('#') && !line.includes('/'))
  .map((glob) => new RegExp(`^${glob.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));

const TOP_LEVEL = fs
  .readdirSync(ROOT)
  .filter((name) => name !== '.git' && !IGNORED.some((re) => re.test(name)));
const TEST_LEVEL = fs.readdirSync(path.join(ROOT, 'test'));

const TEST_FILE = /\.(?:test\.tsx?|cases\.ts|contract\.ts)$/;
const PLACEHOLDER = /[*<>{}…]|\.\.\./;
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|#)/i; // http:, https:, mailto:, … or a bare anchor

const exists = (rel: string) => fs.existsSync(path.join(ROOT, rel));
const startsWithOne = (span: string, names: readonly string[]) =>
  names.some((name) => span === name || span.startsWith(`${name}/`));

/** The repository path a backticked span names, or null when it does not look like one. */
function pathOf(span: string): string | null {
  if (/\s/.test(span) || PLACEHOLDER.test(span)) return null;
  const target = span.replace(/:\d+(?:-\d+)?$/, '');
  if (startsWithOne(target, TOP_LEVEL)) return target;
  if (TEST_FILE.test(target) && startsWithOne(target, TEST_LEVEL)) return target;
  return null;
}

function pathExists(target: string): boolean {
  const bare = target.replace(/\/$/, '');
  // Once the demo is removed (docs/architecture.md), what the docs say of it is history, not a
  // broken reference: removing it must leave a passing app.
  if ((isDemoPath(bare) || isDemoPath(`test/${bare}`)) && !DEMO_PRESENT) return true;
  return exists(bare) || (TEST_FILE.test(bare) && exists(`test/${bare}`));
}

const CODE_SPAN = /(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g;
const LINK = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const DEFINITION = /^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)/gm;

interface Reference {
  doc: string;
  line: number;
  kind: 'link' | 'path';
  target: string;
}

/**
 * The doc's paragraphs outside fenced code, each with its first line's number. A code span or a
 * link may wrap onto the next line but never crosses a blank line or a fence.
 */
function paragraphs(doc: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let current: { line: number; text: string } | null = null;
  let fence: string | null = null;
  fs.readFileSync(path.join(ROOT, doc), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
      if (fence) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      } else if (marker) {
        fence = marker;
      } else if (text.trim()) {
        if (current) current.text += `\n${text}`;
        else out.push((current = { line: index + 1, text }));
        return;
      }
      current = null;
    });
  return out;
}

/** Every relative link and every backticked repository path outside fenced code. */
function references(doc: string): Reference[] {
  const out: Reference[] = [];
  for (const { line: first, text } of paragraphs(doc)) {
    const lineAt = (index: number) => first + (text.slice(0, index).match(/\n/g)?.length ?? 0);
    for (const { index, 2: span = '' } of text.matchAll(CODE_SPAN)) {
      const target = pathOf(span.trim());
      if (target) out.push({ doc, line: lineAt(index), kind: 'path', target });
    }
    // Code spans blanked (same length, so indexes still give lines): a link inside one is code.
    const prose = text.replace(CODE_SPAN, (span) => span.replace(/[^\n]/g, ' '));
    for (const { index, 0: whole, 1: raw = '' } of [
      ...prose.matchAll(LINK),
      ...prose.matchAll(DEFINITION),
    ]) {
      const target = raw.replace(/^<|>$/g, '');
      if (!target || EXTERNAL.test(target)) continue;
      const at = index + whole.indexOf(raw, whole.search(/\][(:]/)); // the target's own line
      out.push({ doc, line: lineAt(at), kind: 'link', target });
    }
  }
  return out;
}

const REFERENCES = DOCS.flatMap(references);

function problem(ref: Reference): string | null {
  if (ref.kind === 'link') {
    const bare = ref.target.replace(/[#?].*$/, '');
    let file = bare;
    try {
      file = decodeURIComponent(bare);
    } catch {
      // a lone `%`: the target as written
    }
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(ref.doc), file));
    if (resolved.startsWith('../') || !exists(resolved)) {
      return `${ref.doc}:${ref.line}: link to ${ref.target} (${resolved}) goes nowhere`;
    }
    return null;
  }
  if (pathExists(ref.target) || ALLOWED_MISSING[ref.doc]?.includes(ref.target)) return null;
  const where = TEST_FILE.test(ref.target) ? ' (nor under test/)' : '';
  return `${ref.doc}:${ref.line}: \`${ref.target}\` does not exist${where}`;
}

describe('documentation references', () => {
  it('reads the docs and finds references in them', () => {
    expect(DOCS).toContain('README.md');
    expect(DOCS.length).toBeGreaterThan(10);
    expect(TOP_LEVEL).toEqual(expect.arrayContaining(['app', 'lib', 'test', 'docs']));
    expect(TOP_LEVEL).not.toContain('node_modules');
    expect(REFERENCES.filter((r) => r.kind === 'link').length).toBeGreaterThan(10);
    expect(REFERENCES.filter((r) => r.kind === 'path').length).toBeGreaterThan(100);
  });

  it('every relative link and backticked repository path names something that exists', () => {
    const problems = REFERENCES.map(problem).filter((p): p is string => p !== null);
    expect(problems).toEqual([]);
  });

  it('allows a missing path only where a doc still names it and it is still missing', () => {
    const stale: string[] = [];
    for (const [doc, paths] of Object.entries(ALLOWED_MISSING)) {
      for (const target of paths) {
        const named = REFERENCES.some((r) => r.doc === doc && r.target === target);
        if (!named || pathExists(target)) stale.push(`${doc}: ${target}`);
      }
    }
    expect(stale).toEqual([]);
  });
});
