// @vitest-environment jsdom
/**
 * The demo's settings editor (app/(demo)/settings-editor.tsx) on the real settings routes: its
 * checkout section shows what the plugins use (the defaults until the site saves its own), saves
 * with the rest of the document under If-Match — every other field kept as it was — shows the
 * API's own words for a value it refuses, and a stale save as the 412 it is.
 */
import { randomUUID } from 'node:crypto';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SettingsEditor } from '@/app/(demo)/settings-editor';
import { GET as getSettings, PUT as putSettings } from '@/app/api/settings/route';
import { DEFAULT_CHECKOUT_SETTINGS, type CheckoutSettings } from '@/lib/settings/checkout-settings';
import type { Settings } from '@/lib/settings/settings-schema';
import type { Route } from 'wix-app-backend';
import { createTestApp, TEST_BASE_URL, type TestApp } from '@/test/kit';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

const ROUTES: Record<string, Route<never>> = {
  'GET /api/settings': getSettings,
  'PUT /api/settings': putSettings,
};

/** The PUTs the editor sent, as the API read them. */
let puts: { ifMatch: string | null; body: Record<string, unknown>; status: number }[] = [];

// The browser's fetch, routed to the real route handlers.
async function fetchToHandlers(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  const request = new Request(new URL(url, TEST_BASE_URL), init);
  const path = new URL(request.url).pathname;
  const handler = ROUTES[`${request.method} ${path}`];
  if (!handler) throw new Error(`no route handler for ${request.method} ${path}`);
  const body = request.method === 'PUT' ? ((await request.clone().json()) as never) : null;
  const response = await handler.withContext(kit.app)(request);
  if (body) puts.push({ ifMatch: request.headers.get('if-match'), body, status: response.status });
  return response;
}

beforeEach(() => {
  puts = [];
  vi.stubGlobal('fetch', vi.fn(fetchToHandlers));
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** A new site's owner. */
const newSite = async () => {
  const instanceId = randomUUID();
  return { instanceId, instance: await kit.signInstance({ instanceId }) };
};

/** The site's settings as the API has them now (not as the form shows them). */
async function stored(instance: string): Promise<{ settings: Settings; version: number }> {
  const response = await kit.call(getSettings, '/api/settings', { auth: instance });
  return (await response.json()) as { settings: Settings; version: number };
}

/** Saves `settings` as someone else would (another tab, another admin). */
async function saveElsewhere(instance: string, settings: Settings): Promise<void> {
  const { version } = await stored(instance);
  const response = await kit.call(putSettings, '/api/settings', {
    method: 'PUT',
    auth: instance,
    headers: { 'if-match': `"${version}"` },
    json: settings,
  });
  expect(response.status).toBe(200);
}

async function renderEditor(instance: string) {
  render(
    <SettingsEditor instance={instance} step={4} checkoutDefaults={DEFAULT_CHECKOUT_SETTINGS} />,
  );
  await screen.findByTestId('settings-version', {}, { timeout: 5_000 });
  return within(screen.getByTestId('checkout-settings'));
}

const input = (scope: ReturnType<typeof within>, label: string | RegExp) =>
  scope.getByLabelText(label) as HTMLInputElement;
const FEE = /^Handling fee/;
const WAIVE = 'No handling fee for a site on a paid plan';
const MAX = /^Most of one item per cart line/;
const edit = (element: HTMLInputElement, value: string) =>
  fireEvent.change(element, { target: { value } });
const save = async () => {
  const before = puts.length;
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  await waitFor(() => expect(puts.length).toBe(before + 1), { timeout: 5_000 });
};

describe('SettingsEditor, checkout section', () => {
  it('shows the checkout defaults the plugins use for a site that saved none', async () => {
    const { instance } = await newSite();
    const checkout = await renderEditor(instance);
    expect(input(checkout, FEE).value).toBe('2.50');
    expect(input(checkout, WAIVE).checked).toBe(true);
    expect(input(checkout, MAX).value).toBe('10');
    expect(input(checkout, 'Rate 1 code').value).toBe('standard');
    expect(input(checkout, 'Rate 2 price').value).toBe('15.00');
    expect(input(checkout, 'Rate 2 delivery time').value).toBe('1 business day');
    expect(checkout.queryByLabelText('Rate 3 code')).toBeNull();
  });

  it('saves the handling fee, the waiver, the limit and the rates, keeping greeting, theme and email', async () => {
    const { instance } = await newSite();
    const others = { greeting: 'Welcome!', theme: 'dark', notificationEmail: 'o@example.com' };
    await saveElsewhere(instance, others as Settings);
    const checkout = await renderEditor(instance);
    expect((screen.getByLabelText('Greeting') as HTMLInputElement).value).toBe('Welcome!');

    edit(input(checkout, FEE), ' 9.75 ');
    fireEvent.click(input(checkout, WAIVE));
    edit(input(checkout, MAX), '3');
    fireEvent.click(checkout.getByRole('button', { name: 'Remove rate 1' }));
    fireEvent.click(checkout.getByRole('button', { name: 'Add a rate' }));
    edit(input(checkout, 'Rate 2 code'), 'pickup');
    edit(input(checkout, 'Rate 2 title'), 'Pick-up in store');
    edit(input(checkout, 'Rate 2 price'), '0');
    edit(input(checkout, 'Rate 2 delivery time'), 'same day');
    await save();

    expect(puts).toEqual([expect.objectContaining({ ifMatch: '"1"', status: 200 })]);
    const expected: CheckoutSettings = {
      handlingFee: '9.75',
      waiveFeeOnPaidPlan: false,
      maxQuantityPerLineItem: 3,
      shippingRates: [
        DEFAULT_CHECKOUT_SETTINGS.shippingRates[1]!,
        { code: 'pickup', title: 'Pick-up in store', price: '0', deliveryTime: 'same day' },
      ],
    };
    expect(await stored(instance)).toMatchObject({
      version: 2,
      settings: { ...others, checkout: expected },
    });
    expect((await screen.findByRole('status')).textContent).toBe('Saved as version 2.');
    // The form shows what was saved, as the next load will.
    expect(input(checkout, FEE).value).toBe('9.75');
  });

  it("keeps the site's own checkout section when only the greeting changes", async () => {
    const { instance } = await newSite();
    const own: CheckoutSettings = {
      handlingFee: '4.00',
      waiveFeeOnPaidPlan: false,
      maxQuantityPerLineItem: null,
      shippingRates: [],
    };
    await saveElsewhere(instance, { greeting: 'Hi', theme: 'light', checkout: own });
    const checkout = await renderEditor(instance);
    expect(input(checkout, FEE).value).toBe('4.00');
    expect(input(checkout, MAX).value).toBe('');
    expect(checkout.queryByLabelText('Rate 1 code')).toBeNull();

    edit(screen.getByLabelText('Greeting') as HTMLInputElement, 'Hello again');
    await save();
    expect((await stored(instance)).settings).toEqual({
      greeting: 'Hello again',
      theme: 'light',
      notificationEmail: null,
      checkout: own,
    });
  });

  it('saves an empty fee and an empty limit as none', async () => {
    const { instance } = await newSite();
    const checkout = await renderEditor(instance);
    edit(input(checkout, FEE), '  ');
    edit(input(checkout, MAX), '');
    await save();
    expect((await stored(instance)).settings.checkout).toMatchObject({
      handlingFee: null,
      maxQuantityPerLineItem: null,
    });
  });

  it("shows the API's words for what it refuses, and saves nothing", async () => {
    const { instance } = await newSite();
    const checkout = await renderEditor(instance);
    edit(input(checkout, FEE), '2,50');
    edit(input(checkout, MAX), 'ten');
    edit(input(checkout, 'Rate 1 code'), ' ');
    await save();

    expect(puts.map((put) => put.status)).toEqual([400]);
    const alert = screen.getByRole('alert');
    expect(screen.getByTestId('settings-error-code').textContent).toBe('invalid_settings');
    expect(alert.textContent).toContain('checkout.handlingFee: a decimal string');
    expect(alert.textContent).toContain('checkout.shippingRates.0.code: must not be empty');
    expect(alert.textContent).toContain('checkout.maxQuantityPerLineItem:');
    expect(await stored(instance)).toMatchObject({ version: 0 });

    // A limit of 0 is refused in the same words as the API's bound.
    edit(input(checkout, FEE), '2.50');
    edit(input(checkout, MAX), '0');
    edit(input(checkout, 'Rate 1 code'), 'standard');
    await save();
    expect(screen.getByRole('alert').textContent).toContain(
      'checkout.maxQuantityPerLineItem: must be at least 1',
    );
    expect(screen.getByRole('alert').textContent).not.toContain('handlingFee');
  });

  it('refuses a save over a newer version with 412, overwriting nothing, and reloads the latest', async () => {
    const { instance } = await newSite();
    const checkout = await renderEditor(instance);
    await saveElsewhere(instance, {
      greeting: 'Changed elsewhere',
      theme: 'light',
      checkout: { ...DEFAULT_CHECKOUT_SETTINGS, handlingFee: '1.00' },
    });

    edit(input(checkout, FEE), '5.00');
    await save();
    expect(puts).toEqual([expect.objectContaining({ ifMatch: '"0"', status: 412 })]);
    expect(screen.getByTestId('settings-conflict').textContent).toContain('version_conflict');
    expect((await stored(instance)).settings.checkout?.handlingFee).toBe('1.00');

    fireEvent.click(screen.getByRole('button', { name: 'Reload the latest' }));
    await waitFor(() =>
      expect(input(within(screen.getByTestId('checkout-settings')), FEE).value).toBe('1.00'),
    );
    expect(screen.getByTestId('settings-version').textContent).toBe('version 1');
  });
});
