/**
 * Runs the local Wix API emulator on its own, for poking at it or for pointing a `next start` at.
 * It answers for the configured app (or the development credentials). Usage:
 *   npm run emulator -- [--port 5959] [--host 127.0.0.1]
 *   WIX_API_BASE_URL=http://127.0.0.1:5959 npm run dev
 */
import { startWixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { configOrReport, loadProjectEnv, parseFlags, run } from './lib/cli';

// The same .env files the other scripts read, so the emulator accepts the secret the app sends.
loadProjectEnv();

const USAGE = 'usage: npm run emulator -- [--port 5959] [--host 127.0.0.1]';
const DEFAULT_PORT = '5959';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

run(async () => {
  const values = parseFlags(
    {
      port: { type: 'string', default: DEFAULT_PORT },
      host: { type: 'string', default: '127.0.0.1' },
    },
    USAGE,
  );
  if (typeof values === 'number') return values;
  const portText = String(values.port);
  const host = String(values.host);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    console.error(`--port must be a port number (0 picks a free one)\n${USAGE}`);
    return 2;
  }
  const config = configOrReport();
  if (!config) return 1;

  const emulator = await startWixEmulator({
    appId: config.wixAppId,
    appSecret: config.wixAppSecret,
    port,
    host,
  });
  const credentials = config.usingDevCredentials ? 'development credentials' : 'WIX_APP_ID';
  console.log(
    [
      `Wix API emulator listening at ${emulator.url} for app ${config.wixAppId} (${credentials})`,
      '',
      'Point the app at it:',
      `  WIX_API_BASE_URL=${emulator.url} npm run dev`,
      '',
      'Wix endpoints: POST /oauth2/token, POST /oauth2/token-info, GET /apps/v1/instance',
      'Control:       GET /_emulator/stats, POST /_emulator/reset,',
      '               PUT|DELETE /_emulator/faults, POST /_emulator/widget-tokens,',
      '               PUT /_emulator/instances/<instanceId>',
      `  e.g. curl -X PUT ${emulator.url}/_emulator/faults -d '{"status500":{"count":1}}'`,
      '',
      'Ctrl+C to stop.',
    ].join('\n'),
  );
  if (!LOOPBACK.has(host)) {
    console.warn(`⚠ Bound to ${host}: the control endpoints have no authentication.`);
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  return 0;
});
