/**
 * Signs a Wix-style webhook delivery with the local development key pair and posts it to the
 * running app (`npm run dev` gives the app that key as WIX_APP_PUBLIC_KEY). Usage:
 *   npm run webhook -- <EventType> --instance-id ID [--plan ID] [--cycle MONTHLY]
 *                      [--origin-instance-id ID] [--event-id ID] [--url http://localhost:3000]
 *                      [--print]
 * EventType: an app-instance event (AppInstalled, AppRemoved, PaidPlanPurchased,
 * PaidPlanChanged, PaidPlanAutoRenewalCancelled, PlanConvertedToPaid, PlanReactivated,
 * PlanTransferred), a business event by its full name (wix.ecom.v1.order_created, …: a
 * standardized envelope; --event-id sends Wix's event id again, as a redelivery would), or any
 * other name (recorded, no effect).
 */
import { createPrivateKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadOrCreateDevWebhookKeys } from 'wix-app-backend/dev/dev-webhook-keys';
import { sampleEventData, signWixWebhook } from 'wix-app-backend/dev/sign-webhook';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

const USAGE =
  'usage: npm run webhook -- <EventType> --instance-id ID [--plan ID] [--cycle MONTHLY] [--origin-instance-id ID] [--event-id ID] [--url http://localhost:3000] [--print]';

loadProjectEnv(true);

run(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        'instance-id': { type: 'string' },
        plan: { type: 'string' },
        cycle: { type: 'string' },
        'origin-instance-id': { type: 'string' },
        'event-id': { type: 'string' },
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
  const [eventType, ...extra] = positionals;
  const instanceId = values['instance-id'];
  if (!eventType || extra.length > 0 || !instanceId) {
    console.error(`an event type and --instance-id are required\n${USAGE}`);
    return 2;
  }
  const config = configOrReport();
  if (!config) return 1;

  const privateKey = createPrivateKey(loadOrCreateDevWebhookKeys().privateKeyPem);
  const data = sampleEventData(eventType, {
    appId: config.wixAppId,
    plan: values.plan,
    cycle: values.cycle,
    originInstanceId: values['origin-instance-id'],
    eventId: values['event-id'],
  });
  const body = await signWixWebhook({ eventType, instanceId, data }, privateKey);
  if (values.print) {
    process.stdout.write(`${body}\n`);
    return 0;
  }
  const url = `${values.url.replace(/\/+$/, '')}/api/webhooks/wix`;
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
  console.log(`${eventType} for ${instanceId} → HTTP ${response.status} ${await response.text()}`);
  return response.ok ? 0 : 1;
});
