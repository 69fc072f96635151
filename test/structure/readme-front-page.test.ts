/**
 * The README is a front page: what this is, how to start, and links. Everything else lives under
 * docs/, and this test keeps it that way:
 *
 * - the README has at most MAX_README_LINES lines;
 * - it still has the two set-up commands, character for character;
 * - its "Documentation" section links every page under docs/ (and the decisions folder);
 * - every `ErrorCode` has an entry in docs/troubleshooting.md, a heading `### \`code\` (status)`
 *   (several codes may share one), so a new code without an entry fails here. The union is read
 *   from the source text of the module the app imports (`wix-app-backend/errors/app-error`),
 *   wherever that module lives.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './project-files';

const MAX_README_LINES = 250;

/**
 * The Quick start's two commands, copied from the README before it became a front page: the demo
 * on embedded defaults, and the tests. A fresh clone is told to type exactly these.
 */
const SET_UP_COMMANDS = [
  'npm install && npm run dev   # the demo on http://localhost:3000, no configuration needed',
  'npm test                     # the test suites',
];

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const readme = read('README.md');
const troubleshooting = read('docs/troubleshooting.md');

const errorCodesSource = createRequire(path.join(ROOT, 'package.json')).resolve(
  'wix-app-backend/errors/app-error',
);

/** The members of `export type ErrorCode = | 'a' | 'b' …;`, read from the source text. */
function errorCodes(): string[] {
  const source = fs.readFileSync(errorCodesSource, 'utf8');
  const union = /export type ErrorCode =([^;]*);/.exec(source)?.[1];
  if (!union) throw new Error(`no ErrorCode union in ${errorCodesSource}`);
  return [...union.matchAll(/\|\s*'([a-z0-9_]+)'/g)].map((match) => match[1]!);
}

/** The README's "## Documentation" section, up to the next `## ` heading. */
function documentationSection(): string {
  const start = readme.search(/^## Documentation$/m);
  if (start < 0) return '';
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

const CODES = errorCodes();
const DOC_PAGES = fs
  .readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

describe('the README front page', () => {
  it(`has at most ${MAX_README_LINES} lines`, () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it.each(SET_UP_COMMANDS)('has the set-up command %s', (command) => {
    expect(readme.split('\n')).toContain(command);
  });

  it('reads the pages under docs/', () => {
    expect(DOC_PAGES).toEqual(
      expect.arrayContaining(['docs/troubleshooting.md', 'docs/configuration.md']),
    );
  });

  it.each([...DOC_PAGES, 'docs/decisions/'])('links %s from its Documentation section', (page) => {
    expect(documentationSection()).toContain(`](${page})`);
  });
});

describe('docs/troubleshooting.md', () => {
  it('reads the ErrorCode union', () => {
    expect(CODES.length).toBeGreaterThan(30);
    expect(CODES).toEqual(expect.arrayContaining(['missing_credentials', 'internal_error']));
    expect(new Set(CODES).size).toBe(CODES.length);
  });

  it.each(CODES)('has a heading for %s', (code) => {
    const heading = new RegExp(`^### (?:.*, )?\`${code}\` \\(\\d{3}\\)`, 'm');
    expect(troubleshooting).toMatch(heading);
  });
});
