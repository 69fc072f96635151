/**
 * The demo page (app/(demo)/instance-demo.tsx) in real Chromium, same origin as the API.
 *
 * Production: the page verifies an instance given in the URL and offers no development tools.
 * Development: `next start` with NODE_ENV=development does enable the dev tools (configuration is
 * read from the runtime environment, not baked into the build), so the sample-site offer is
 * tested there, on the public development credentials and the local Wix emulator, as `npm run dev`
 * on a fresh clone would be.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { webhookKeyPair } from 'wix-app-backend/testing/webhooks';
import { launchChromium } from './helpers/browser';
import { startNextServer, type NextServer } from './helpers/next-server';

const INSTANCE_ID = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const SCREENSHOT_PATH = '/tmp/demo-page.png';

let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * A page in a fresh context that records script errors and console errors; `problems()` lists
 * them so every test can assert that the page ran cleanly (no hydration or runtime errors).
 */
async function openPage(): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // The app ships no favicon; Chromium's automatic /favicon.ico request 404s. Not a page error.
    const { url } = message.location();
    if (
      message.type() === 'error' &&
      new URL(url, 'http://x.invalid').pathname !== '/favicon.ico'
    ) {
      problems.push(`console.error: ${message.text()} (${url})`);
    }
  });
  return { page, context, problems };
}

/** The events card's premium call on a free site: refused with plan_required, as it should be. */
async function expectPlanRequired(page: Page): Promise<void> {
  const result = page.getByTestId('premium-result').filter({ hasText: 'HTTP 403' });
  await result.waitFor({ timeout: 15_000 });
  expect(await result.textContent()).toContain('plan_required');
}

/** The number of each step the page shows, in order. */
const stepNumbers = (page: Page) => page.locator('h2 > .n').allTextContents();
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

/** The browser logs every 403 it loads; the premium route's refusal of a free site is expected. */
const withoutPlanRefusals = (problems: string[]) =>
  problems.filter((p) => !/status of 403 \(Forbidden\) \(\S+\/api\/examples\/premium\)$/.test(p));

describe('demo page, production', () => {
  let server: NextServer | undefined;

  beforeAll(async () => {
    server = await startNextServer({
      env: { NODE_ENV: 'production', WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(() => {
    onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(no server)'}`));
  });

  it('verifies the instance from ?instance= and shows the decoded payload as unverified', async () => {
    const instance = await signInstance(
      { instanceId: INSTANCE_ID, appDefId: TEST_APP_ID, uid: 'user-1', permissions: 'OWNER' },
      TEST_APP_SECRET,
    );
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${server!.url}/?instance=${encodeURIComponent(instance)}`);

      const verified = page.getByTestId('verified-instance-id');
      await verified.waitFor({ timeout: 15_000 });
      expect(await verified.textContent()).toBe(INSTANCE_ID);

      const decodedText = await page.getByTestId('decoded-instance').textContent();
      expect(JSON.parse(decodedText ?? 'null')).toMatchObject({
        instanceId: INSTANCE_ID,
        appDefId: TEST_APP_ID,
        permissions: 'OWNER',
      });
      expect(await page.locator('.tag.unverified').textContent()).toBe('unverified');
      expect(await page.locator('.tag.verified').textContent()).toBe('verified');
      // Production on real credentials: no dev offer, no development-credentials banner.
      expect(await page.getByTestId('dev-offer').count()).toBe(0);
      expect(await page.getByRole('status').count()).toBe(0);
      expect(await page.getByText(TEST_APP_ID).first().isVisible()).toBe(true);

      // A fresh site is on the free plan: the events card shows the premium route refusing it,
      // explained as the gate working — nothing on the page is shown as an error.
      await expectPlanRequired(page);
      expect(await page.getByTestId('premium-result').textContent()).toContain('free plan');
      expect(await page.locator('.bad').count()).toBe(0);
      // No access-token step in production, and no gap where it would be.
      expect(await stepNumbers(page)).toEqual(oneTo(7));
      await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
      expect(withoutPlanRefusals(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the backend refusal for an instance signed with another secret', async () => {
    const forged = await signInstance(
      { instanceId: INSTANCE_ID, appDefId: TEST_APP_ID, permissions: 'OWNER' },
      'not-the-app-secret',
    );
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${server!.url}/?instance=${encodeURIComponent(forged)}`);
      const code = page.getByTestId('error-code');
      await code.waitFor({ timeout: 15_000 });
      expect(await code.textContent()).toBe('invalid_signature');
      expect(await page.getByTestId('verified-instance-id').count()).toBe(0);
      // The browser logs a failed (401) resource load; that is the expected answer here.
      expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('offers no development sample sites without an instance', async () => {
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${server!.url}/`);
      await page.getByTestId('no-instance').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('dev-offer').count()).toBe(0);
      expect(await page.getByRole('button').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('demo page, NODE_ENV=development under next start', () => {
  let server: NextServer | undefined;
  let emulator: WixEmulator | undefined;

  beforeAll(async () => {
    // No WIX_APP_* (blank): the public development credentials, as on a fresh clone; the local
    // Wix emulator for them, and the local webhook key pair, as `npm run dev` hands the app.
    const keys = webhookKeyPair();
    emulator = await startWixEmulator({ appId: DEV_APP_ID, appSecret: DEV_APP_SECRET });
    server = await startNextServer({
      env: {
        NODE_ENV: 'development',
        WIX_API_BASE_URL: emulator.url,
        WIX_EMULATOR: '1',
        WIX_APP_PUBLIC_KEY: keys.publicKeyPem,
        WIX_DEV_WEBHOOK_SIGNING_KEY: keys.privateKey
          .export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await emulator?.close();
  });

  beforeEach(() => {
    onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(no server)'}`));
  });

  it('offers the sample sites, and one click opens the page with a verified instance', async () => {
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${server!.url}/`);
      const offer = page.getByTestId('dev-offer');
      await offer.waitFor({ timeout: 15_000 });
      expect(await page.getByRole('status').textContent()).toContain('Development credentials');

      await offer.getByRole('button', { name: DEV_SAMPLE_SITES.a.label }).click();
      await page.waitForURL(/[?&]instance=/, { timeout: 15_000 });
      const verified = page.getByTestId('verified-instance-id');
      await verified.waitFor({ timeout: 15_000 });
      expect(await verified.textContent()).toBe(DEV_SAMPLE_SITES.a.instanceId);

      // "Switch site" mints a fresh instance for the other sample site.
      await page.getByRole('button', { name: DEV_SAMPLE_SITES.b.label }).click();
      await page
        .getByTestId('verified-instance-id')
        .filter({ hasText: DEV_SAMPLE_SITES.b.instanceId })
        .waitFor({ timeout: 15_000 });
      await expectPlanRequired(page);

      // Wix's purchase, sent by the card as a signed delivery: the premium route lets the site in.
      await page.getByRole('button', { name: 'Purchase plan “gold”' }).click();
      const sent = page.getByTestId('event-sent').filter({ hasText: 'PaidPlanPurchased' });
      await sent.waitFor({ timeout: 15_000 });
      expect(await sent.textContent()).toContain('HTTP 200');
      await page
        .getByTestId('premium-result')
        .filter({ hasText: 'HTTP 200' })
        .waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('premium-result').textContent()).toContain('"id":"gold"');

      // Step 3 follows what the events step sent, and says why the status is still unknown.
      const installation = page.getByTestId('installation-status').locator('..');
      await installation.filter({ hasText: 'plan gold' }).waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('installation-unknown').textContent()).toContain(
        'Unknown until Wix sends AppInstalled or AppRemoved',
      );

      // Asking Wix (here the emulator) for the plan keeps the purchase: both heard of it.
      await page.getByRole('button', { name: 'Refresh the plan from Wix' }).click();
      await page
        .getByTestId('event-sent')
        .filter({ hasText: '"plan":' })
        .waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('event-sent').textContent()).toContain('"id":"gold"');
      await page
        .getByTestId('premium-result')
        .filter({ hasText: 'HTTP 200' })
        .waitFor({ timeout: 15_000 });

      // An order event's handler ran before the answer, and the answer says so.
      await page.getByRole('button', { name: 'An order is created' }).click();
      const order = page.getByTestId('event-sent').filter({ hasText: 'order_created' });
      await order.waitFor({ timeout: 15_000 });
      expect(await order.textContent()).toContain('"outcome":"handled"');

      // A blank note title is refused in words.
      await page.getByRole('form', { name: 'Add a note' }).getByLabel('Title').fill('   ');
      await page.getByRole('button', { name: 'Add note' }).click();
      const refusal = page.getByRole('alert').filter({ hasText: 'invalid_body' });
      await refusal.waitFor({ timeout: 15_000 });
      expect(await refusal.textContent()).toContain('title: must not be empty');

      // Checkout: the card signs Wix's fees call for the site, and the answer follows the
      // site's checkout settings. Site B is on plan gold now, which the default settings let off
      // the handling fee.
      const checkout = page.getByTestId('checkout-card');
      const answer = page.getByTestId('checkout-answer');
      await checkout.getByRole('button', { name: 'Additional fees' }).click();
      await answer.filter({ hasText: 'No fees' }).waitFor({ timeout: 15_000 });
      // The owner sets a fee of 9.75 that a paid plan does not waive, and saves the settings…
      const settings = page.locator('form.settings');
      await settings.getByLabel(/^Handling fee/).fill('9.75');
      await settings.getByLabel('No handling fee for a site on a paid plan').uncheck();
      await settings.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText(/^Saved as version \d+\.$/).waitFor({ timeout: 15_000 });
      // …and Wix's next fees call is answered with it.
      await checkout.getByRole('button', { name: 'Additional fees' }).click();
      await answer.filter({ hasText: '9.75' }).waitFor({ timeout: 15_000 });
      expect(await answer.textContent()).toBe('Handling (handling-fee): 9.75 USD');
      expect(await page.getByTestId('checkout-call').textContent()).toBe(
        'POST /api/service-plugins/v1/calculate-additional-fees → HTTP 200',
      );

      // On the emulator the access-token step shows, and on a sample site the checkout step:
      // nine steps, numbered in order.
      expect(await stepNumbers(page)).toEqual(oneTo(9));
      expect(
        withoutPlanRefusals(problems).filter((p) => !/status of 400 .*\/api\/notes\)$/.test(p)),
      ).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
