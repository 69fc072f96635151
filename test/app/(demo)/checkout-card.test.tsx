// @vitest-environment jsdom
/**
 * The demo's checkout card (app/(demo)/checkout-card.tsx) on the real routes of `npm run dev`:
 * each button has POST /api/dev/service-plugin sign a sample call for the sample site and send it
 * through the service-plugin entry, and the card shows the answer as Wix would read it — from the
 * site's checkout settings, which the owner saves with PUT /api/settings — and the request that
 * was signed. Gift cards issued from the card (POST /api/gift-cards) answer the balance call.
 */
import { randomUUID } from 'node:crypto';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { POST as devServicePlugin } from '@/app/(demo)/api/dev/service-plugin/route';
import { CheckoutCard } from '@/app/(demo)/checkout-card';
import { POST as createGiftCard } from '@/app/api/gift-cards/route';
import { DEFAULT_CHECKOUT_SETTINGS, type CheckoutSettings } from '@/lib/settings/checkout-settings';
import type { Route } from 'wix-app-backend';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import {
  ownerOf as ownerOfSite,
  saveCheckout as saveSiteCheckout,
  type SampleSite,
} from './sample-site';
import { createTestApp, TEST_BASE_URL, type TestApp } from '@/test/kit';

let kit: TestApp;
/** `npm run dev` on the development credentials, with the signing key it hands the app. */
let dev: TestApp;
/** The app the card's requests reach: `dev` unless a test says otherwise. */
let serving: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
  dev = kit.asDevServer();
});
afterAll(() => kit.close());

const ROUTES: Record<string, Route<never>> = {
  'POST /api/dev/service-plugin': devServicePlugin,
  'POST /api/gift-cards': createGiftCard,
};

/** What the card's fetches reached. */
let served: { method: string; url: string; status: number; authorization: string | null }[] = [];

// The browser's fetch, routed to the real route handlers.
async function fetchToHandlers(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  const request = new Request(new URL(url, TEST_BASE_URL), init);
  const { pathname, search } = new URL(request.url);
  const handler = ROUTES[`${request.method} ${pathname}`];
  if (!handler) throw new Error(`no route handler for ${request.method} ${pathname}`);
  const response = await handler.withContext(serving.app)(request);
  served.push({
    method: request.method,
    url: `${pathname}${search}`,
    status: response.status,
    authorization: request.headers.get('authorization'),
  });
  return response;
}

beforeEach(() => {
  served = [];
  serving = dev;
  vi.stubGlobal('fetch', vi.fn(fetchToHandlers));
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ownerOf = (site: SampleSite) => ownerOfSite(dev, site);
const saveCheckout = (site: SampleSite, checkout: CheckoutSettings) =>
  saveSiteCheckout(dev, site, checkout);

async function renderCard(site: 'a' | 'b') {
  const instance = await ownerOf(site);
  render(<CheckoutCard instance={instance} site={site} step={8} settingsStep={4} />);
  return instance;
}

const text = (testId: string) => screen.getByTestId(testId).textContent ?? '';
const click = (name: string) => fireEvent.click(screen.getByRole('button', { name }));
/** Clicks `name` and waits for the answer to the call it sends. */
async function sendCall(name: string): Promise<void> {
  const before = served.length;
  click(name);
  // Signing and the checkout handlers' database reads: room for a busy machine.
  await waitFor(() => expect(served.length).toBe(before + 1), { timeout: 5_000 });
  await waitFor(() =>
    expect(screen.getByRole('button', { name }).hasAttribute('disabled')).toBe(false),
  );
}

describe('CheckoutCard', () => {
  it('sends the fees call for the sample site and lists the fee with its currency, and the request it signed', async () => {
    await renderCard('a');
    await sendCall('Additional fees');
    expect(served).toEqual([
      {
        method: 'POST',
        url: '/api/dev/service-plugin?site=a&case=fees&currency=USD',
        status: 200,
        authorization: null,
      },
    ]);
    expect(text('checkout-call')).toBe(
      'POST /api/service-plugins/v1/calculate-additional-fees → HTTP 200',
    );
    expect(text('checkout-answer')).toBe('Handling (handling-fee): 2.50 USD');
    const sent = JSON.parse(text('checkout-sent')) as { metadata: Record<string, unknown> };
    expect(sent.metadata).toMatchObject({
      instanceId: DEV_SAMPLE_SITES.a.instanceId,
      currency: 'USD',
      appExtensionType: 'ECOM_ADDITIONAL_FEES',
    });

    // The site's currency is the metadata's, and the fee follows it.
    fireEvent.change(screen.getByLabelText(/currency/), { target: { value: 'EUR' } });
    await sendCall('Additional fees');
    expect(text('checkout-answer')).toBe('Handling (handling-fee): 2.50 EUR');
  });

  it('shows the fee the owner saved, and none once the fee is emptied', async () => {
    await renderCard('b');
    await saveCheckout('b', { ...DEFAULT_CHECKOUT_SETTINGS, handlingFee: '7.25' });
    await sendCall('Additional fees');
    expect(text('checkout-answer')).toBe('Handling (handling-fee): 7.25 USD');

    await saveCheckout('b', { ...DEFAULT_CHECKOUT_SETTINGS, handlingFee: null });
    await sendCall('Additional fees');
    expect(text('checkout-answer')).toBe('No fees (the answer is in USD).');
  });

  it('lists the rates, and shows a missing postal code as the applicationError and status Wix sees', async () => {
    await renderCard('a');
    await sendCall('Shipping rates');
    expect(text('checkout-call')).toContain('/api/service-plugins/v1/getRates → HTTP 200');
    const rates = screen.getByTestId('checkout-answer').querySelectorAll('li');
    expect([...rates].map((li) => li.textContent)).toEqual([
      'Standard (standard): 5.00 USD, 3-5 business days',
      'Express (express): 15.00 USD, 1 business day',
    ]);

    await sendCall('Shipping rates, no postal code');
    expect(text('checkout-call')).toContain('HTTP 400');
    expect(screen.getByTestId('checkout-call').querySelector('.bad')?.textContent).toBe('HTTP 400');
    expect(text('checkout-answer')).toContain(
      'Wix sees HTTP 400 with applicationError MISSING_POSTAL_CODE: a business answer',
    );
    // What was signed is shown: a destination without the postal code the origin has.
    const sent = JSON.parse(text('checkout-sent')) as {
      request: { shippingDestination: object; shippingOrigin: object };
    };
    expect(sent.request.shippingDestination).not.toHaveProperty('postalCode');
    expect(sent.request.shippingOrigin).toHaveProperty('postalCode');
  });

  it('shows the line over the limit as an error that blocks the order', async () => {
    await renderCard('a');
    await sendCall('Validations (a line of 12)');
    expect(text('checkout-answer')).toBe(
      'ERROR on line line-2: At most 10 of one item per order. Wix blocks the order until it is fixed.',
    );
  });

  it("issues a gift card with the site's instance, then answers its balance through the plugin", async () => {
    const instance = await renderCard('a');
    const code = `GIFT-${randomUUID().slice(0, 8)}`;
    fireEvent.change(screen.getByLabelText(/Gift card code/), { target: { value: code } });

    await sendCall('Gift card balance');
    expect(served.at(-1)?.url).toBe(
      `/api/dev/service-plugin?site=a&case=gift-card-balance&currency=USD&code=${code}`,
    );
    expect(text('checkout-call')).toContain('/api/service-plugins/v1/balance → HTTP 404');
    expect(text('checkout-answer')).toContain('applicationError GIFT_CARD_NOT_FOUND');

    fireEvent.change(screen.getByLabelText(/Amount/), { target: { value: '40.50' } });
    await sendCall('Issue the card');
    expect(served.at(-1)).toEqual({
      method: 'POST',
      url: '/api/gift-cards',
      status: 201,
      authorization: instance,
    });
    expect(text('gift-card-issued')).toContain(`Issued ${code} with 40.5 USD`);

    await sendCall('Gift card balance');
    expect(text('checkout-call')).toContain('HTTP 200');
    expect(text('checkout-answer')).toBe('Balance: 40.5 USD');

    // The same code again is refused by the API, in its words.
    await sendCall('Issue the card');
    expect(text('gift-card-error-code')).toBe('invalid_body');
    expect(screen.getAllByRole('alert').at(-1)?.textContent).toContain('already a card');
  });

  it("shows the dev route's own refusal as a problem: no signing key, no call", async () => {
    serving = dev.withEnv({ WIX_DEV_WEBHOOK_SIGNING_KEY: '' });
    await renderCard('a');
    await sendCall('Additional fees');
    expect(text('checkout-error-code')).toBe('not_found');
    expect(screen.queryByTestId('checkout-answer')).toBeNull();
  });
});
