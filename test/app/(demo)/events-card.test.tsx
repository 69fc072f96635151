// @vitest-environment jsdom
import { randomUUID } from 'node:crypto';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { POST as devWebhook } from '@/app/(demo)/api/dev/webhook/route';
import { EventsCard } from '@/app/(demo)/events-card';
import { GET as orders } from '@/app/api/examples/orders/route';
import { GET as premium } from '@/app/api/examples/premium/route';
import { POST as refreshPlan } from '@/app/api/plan/refresh/route';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import type { Route } from 'wix-app-backend';
import { createTestApp, TEST_BASE_URL, type TestApp } from '@/test/kit';

/**
 * `npm run dev` on the development credentials: the local emulator emulating the development app
 * (for the plan refresh), and the signing key for the demo's sample deliveries — the test kit's
 * pair standing in for the local one.
 */
let kit: TestApp;
let dev: TestApp;
// The server's own calls to Wix go out on the real fetch: the browser's is stubbed below.
const serverFetch = globalThis.fetch.bind(globalThis);
beforeAll(async () => {
  kit = await createTestApp({
    emulator: { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET },
    fetch: serverFetch,
  });
  dev = kit.asDevServer({
    // As `npm run dev` says when it started the emulator for the app.
    WIX_EMULATOR: '1',
  });
});
afterAll(() => kit.close());

const ROUTES: Record<string, Route<never>> = {
  'GET /api/examples/premium': premium,
  'GET /api/examples/orders': orders,
  'POST /api/plan/refresh': refreshPlan,
  'POST /api/dev/webhook': devWebhook,
};

/** What the card's fetches reached. */
let served: { method: string; path: string; status: number; authorization: string | null }[] = [];

// The browser's fetch, routed to the real route handlers on the development app.
async function fetchToHandlers(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  // The dev webhook route telling the emulator (global fetch, as dev tools use) goes out for real.
  if (url.startsWith(`${kit.emulator!.url}/`)) return serverFetch(input, init);
  const request = new Request(new URL(url, TEST_BASE_URL), init);
  const path = new URL(request.url).pathname;
  const handler = ROUTES[`${request.method} ${path}`];
  if (!handler) throw new Error(`no route handler for ${request.method} ${path}`);
  const response = await handler.withContext(dev.app)(request);
  served.push({
    method: request.method,
    path,
    status: response.status,
    authorization: request.headers.get('authorization'),
  });
  return response;
}

beforeEach(() => {
  served = [];
  vi.stubGlobal('fetch', vi.fn(fetchToHandlers));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/**
 * A sample site's instance, as the demo page holds it (signed with the development secret); for
 * `null`, a site of its own that no other test buys a plan for.
 */
const instanceOf = (site: 'a' | 'b' | null) =>
  dev.signInstance({
    instanceId: site ? DEV_SAMPLE_SITES[site].instanceId : randomUUID(),
    secret: DEV_APP_SECRET,
    appDefId: DEV_APP_ID,
  });

const text = (testId: string) => screen.getByTestId(testId).textContent ?? '';
const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
const ordersShown = () => Number(/"ordersSeen":(\d+)/.exec(text('orders-result'))?.[1]);

async function renderCard(site: 'a' | 'b' | null, sampleEvents = true) {
  const instance = await instanceOf(site);
  render(<EventsCard instance={instance} site={site} sampleEvents={sampleEvents} step={7} />);
  await waitFor(() => expect(screen.getByTestId('orders-result')).toBeTruthy());
  return instance;
}

describe('EventsCard', () => {
  it('shows the plan-gated route refusing a free site, and its order count, with the instance as Authorization', async () => {
    const instance = await renderCard(null);
    expect(text('premium-result')).toContain('HTTP 403 plan_required');
    expect(text('orders-result')).toMatch(/HTTP 200.*"ordersSeen":\d+/);
    expect(served).toEqual([
      { method: 'GET', path: '/api/examples/premium', status: 403, authorization: instance },
      { method: 'GET', path: '/api/examples/orders', status: 200, authorization: instance },
    ]);
  });

  it.each([
    ['a sample site, which can buy a plan here', 'a' as const, true, 'Purchase a plan below'],
    ['any other site', null, false, 'A paid plan bought in Wix opens it'],
  ])(
    'explains the free plan’s 403 on first load for %s, in no error colour',
    async (_label, site, sampleEvents, hint) => {
      // A site of its own, free whatever the other tests bought for the sample sites; `site`
      // only decides whether the card offers the purchase buttons.
      render(
        <EventsCard
          instance={await instanceOf(null)}
          site={site}
          sampleEvents={sampleEvents}
          step={7}
        />,
      );
      await waitFor(() => expect(screen.getByTestId('premium-result')).toBeTruthy());
      const premium = text('premium-result');
      expect(premium).toContain('HTTP 403 plan_required — as it should be');
      expect(premium).toContain('this site is on the free plan');
      expect(premium).toContain(hint);
      expect(premium).not.toContain('"type"'); // not the raw problem body
      expect(screen.getByTestId('events-card').querySelector('.bad')).toBeNull();
    },
  );

  it.each([
    ['without a key to sign sample deliveries', 'a' as const, false],
    ['for a site that is not a sample site', null, true],
  ])('offers no buttons %s', async (_label, site, sampleEvents) => {
    await renderCard(site, sampleEvents);
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryByTestId('event-sent')).toBeNull();
  });

  it('purchases plan gold for the sample site as Wix would, the route lets it in, and a refresh from Wix keeps it', async () => {
    await renderCard('a');
    expect(text('premium-result')).toContain('HTTP 403');

    fireEvent.click(button('Purchase plan “gold”'));
    await waitFor(() => expect(text('premium-result')).toContain('HTTP 200'));
    expect(text('event-sent')).toContain('HTTP 200');
    expect(text('event-sent')).toContain('"type":"PaidPlanPurchased"');
    expect(text('event-sent')).toContain('"outcome":"applied"');
    expect(text('premium-result')).toContain('"id":"gold"');

    // Cancelled renewal: still paid until the plan expires.
    fireEvent.click(button('Cancel auto-renewal'));
    await waitFor(() => expect(text('event-sent')).toContain('PaidPlanAutoRenewalCancelled'));
    await waitFor(() => expect(text('premium-result')).toContain('"autoRenews":false'));
    expect(text('premium-result')).toContain('HTTP 200');
    expect(served.filter((s) => s.path === '/api/dev/webhook')).toEqual([
      { method: 'POST', path: '/api/dev/webhook', status: 200, authorization: null },
      { method: 'POST', path: '/api/dev/webhook', status: 200, authorization: null },
    ]);

    // The refresh asks the emulator, which heard of the purchase and the cancellation from the
    // same deliveries: nothing is undone.
    fireEvent.click(button('Refresh the plan from Wix'));
    await waitFor(() => expect(text('event-sent')).toContain('"plan":'));
    expect(text('event-sent')).toContain('"id":"gold"');
    expect(text('event-sent')).toContain('"autoRenews":false');
    await waitFor(() => expect(served.at(-1)?.path).toBe('/api/examples/orders'));
    expect(text('premium-result')).toContain('HTTP 200');
    expect(text('premium-result')).toContain('"id":"gold"');
    expect(served.find((s) => s.path === '/api/plan/refresh')).toMatchObject({ status: 200 });
  });

  it('counts an order once, and its redelivery not again', async () => {
    await renderCard('b');
    const before = ordersShown();
    expect(button('Redeliver that order event').disabled).toBe(true);

    fireEvent.click(button('An order is created'));
    await waitFor(() => expect(ordersShown()).toBe(before + 1));
    expect(text('event-sent')).toContain('"queued":true');
    // Its handler ran before the answer, and the answer says so (not "ignored").
    expect(text('event-sent')).toContain('"outcome":"handled"');
    expect(text('event-sent')).toContain('"handler":"ran"');
    await waitFor(() => expect(button('Redeliver that order event').disabled).toBe(false));

    fireEvent.click(button('Redeliver that order event'));
    await waitFor(() => expect(text('event-sent')).toContain('"outcome":"duplicate"'));
    expect(ordersShown()).toBe(before + 1);
  });

  it('refreshes the plan from Wix, and the route follows it', async () => {
    kit.emulator!.setInstance(DEV_SAMPLE_SITES.b.instanceId, {
      paid: { vendorProductId: 'platinum' },
    });
    await renderCard('b');
    expect(text('premium-result')).toContain('HTTP 403');

    fireEvent.click(button('Refresh the plan from Wix'));
    await waitFor(() => expect(text('premium-result')).toContain('HTTP 200'));
    expect(text('event-sent')).toContain('"id":"platinum"');
    expect(served.find((s) => s.path === '/api/plan/refresh')).toMatchObject({
      method: 'POST',
      status: 200,
    });
  });
});
