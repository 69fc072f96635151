/**
 * docs/upgrading.md, tried: on a clone of this repository, an author's branch adds a resource by
 * docs/adding-a-route.md (table, migration, data module, route, test, a duplicate-site hook in
 * lib/wix-app.ts) while the template's branch changes every file of the package and adds a
 * machinery migration. Taking in the template's package — by checking the folder out, or by a
 * merge — must apply without a conflict and leave every file of the author's as it was.
 *
 * Git alone, no install or build: what it proves is that the recipe never makes an author edit a
 * package file, and an upgrade never touches an app file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './project-files';

const PACKAGE = 'packages/wix-app-backend';

let dir: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
};
const append = (file: string, text: string) => write(file, read(file) + text);

/** Adds a journal entry, as drizzle-kit generate does. */
function addToJournal(journal: string, tag: string): void {
  const parsed = JSON.parse(read(journal)) as { entries: { idx: number; tag: string }[] };
  const idx = parsed.entries.length;
  parsed.entries.push({ ...parsed.entries[0]!, idx, tag, when: 1_800_000_000_000 + idx } as never);
  write(journal, `${JSON.stringify(parsed, null, 2)}\n`);
}

/** The author's resource, by the recipe: every file it adds or edits, with its final text. */
const AUTHOR_FILES: Record<string, string> = {};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrade-trial-'));
  // The committed tree (a clean clone, as CI runs it): only what is tracked travels.
  execFileSync('git', ['clone', '-q', '--no-hardlinks', ROOT, dir]);
  git('checkout', '-q', '-b', 'template-base');

  git('checkout', '-q', '-b', 'author');
  append(
    'lib/db/schema.ts',
    `
/** A site's bookmarks (docs/adding-a-route.md). */
export const bookmarks = pgTable('bookmarks', {
  id: text('id').primaryKey(),
  instanceId: instanceIdColumn(),
  url: text('url').notNull(),
});
`,
  );
  write(
    'lib/db/migrations/0001_bookmarks.sql',
    'CREATE TABLE "bookmarks" ("id" text PRIMARY KEY, "instance_id" text NOT NULL REFERENCES "instances"("instance_id") ON DELETE CASCADE, "url" text NOT NULL);\n',
  );
  addToJournal('lib/db/migrations/meta/_journal.json', '0001_bookmarks');
  write(
    'lib/bookmarks/bookmarks.ts',
    `import type { Tenant } from 'wix-app-backend/db/tenant';\nexport const listBookmarks = async (tenant: Tenant) => tenant.instanceId;\n`,
  );
  write(
    'app/api/bookmarks/route.ts',
    `import { json, route } from '@/lib/wix-app';\nexport const GET = route(async (request, app) => {\n  const { tenant } = await app.authenticate(request);\n  return json({ instanceId: tenant.instanceId });\n});\n`,
  );
  write(
    'test/app/api/bookmarks/route.test.ts',
    `import { it } from 'vitest';\nit.todo('bookmarks');\n`,
  );
  write(
    'lib/wix-app.ts',
    read('lib/wix-app.ts').replace(
      'onSiteDuplicated: [copySettingsToDuplicate],',
      'onSiteDuplicated: [copySettingsToDuplicate, copyBookmarksToDuplicate],',
    ),
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'bookmarks');
  git('tag', 'author-resource');
  for (const file of git('diff', '--name-only', 'template-base', 'author').split('\n')) {
    if (file) AUTHOR_FILES[file] = read(file);
  }

  git('checkout', '-q', '-b', 'template', 'template-base');
  const packageFiles = git('ls-files', PACKAGE).split('\n').filter(Boolean);
  for (const file of packageFiles) {
    if (/\.(ts|tsx|md|sql)$/.test(file)) append(file, '\n// a later fix\n');
  }
  write(
    `${PACKAGE}/migrations/0001_later.sql`,
    'ALTER TABLE "instances" ADD COLUMN "later" text;\n',
  );
  addToJournal(`${PACKAGE}/migrations/meta/_journal.json`, '0001_later');
  git('add', '-A');
  git('commit', '-q', '-m', 'a later package');
}, 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('taking in a newer package (docs/upgrading.md)', () => {
  it('the author’s resource touched no package file, and the template’s change no app file', () => {
    expect(Object.keys(AUTHOR_FILES).sort()).toEqual([
      'app/api/bookmarks/route.ts',
      'lib/bookmarks/bookmarks.ts',
      'lib/db/migrations/0001_bookmarks.sql',
      'lib/db/migrations/meta/_journal.json',
      'lib/db/schema.ts',
      'lib/wix-app.ts',
      'test/app/api/bookmarks/route.test.ts',
    ]);
    const templateChanged = git('diff', '--name-only', 'template-base', 'template')
      .split('\n')
      .filter(Boolean);
    expect(templateChanged.length).toBeGreaterThan(100);
    expect(templateChanged.filter((file) => !file.startsWith(`${PACKAGE}/`))).toEqual([]);
  });

  it('checks the package folder out over the author’s app, leaving every app file as it was', () => {
    git('checkout', '-q', '-f', '-B', 'checked-out', 'author-resource');
    git('checkout', 'template', '--', PACKAGE);
    expect(git('diff', '--cached', '--name-only').split('\n').filter(Boolean).length).toBe(
      git('diff', '--name-only', 'template-base', 'template').split('\n').filter(Boolean).length,
    );
    for (const [file, text] of Object.entries(AUTHOR_FILES)) expect(read(file), file).toBe(text);
    expect(read(`${PACKAGE}/migrations/0001_later.sql`)).toContain('later');
  });

  it('merges the template’s branch into the author’s without a conflict', () => {
    git('checkout', '-q', '-f', '-B', 'merged', 'author-resource');
    git('merge', '-q', '--no-edit', 'template'); // throws on a conflict
    expect(git('status', '--porcelain')).toBe('');
    for (const [file, text] of Object.entries(AUTHOR_FILES)) expect(read(file), file).toBe(text);
    expect(read(`${PACKAGE}/src/log.ts`)).toContain('// a later fix');
  });
});
