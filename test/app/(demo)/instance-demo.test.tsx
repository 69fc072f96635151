// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GET as devInstanceGET } from '@/app/(demo)/api/dev/instance/route';
import { POST as devWebhookPOST } from '@/app/(demo)/api/dev/webhook/route';
import { InstanceDemo, type InstanceDemoProps } from '@/app/(demo)/instance-demo';
import { GET as ordersGET } from '@/app/api/examples/orders/route';
import { GET as premiumGET } from '@/app/api/examples/premium/route';
import { GET as meGET } from '@/app/api/me/route';
import { GET as notesGET } from '@/app/api/notes/route';
import { GET as settingsGET } from '@/app/api/settings/route';
import { DEFAULT_CHECKOUT_SETTINGS } from '@/lib/settings/checkout-settings';
import type { Route } from 'wix-app-backend';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import { INSTANCE_A } from 'wix-app-backend/testing/instances';
import { createTestApp, TEST_APP_ID, TEST_BASE_URL, type TestApp } from '@/test/kit';

let kit: TestApp;
/** `npm run dev` on the development credentials, with the key that signs sample deliveries. */
let dev: TestApp;
/** The app the page's requests reach: the test app unless a test says otherwise. */
let serving: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
  dev = kit.asDevServer();
});
afterAll(() => kit.close());

const ROUTES: Record<string, Route> = {
  '/api/me': meGET,
  '/api/dev/instance': devInstanceGET,
  '/api/dev/webhook': devWebhookPOST as Route,
  // What the cards below step 3 load once the instance is verified.
  '/api/settings': settingsGET,
  '/api/notes': notesGET,
  '/api/examples/premium': premiumGET,
  '/api/examples/orders': ordersGET,
};

/** What the page's fetches reached, so a test can tell a real answer from a stubbed one. */
let served: { path: string; status: number }[] = [];

// The browser's fetch, routed to the real route handlers in this process, on the kit's app.
async function fetchToHandlers(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  const request = new Request(new URL(url, TEST_BASE_URL), init);
  const path = new URL(request.url).pathname;
  const handler = ROUTES[path];
  if (!handler) throw new Error(`no route handler for ${path}`);
  const response = await handler.withContext(serving.app)(request);
  served.push({ path, status: response.status });
  return response;
}

/** A signed instance of the test app for INSTANCE_A, as the Wix dashboard puts it in the URL. */
const instanceOfA = (options: { signDate?: string; secret?: string } = {}) =>
  kit.signInstance({ instanceId: INSTANCE_A, ...options });

function renderDemo(props: Partial<InstanceDemoProps> = {}) {
  return render(
    <InstanceDemo
      appId={TEST_APP_ID}
      devToolsEnabled={true}
      usingDevCredentials={false}
      checkoutDefaults={DEFAULT_CHECKOUT_SETTINGS}
      {...props}
    />,
  );
}

function openWith(instance: string | null) {
  window.history.replaceState(
    null,
    '',
    instance === null ? '/' : `/?instance=${encodeURIComponent(instance)}`,
  );
}

beforeEach(() => {
  served = [];
  serving = kit;
  vi.stubGlobal('fetch', vi.fn(fetchToHandlers));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  openWith(null);
});

describe('InstanceDemo', () => {
  it('shows the instance id the backend verified and the decoded instance marked unverified', async () => {
    openWith(await instanceOfA());
    renderDemo();
    expect(await screen.findByTestId('verified-instance-id')).toHaveProperty(
      'textContent',
      INSTANCE_A,
    );
    // The first request is the check of the instance; the cards below load after it.
    expect(served[0]).toEqual({ path: '/api/me', status: 200 });
    expect(screen.getByTestId('decoded-instance').textContent).toContain(INSTANCE_A);
    const step1 = screen.getByRole('heading', { name: /Instance found in the URL/ });
    expect(within(step1).getByText('unverified')).toBeTruthy();
    expect(screen.queryByTestId('error-code')).toBeNull();
  });

  it('sends the instance from the URL as the raw Authorization value', async () => {
    const instance = await instanceOfA();
    openWith(instance);
    renderDemo();
    await screen.findByTestId('verified-instance-id');
    const [, init] = vi.mocked(fetch).mock.calls[0]!;
    expect(new Headers(init?.headers).get('authorization')).toBe(instance);
  });

  it.each([
    ['in production, where the access-token step is hidden', false, 7],
    ['in development on the emulator, with the access-token step', true, 8],
  ])('numbers the steps it shows without a gap %s', async (_label, onEmulator, steps) => {
    openWith(await instanceOfA());
    renderDemo({ devToolsEnabled: onEmulator, usingWixEmulator: onEmulator });
    await screen.findByTestId('verified-instance-id');
    await screen.findByTestId('orders-result');
    await screen.findByTestId('settings-version');
    await screen.findByTestId('notes-empty');
    const numbers = screen
      .getAllByRole('heading', { level: 2 })
      .map((heading) => heading.querySelector('.n')?.textContent);
    expect(numbers).toEqual(Array.from({ length: steps }, (_, i) => String(i + 1)));
    expect(screen.queryByRole('heading', { name: /Access token/ }) !== null).toBe(onEmulator);
    // Not a sample site with a signing key: no checkout step.
    expect(screen.queryByRole('heading', { name: /Checkout/ })).toBeNull();
  });

  it('adds the checkout step last, numbered after the events step, for a sample site that can sign calls', async () => {
    serving = dev;
    openWith(
      await dev.signInstance({
        instanceId: DEV_SAMPLE_SITES.a.instanceId,
        secret: DEV_APP_SECRET,
        appDefId: DEV_APP_ID,
      }),
    );
    renderDemo({ appId: DEV_APP_ID, usingDevCredentials: true, sampleEvents: true });
    // The cards load one after the other on the development app: room for a busy machine.
    await screen.findByTestId('orders-result', {}, { timeout: 5_000 });
    await screen.findByTestId('settings-version', {}, { timeout: 5_000 });
    const headings = screen.getAllByRole('heading', { level: 2 });
    expect(headings.map((heading) => heading.querySelector('.n')?.textContent)).toEqual(
      Array.from({ length: 8 }, (_, i) => String(i + 1)),
    );
    expect(headings.at(-1)?.textContent).toBe('8Checkout: Wix calls the service plugins');
    // It points at the step whose checkout settings its answers follow.
    expect(screen.getByTestId('checkout-card').textContent).toContain(
      'checkout settings in step 4',
    );
    expect(headings[3]?.textContent).toContain('settings');
  });

  it('says what an unknown installation means, and shows what the events step sent in step 3', async () => {
    serving = dev;
    openWith(
      await dev.signInstance({
        instanceId: DEV_SAMPLE_SITES.b.instanceId,
        secret: DEV_APP_SECRET,
        appDefId: DEV_APP_ID,
      }),
    );
    renderDemo({ appId: DEV_APP_ID, usingDevCredentials: true, sampleEvents: true });
    const status = () => screen.getByTestId('installation-status');
    expect((await screen.findByTestId('installation-status')).textContent).toBe('unknown');

    // Deliveries that do not install the app: step 3 still says unknown, and why.
    fireEvent.click(await screen.findByRole('button', { name: 'An order is created' }));
    await waitFor(() => expect(screen.getByTestId('event-sent').textContent).toContain('order'));
    fireEvent.click(screen.getByRole('button', { name: 'Purchase plan “gold”' }));
    await waitFor(() => expect(status().parentElement?.textContent).toContain('plan gold'));
    expect(status().textContent).toBe('unknown');
    const unknown = screen.getByTestId('installation-unknown').textContent ?? '';
    expect(unknown).toContain('Unknown until Wix sends AppInstalled or AppRemoved');
    expect(unknown).not.toContain('No webhook yet');

    fireEvent.click(screen.getByRole('button', { name: 'The app is installed' }));
    await waitFor(() => expect(status().textContent).toBe('installed'));
    expect(screen.queryByTestId('installation-unknown')).toBeNull();
  });

  it('offers the two sample sites when there is no instance and dev tools are on', async () => {
    openWith(null);
    renderDemo({ devToolsEnabled: true });
    const offer = await screen.findByTestId('dev-offer');
    const buttons = within(offer).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Sample site A', 'Sample site B']);
    expect(served).toEqual([]);
  });

  it('makes no offer when dev tools are off', async () => {
    openWith(null);
    renderDemo({ devToolsEnabled: false });
    await screen.findByTestId('no-instance');
    expect(screen.queryByTestId('dev-offer')).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows invalid_signature for an instance signed with the wrong secret', async () => {
    openWith(await instanceOfA({ secret: 'not-the-app-secret' }));
    renderDemo();
    expect((await screen.findByTestId('error-code')).textContent).toBe('invalid_signature');
    expect(screen.queryByTestId('verified-instance-id')).toBeNull();
    expect(served).toEqual([{ path: '/api/me', status: 401 }]);
  });

  it('shows expired_instance for an instance signed two days ago', async () => {
    openWith(await instanceOfA({ signDate: new Date(Date.now() - 2 * 86_400_000).toISOString() }));
    renderDemo();
    expect((await screen.findByTestId('error-code')).textContent).toBe('expired_instance');
    expect(screen.queryByTestId('verified-instance-id')).toBeNull();
  });

  it('shows malformed_credentials for an instance that is not one', async () => {
    openWith('garbage');
    renderDemo();
    expect((await screen.findByTestId('error-code')).textContent).toBe('malformed_credentials');
    expect(screen.getByTestId('decoded-instance').textContent).toBe('Not decodable');
  });

  it('shows the development banner when running on the development credentials', async () => {
    openWith(null);
    renderDemo({ usingDevCredentials: true });
    await screen.findByTestId('no-instance');
    expect(screen.getByRole('status').textContent).toMatch(/Development credentials/);
  });

  it('shows no development banner on real credentials', async () => {
    openWith(null);
    renderDemo({ usingDevCredentials: false });
    await screen.findByTestId('no-instance');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows the app id it was given', async () => {
    openWith(null);
    renderDemo();
    await screen.findByTestId('no-instance');
    expect(screen.getByText(TEST_APP_ID)).toBeTruthy();
  });
});
