/** What every script under scripts/ shares: env loading, config, argument parsing, exit codes. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadEnvConfig } from '@next/env';
import { ConfigError, getConfig, type AppConfig } from 'wix-app-backend/config/env';

/**
 * Loads the same `.env*` files Next reads (`dev` adds `.env.development*`), so a script signs and
 * verifies with the secret the server uses.
 */
export function loadProjectEnv(dev = false): void {
  loadEnvConfig(process.cwd(), dev, { info: () => {}, error: console.error });
}

/** The configuration, or null after printing its one readable message. */
export function configOrReport(): AppConfig | null {
  try {
    return getConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    return null;
  }
}

/** Parsed flags, or an exit code: 2 after printing the usage for bad flags, 0 for --help. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  options: T,
  usage: string,
) {
  try {
    const { values } = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    });
    if ((values as { help?: boolean }).help) {
      console.error(usage);
      return 0;
    }
    return values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
}

/** Runs `main` and turns its result (or a throw) into the process exit code. */
export function run(main: () => Promise<number> | number): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      },
    );
}
