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
import { ConfigError, getConfig } from 'wix-app-backend/config/env';
import { loadOrCreateDevWebhookKeys } from 'wix-app-backend/dev/dev-webhook-keys';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
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

/** The port `next dev` will listen on: `-p`/`--port`, else PORT, else 3000. */
function devPort(args: string[], portEnv: string | undefined): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const inline = /^--port=(\d+)$/.exec(arg);
    if (inline) return Number(inline[1]);
    if ((arg === '-p' || arg === '--port') && /^\d+$/.test(args[i + 1] ?? '')) {
      return Number(args[i + 1]);
    }
  }
  return portEnv && /^\d+$/.test(portEnv) ? Number(portEnv) : 3000;
}

/**
 * `next dev` compiles each route on its first request (several seconds here), so the first click
 * on the demo would wait for it. Once the server answers, ask for the demo's routes in the
 * background; the answers do not matter, only that they are compiled before anyone clicks.
 */
async function warmUp(port: number, stop: AbortSignal): Promise<void> {
  const base = `http://localhost:${port}`;
  const get = (route: string, authorization?: string) =>
    fetch(`${base}${route}`, {
      headers: authorization ? { authorization } : {},
      signal: AbortSignal.any([stop, AbortSignal.timeout(60_000)]),
    });
  const deadline = Date.now() + 120_000;
  while (!stop.aborted && Date.now() < deadline) {
    if (
      await get('/api/health').then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // With the demo's signed instance, so the warm-up is not logged as refused requests; without
  // the demo (removed before going live), there is nothing more to warm.
  const instance = await get('/api/dev/instance?site=a').then(
    async (r) => (r.ok ? ((await r.json()) as { instance?: string }).instance : undefined),
    () => undefined,
  );
  if (!instance) return;
  for (const route of ['/', '/api/me', '/api/settings', '/api/notes']) {
    if (stop.aborted) return;
    await get(route, instance).catch(() => null);
  }
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
    const keys = loadOrCreateDevWebhookKeys();
    env.WIX_APP_PUBLIC_KEY = keys.publicKeyPem;
    // The demo page's sample deliveries are signed with the same pair (never in production).
    env.WIX_DEV_WEBHOOK_SIGNING_KEY = keys.privateKeyPem;
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
  const warming = new AbortController();
  void warmUp(devPort(process.argv.slice(2), env.PORT), warming.signal);

  const code = await new Promise<number>((resolve) => {
    child.on('error', (error) => {
      console.error(`could not start next dev: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (exitCode, signal) =>
      resolve(exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)),
    );
  });
  warming.abort();
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  await emulator?.close();
  return code;
});
