/**
 * Shipping Rates, the worked example: the site's rate table (its checkout settings), priced in
 * the site's currency. A destination without a postal code is Wix's 400 `MISSING_POSTAL_CODE`,
 * which checkout shows the buyer so they can complete the address.
 */
import { ServicePluginError, shippingRates } from 'wix-app-backend/service-plugins';
import { readCheckoutSettings } from './read-checkout-settings';

export const rateTable = shippingRates({
  async getShippingRates(request, { metadata, tenant }) {
    if (!request.shippingDestination?.postalCode?.trim())
      throw new ServicePluginError(400, 'MISSING_POSTAL_CODE');
    const { shippingRates: rates } = await readCheckoutSettings(tenant);
    return {
      shippingRates: rates.map((rate) => ({
        code: rate.code,
        title: rate.title,
        logistics: { deliveryTime: rate.deliveryTime },
        cost: { price: rate.price, currency: metadata.currency ?? 'USD', additionalCharges: [] },
      })),
    };
  },
});
