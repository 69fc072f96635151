/** The startup check called from instrumentation.ts. */
import { ConfigError, DEV_CREDENTIALS_BANNER_LINES, getConfig, isBuildPhase } from '../config/env';

export function checkConfigAtStartup(
  exit: (code: number) => never = (code) => process.exit(code),
): void {
  // `next build` loads server code too; it must build without secrets.
  if (isBuildPhase()) return;
  try {
    const config = getConfig();
    if (config.usingDevCredentials) console.warn(DEV_CREDENTIALS_BANNER_LINES.join('\n'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    exit(1);
  }
}
