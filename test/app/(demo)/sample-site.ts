/**
 * The demo's sample sites as its tests use them: the owner's instance the page holds (signed
 * with the development secret), and the owner saving the site's checkout settings as the
 * settings editor does. Goes with the demo (docs/architecture.md, "Removing the demo").
 */
import { expect } from 'vitest';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import { GET as getSettings, PUT as putSettings } from '@/app/api/settings/route';
import type { CheckoutSettings } from '@/lib/settings/checkout-settings';
import type { TestApp } from '@/test/kit';

export type SampleSite = 'a' | 'b';

/** The sample site's owner instance, as the demo page holds it. */
export const ownerOf = (dev: TestApp, site: SampleSite) =>
  dev.signInstance({
    instanceId: DEV_SAMPLE_SITES[site].instanceId,
    secret: DEV_APP_SECRET,
    appDefId: DEV_APP_ID,
  });

/** The owner saves the site's checkout settings: the whole document, under If-Match. */
export async function saveCheckout(
  dev: TestApp,
  site: SampleSite,
  checkout: CheckoutSettings,
): Promise<void> {
  const auth = await ownerOf(dev, site);
  const read = await dev.call(getSettings, '/api/settings', { auth });
  const { settings } = (await read.json()) as { settings: Record<string, unknown> };
  const saved = await dev.call(putSettings, '/api/settings', {
    method: 'PUT',
    auth,
    headers: { 'if-match': read.headers.get('etag')! },
    json: { ...settings, checkout },
  });
  expect(saved.status).toBe(200);
}
