/**
 * `npm run proxy:rename`: moves middleware.ts to Next 16's proxy.ts convention (the function
 * exported as `proxy`, the `runtime` option dropped). Nothing else in the project names the file:
 * the tests find whichever of the two exists. Refuses when proxy.ts exists already.
 */
import fs from 'node:fs';
import path from 'node:path';
import { run } from './lib/cli';
import { renameToProxy } from './lib/rename-to-proxy';

run(() => {
  const root = process.cwd();
  const from = path.join(root, 'middleware.ts');
  const to = path.join(root, 'proxy.ts');
  if (fs.existsSync(to)) {
    console.error('proxy.ts exists already: nothing to rename');
    return 1;
  }
  if (!fs.existsSync(from)) {
    console.error(`no middleware.ts in ${root}: run this from the project's folder`);
    return 1;
  }
  const result = renameToProxy(fs.readFileSync(from, 'utf8'));
  if (!result.ok) {
    console.error(result.reason);
    return 1;
  }
  fs.writeFileSync(to, result.source);
  fs.rmSync(from);
  console.log('middleware.ts → proxy.ts: the function is exported as `proxy`, `runtime` dropped');
  return 0;
});
