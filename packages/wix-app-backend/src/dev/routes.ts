/**
 * The handlers of the development tools behind the demo page (`npm run dev`): a signed instance
 * for a sample site, a site-widget access token from the local Wix emulator, a signed sample
 * webhook delivery and a signed sample checkout call. Each answers 404 unless the app runs on the
 * development credentials. The demo's route files wrap them with `publicRoute`; removing the demo
 * removes them.
 */
import { decodeJwt } from 'jose';
import type { AppContext } from '../app/context';
import { handleWixWebhook } from '../app/webhooks';
import { AppError } from '../errors/app-error';
import { answerError } from '../http/answer-error';
import { newRequestId } from '../http/request-id';
import { json, type RouteHandler } from '../http/route';
import { servicePluginCall } from '../routes';
import {
  fetchEmulatorWidgetToken,
  WIDGET_SUBJECT_TYPES,
  type WidgetSubjectType,
} from './emulator-widget-token';
import { syncEmulatorInstance } from './emulator-sync';
import { mintDevInstance } from './mint-dev-instance';
import { DEV_SAMPLE_SITES, parseDevSampleSite } from './sample-sites';
import {
  DEV_SERVICE_PLUGIN_CASES,
  MAX_GIFT_CARD_CODE_LENGTH,
  parseDevServicePluginCase,
  sampleServicePluginRequest,
} from './service-plugin-samples';
import { signServicePluginRequest } from './sign-service-plugin';
import { sampleEventData, signWixWebhook } from './sign-webhook';

/** Development only: a freshly signed instance for one of the sample sites. 404 in production. */
export const devInstance: RouteHandler = async (request, app) => {
  if (!app.config.devToolsEnabled) throw new AppError('not_found');
  const site = parseDevSampleSite(new URL(request.url).searchParams.get('site'));
  if (!site) throw new AppError('invalid_request', 'site must be "a" or "b".');
  return json(await mintDevInstance(app.config, site));
};

/**
 * Development only, and only against the local Wix emulator: a site-widget access token for a
 * sample site, to try the Token Info path. 404 otherwise.
 */
export const devAccessToken: RouteHandler = async (request, app) => {
  const { config } = app;
  if (!config.devToolsEnabled || !config.usingWixEmulator) throw new AppError('not_found');
  const params = new URL(request.url).searchParams;
  const site = parseDevSampleSite(params.get('site'));
  const subject = params.get('subject') ?? 'USER';
  if (!site || !WIDGET_SUBJECT_TYPES.includes(subject as WidgetSubjectType)) {
    throw new AppError(
      'invalid_request',
      'site must be "a" or "b"; subject USER, MEMBER or VISITOR.',
    );
  }
  return json(await fetchEmulatorWidgetToken(config, site, subject as WidgetSubjectType));
};

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
 * earlier one again — a redelivery. On the local emulator, an applied app-instance event is also
 * told to the emulator, so a plan refresh agrees with it. 404 otherwise.
 */
export const devWebhook: RouteHandler = async (request, app) => {
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
  const delivery = await handleWixWebhook(app, body);
  // What Wix would report from then on: the emulator hears of the change too (emulator-sync.ts).
  if (app.config.usingWixEmulator && delivery.outcome === 'applied') {
    await syncEmulatorInstance(app.config, instanceId, delivery.envelope.event);
  }
  const drained = delivery.queued ? await app.drainEvents() : null;
  const handler = delivery.queued ? await handlerState(app, delivery.deliveryId) : null;
  // Unlike the webhook route, this one ran the handler before answering: say what it did.
  const outcome = delivery.outcome === 'queued' && handler === 'ran' ? 'handled' : delivery.outcome;
  const { queued } = delivery;
  return json({ type, instanceId, outcome, queued, handler, drained, eventId: data.id ?? null });
};

/** Where a queued event's handler stands after a drain: it ran, it will run again, or never. */
async function handlerState(
  app: AppContext,
  id: string,
): Promise<'ran' | 'will retry' | 'gave up' | 'waiting'> {
  const database = await app.database();
  const event = await database.eventQueue.get(id);
  if (event?.status === 'done') return 'ran';
  if (event?.status === 'failed') return 'gave up';
  // Pending: its handler threw and waits for a retry, or another worker holds it right now.
  return event && event.attempts > 0 ? 'will retry' : 'waiting';
}

/** Where the app serves its service plugins: every extension's deploymentUri (docs/service-plugins.md). */
const SERVICE_PLUGINS_PATH = '/api/service-plugins';

/**
 * Development only (`npm run dev`, which hands the app the local key pair): signs a sample
 * checkout call for a sample site as Wix would (src/dev/service-plugin-samples.ts) and sends it
 * through `servicePluginCall` — the entry behind the app's service-plugin route — in this
 * process, so it meets the same verification, routing, handlers, deadline and answer check as
 * Wix's call. Answers what was sent (the JWT and its `data` claim, decoded) and what Wix would
 * have read: the entry's status and body, a refusal or a handler's failure included. `currency`
 * is the site's (default USD); `code` the gift card a balance call asks for. 404 otherwise.
 */
export const devServicePlugin: RouteHandler = async (request, app) => {
  const key = app.config.devWebhookSigningKey;
  if (!app.config.devToolsEnabled || !key) throw new AppError('not_found');
  const params = new URL(request.url).searchParams;
  const site = parseDevSampleSite(params.get('site'));
  const sample = parseDevServicePluginCase(params.get('case'));
  const currency = params.get('currency') ?? 'USD';
  if (!site || !sample || !/^[A-Z]{3}$/.test(currency)) {
    throw new AppError(
      'invalid_request',
      `site must be "a" or "b"; case one of ${Object.keys(DEV_SERVICE_PLUGIN_CASES).join(', ')}; currency an ISO 4217 code such as USD.`,
    );
  }
  const code = params.get('code')?.trim() ?? '';
  if (sample === 'gift-card-balance' && (code === '' || code.length > MAX_GIFT_CARD_CODE_LENGTH)) {
    throw new AppError(
      'invalid_request',
      `code must name the gift card (1 to ${MAX_GIFT_CARD_CODE_LENGTH} characters).`,
    );
  }
  const { instanceId } = DEV_SAMPLE_SITES[site];
  const { appExtensionType, path } = DEV_SERVICE_PLUGIN_CASES[sample];
  const jwt = await signServicePluginRequest(
    {
      appId: app.config.wixAppId,
      appExtensionType,
      instanceId,
      request: sampleServicePluginRequest(sample, { giftCardCode: code }),
      currency,
    },
    key,
  );
  const url = new URL(`${SERVICE_PLUGINS_PATH}${path}`, request.url);
  const answer = await callServicePluginEntry(
    app,
    new Request(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: jwt }),
  );
  return json({
    site,
    case: sample,
    instanceId,
    method: 'POST',
    path: url.pathname,
    sent: decodeJwt(jwt).data,
    jwt,
    status: answer.status,
    answer: (await answer.json().catch(() => null)) as unknown,
  });
};

/**
 * The entry as the app's route serves it: what it throws (a refusal, a handler's failure) is
 * answered the way the route wrapper answers it — a problem, a 5xx logged — so the page shows
 * what Wix would have read instead of this route failing.
 */
async function callServicePluginEntry(app: AppContext, call: Request): Promise<Response> {
  try {
    return await servicePluginCall(call, app, {});
  } catch (error) {
    return answerError(error, { log: app.log, requestId: newRequestId(), request: call });
  }
}
