import type { Tenant } from 'wix-app-backend/db/tenant';
import { readSettings } from '../settings/settings-service';
import { DEFAULT_CHECKOUT_SETTINGS, type CheckoutSettings } from '../settings/checkout-settings';

/** The site's checkout settings: the defaults until the owner saves some. */
export async function readCheckoutSettings(tenant: Tenant): Promise<CheckoutSettings> {
  return (await readSettings(tenant)).settings.checkout ?? DEFAULT_CHECKOUT_SETTINGS;
}
