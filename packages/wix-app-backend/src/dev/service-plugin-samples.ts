/**
 * The sample checkout calls the demo page sends (`devServicePlugin` in ./routes.ts): one per
 * answer of the worked examples worth seeing — fees, rates, a destination without a postal code,
 * a cart line over a per-line limit, a gift card's balance. Requests are in REST field names, as
 * Wix sends them (docs/service-plugins.md, "The contract"). Only data and no imports: the demo's
 * checkout card lists the cases from here, in the browser.
 */

/** Each case: the button's label, the plugin that answers it, the method's path. */
export const DEV_SERVICE_PLUGIN_CASES = {
  fees: {
    label: 'Additional fees',
    appExtensionType: 'ECOM_ADDITIONAL_FEES',
    path: '/v1/calculate-additional-fees',
  },
  shipping: {
    label: 'Shipping rates',
    appExtensionType: 'ECOM_SHIPPING_RATES',
    path: '/v1/getRates',
  },
  'shipping-no-postal-code': {
    label: 'Shipping rates, no postal code',
    appExtensionType: 'ECOM_SHIPPING_RATES',
    path: '/v1/getRates',
  },
  validations: {
    label: 'Validations (a line of 12)',
    appExtensionType: 'ECOM_VALIDATIONS',
    path: '/v1/get-violations',
  },
  'gift-card-balance': {
    label: 'Gift card balance',
    appExtensionType: 'GIFT_CARDS_PROVIDER',
    path: '/v1/balance',
  },
} as const;

export type DevServicePluginCase = keyof typeof DEV_SERVICE_PLUGIN_CASES;

export function parseDevServicePluginCase(value: string | null): DevServicePluginCase | null {
  return value !== null && Object.hasOwn(DEV_SERVICE_PLUGIN_CASES, value)
    ? (value as DevServicePluginCase)
    : null;
}

/** Longest gift-card code the Gift Cards Provider reads (its request schema, ../service-plugins/ecom.ts). */
export const MAX_GIFT_CARD_CODE_LENGTH = 100;

/**
 * Two lines; the second asks for 12 of one item, more than the template's default limit of 10 per
 * line (lib/settings/checkout-settings.ts), so the validations example has something to say.
 */
const LINE_ITEMS = [
  { id: 'line-1', quantity: 2, catalogReference: { catalogItemId: 'product-1' } },
  { id: 'line-2', quantity: 12, catalogReference: { catalogItemId: 'product-2' } },
];

/** A buyer who has typed all but the postal code: Wix still asks for rates. */
const PARTIAL_DESTINATION = {
  country: 'US',
  subdivision: 'US-NY',
  city: 'New York',
  addressLine: '235 W 23rd St',
};
const DESTINATION = { ...PARTIAL_DESTINATION, postalCode: '10001' };

/** The request Wix would send for `sample`; `giftCardCode` is the card a balance call asks for. */
export function sampleServicePluginRequest(
  sample: DevServicePluginCase,
  { giftCardCode = '' }: { giftCardCode?: string } = {},
): Record<string, unknown> {
  switch (sample) {
    case 'fees':
      return {
        lineItems: LINE_ITEMS,
        shippingAddress: DESTINATION,
        purchaseFlowId: crypto.randomUUID(),
      };
    case 'shipping':
      return { lineItems: LINE_ITEMS, shippingDestination: DESTINATION };
    case 'shipping-no-postal-code':
      return { lineItems: LINE_ITEMS, shippingDestination: PARTIAL_DESTINATION };
    case 'validations':
      // At checkout (not the cart page), where the example's violation is an error.
      return { sourceInfo: { source: 'CHECKOUT' }, validationInfo: { lineItems: LINE_ITEMS } };
    case 'gift-card-balance':
      return { code: giftCardCode };
  }
}
