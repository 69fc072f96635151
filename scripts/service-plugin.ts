/**
 * Signs a service-plugin call as Wix does, with the local development key pair, and posts it to
 * the running app (`npm run dev` gives the app that key as WIX_APP_PUBLIC_KEY). Usage:
 *   npm run service-plugin -- <fees|shipping|validations|PATH> --instance-id ID
 *                             [--type APP_EXTENSION_TYPE] [--request JSON] [--currency EUR]
 *                             [--url http://localhost:3000] [--print]
 * `fees`, `shipping` and `validations` send a sample checkout to the worked examples; a PATH
 * (`/v1/calculate-tax`) with --type and --request sends anything else.
 */
import { createPrivateKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadOrCreateDevWebhookKeys } from 'wix-app-backend/dev/dev-webhook-keys';
import {
  sampleFeesRequest,
  sampleShippingRatesRequest,
  sampleValidationsRequest,
} from 'wix-app-backend/dev/service-plugin-samples';
import { signServicePluginRequest } from 'wix-app-backend/dev/sign-service-plugin';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

const USAGE =
  'usage: npm run service-plugin -- <fees|shipping|validations|PATH> --instance-id ID [--type APP_EXTENSION_TYPE] [--request JSON] [--currency EUR] [--url http://localhost:3000] [--print]';

// Two lines, the second over the validations example's default maximum (10).
const lines = [{ quantity: 2 }, { quantity: 12 }];

/** A sample checkout for each worked example, in Wix's field names (service-plugin-samples). */
const SAMPLES: Record<string, { type: string; path: string; request: Record<string, unknown> }> = {
  fees: {
    type: 'ECOM_ADDITIONAL_FEES',
    path: '/v1/calculate-additional-fees',
    request: sampleFeesRequest({ lines }),
  },
  shipping: {
    type: 'ECOM_SHIPPING_RATES',
    path: '/v1/getRates',
    request: sampleShippingRatesRequest({ lines }),
  },
  validations: {
    type: 'ECOM_VALIDATIONS',
    path: '/v1/get-violations',
    request: sampleValidationsRequest({ lines }),
  },
};

loadProjectEnv(true);

run(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        'instance-id': { type: 'string' },
        type: { type: 'string' },
        request: { type: 'string' },
        currency: { type: 'string', default: 'USD' },
        url: { type: 'string', default: 'http://localhost:3000' },
        print: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const [which, ...extra] = positionals;
  const instanceId = values['instance-id'];
  if (!which || extra.length > 0 || !instanceId) {
    console.error(`a plugin (or path) and --instance-id are required\n${USAGE}`);
    return 2;
  }
  const sample = SAMPLES[which];
  const type = values.type ?? sample?.type;
  if (!type || (!sample && !which.startsWith('/'))) {
    console.error(`${which}: not fees, shipping or validations; a PATH needs --type\n${USAGE}`);
    return 2;
  }
  let request = sample?.request ?? {};
  if (values.request !== undefined) {
    try {
      request = JSON.parse(values.request) as Record<string, unknown>;
    } catch {
      console.error(`--request is not JSON\n${USAGE}`);
      return 2;
    }
  }
  const config = configOrReport();
  if (!config) return 1;

  const privateKey = createPrivateKey(loadOrCreateDevWebhookKeys().privateKeyPem);
  const body = await signServicePluginRequest(
    {
      appId: config.wixAppId,
      appExtensionType: type,
      instanceId,
      request,
      currency: values.currency,
    },
    privateKey,
  );
  if (values.print) {
    process.stdout.write(`${body}\n`);
    return 0;
  }
  const url = `${values.url.replace(/\/+$/, '')}/api/service-plugins${sample?.path ?? which}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    console.error(
      `could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  console.log(`${type} ${url} → HTTP ${response.status} ${await response.text()}`);
  return response.status < 500 ? 0 : 1;
});
