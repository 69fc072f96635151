/**
 * `npm run doctor`: checks this configuration for production before a deploy does, and prints
 * what is missing or malformed — each variable with its description from docs/configuration.md —
 * then what is worth a second look. Reads the same `.env*` files `next start` reads, and the
 * process environment over them. Exit code 1 when production would refuse to start or a feature
 * is broken; `--vercel` checks for a Vercel deployment (also the default when VERCEL=1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { diagnose, type Finding } from 'wix-app-backend/config/doctor';
import { loadProjectEnv, parseFlags, run } from './lib/cli';

const USAGE = 'usage: npm run doctor [-- --vercel]';

/** Variable → its description, from the table in docs/configuration.md. */
function documented(): Map<string, string> {
  const table = new Map<string, string>();
  const file = path.join(process.cwd(), 'docs', 'configuration.md');
  if (!fs.existsSync(file)) return table;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([A-Z][A-Z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name && cells[3]) table.set(name, cells[3].replace(/\s+/g, ' '));
  }
  return table;
}

run(() => {
  const flags = parseFlags({ vercel: { type: 'boolean', default: false } }, USAGE);
  if (typeof flags === 'number') return flags;
  loadProjectEnv();
  const { errors, warnings } = diagnose(process.env, {
    vercel: flags.vercel || process.env.VERCEL === '1',
  });
  const docs = documented();
  const print = (mark: string, item: Finding) => {
    const doc = item.variable ? docs.get(item.variable) : undefined;
    console.log(`${mark} ${item.message}${doc ? `\n    ${item.variable}: ${doc}` : ''}`);
  };
  for (const item of errors) print('✗', item);
  for (const item of warnings) print('!', item);
  if (fs.existsSync(path.join(process.cwd(), 'app', '(demo)'))) {
    print('!', {
      variable: null,
      message:
        'app/(demo) is still here — its dev routes answer 404 in production; remove it before going live (docs/architecture.md, "Removing the demo")',
    });
  }
  console.log(
    errors.length === 0
      ? `Ready for production${warnings.length > 0 ? ' (read the notes above)' : ''}.`
      : `${errors.length} problem${errors.length === 1 ? '' : 's'}: production would refuse to start or a feature would fail (docs/configuration.md).`,
  );
  return errors.length === 0 ? 0 : 1;
});
