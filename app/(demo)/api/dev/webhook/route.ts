import { handleWixWebhook } from '@/lib/app/webhooks';
import { DEV_SAMPLE_SITES, parseDevSampleSite } from 'wix-app-backend/dev/sample-sites';
import { sampleEventData, signWixWebhook } from 'wix-app-backend/dev/sign-webhook';
import { AppError } from 'wix-app-backend/errors/app-error';
import { json, publicRoute } from '@/lib/http/route';

/** Event types the demo page sends (anything Wix-shaped would do; these show the effects). */
const DEMO_EVENT_TYPES = new Set([
  'AppInstalled',
  'AppRemoved',
  'PaidPlanPurchased',
  'PaidPlanAutoRenewalCancelled',
  'PlanReactivated',
  'wix.ecom.v1.order_created',
]);

/**
 * Development only (`npm run dev`, which hands the app the local key pair): signs a sample
 * delivery for a sample site as Wix would and handles it like the webhook route does, then runs
 * the event queue so the page can show the effect at once. `eventId` sends Wix's event id of an
 * earlier one again — a redelivery. 404 otherwise.
 */
export const POST = publicRoute(async (request, app) => {
  const key = app.config.devWebhookSigningKey;
  if (!app.config.devToolsEnabled || !key) throw new AppError('not_found');
  const params = new URL(request.url).searchParams;
  const site = parseDevSampleSite(params.get('site'));
  const type = params.get('type') ?? '';
  if (!site || !DEMO_EVENT_TYPES.has(type)) {
    throw new AppError(
      'invalid_request',
      `site must be "a" or "b"; type one of ${[...DEMO_EVENT_TYPES].join(', ')}.`,
    );
  }
  const { instanceId } = DEV_SAMPLE_SITES[site];
  const data = sampleEventData(type, {
    appId: app.config.wixAppId,
    plan: params.get('plan') ?? undefined,
    eventId: params.get('eventId') ?? undefined,
  });
  const body = await signWixWebhook({ eventType: type, instanceId, data }, key);
  const { outcome, queued } = await handleWixWebhook(app, body);
  const drained = queued ? await app.drainEvents() : null;
  return json({ type, instanceId, outcome, queued, drained, eventId: data.id ?? null });
});
