/**
 * `npm run dev`: `next dev`, plus what development needs from outside the app:
 * - the local Wix API emulator when the app runs on the development credentials and no
 *   WIX_API_BASE_URL is set — the development app does not exist on Wix, so without the
 *   emulator every Wix call would fail; with it the demo works offline;
 * - without WIX_APP_PUBLIC_KEY, the public half of the local webhook key pair (.dev/), the one
 *   `npm run webhook` signs with, so webhooks can be tried locally. The app itself never reads
 *   .dev/: it is told the key like any other.
 * Arguments pass through to `next dev` (`npm run dev -- -p 3001`; or set PORT).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { ConfigError, getConfig } from '../lib/config/env';
import { loadOrCreateDevWebhookKeys } from '../lib/dev/dev-webhook-keys';
import { startWixEmulator, type WixEmulator } from '../lib/dev/wix-emulator';
import { loadProjectEnv, run } from './lib/cli';

// Dev mode: the same .env files `next dev` reads (.env.development too).
loadProjectEnv(true);

const blank = (value: string | undefined) => value === undefined || value.trim() === '';

async function startEmulatorIfNeeded(): Promise<WixEmulator | null> {
  const config = getConfig();
  if (!config.usingDevCredentials || !blank(process.env.WIX_API_BASE_URL)) return null;
  const portText = process.env.WIX_EMULATOR_PORT;
  const port = blank(portText) ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError([`WIX_EMULATOR_PORT: "${portText}" is not a port number`]);
  }
  const emulator = await startWixEmulator({
    appId: config.wixAppId,
    appSecret: config.wixAppSecret,
    port,
  });
  console.log(
    `Wix API emulated at ${emulator.url} (development credentials; set WIX_API_BASE_URL to use another)`,
  );
  return emulator;
}

run(async () => {
  let emulator: WixEmulator | null;
  try {
    emulator = await startEmulatorIfNeeded();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (emulator) Object.assign(env, { WIX_API_BASE_URL: emulator.url, WIX_EMULATOR: '1' });
  if (blank(env.WIX_APP_PUBLIC_KEY)) {
    env.WIX_APP_PUBLIC_KEY = loadOrCreateDevWebhookKeys().publicKeyPem;
    console.log(
      'Webhooks verified with the local key pair in .dev/ (`npm run webhook` signs with it)',
    );
  }
  const next = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [next, 'dev', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });

  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);

  const code = await new Promise<number>((resolve) => {
    child.on('error', (error) => {
      console.error(`could not start next dev: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (exitCode, signal) =>
      resolve(exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)),
    );
  });
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  await emulator?.close();
  return code;
});
