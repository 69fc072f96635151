/**
 * Checkout calls as Wix sends them: the request of each ecom service-plugin method in REST field
 * names (`id`, `addressLine`, prices as decimal strings, gift-card amounts as numbers), with the
 * fields a real checkout fills in — not only the ones the examples read. The demo page (its
 * checkout card lists the cases below, in the browser: so this module imports nothing), `npm run
 * service-plugin` and the tests send these, so a schema that refused a real call (a line price
 * read as an object where Additional Fees sends a string) fails here first.
 * test/service-plugins/ecom-wire.test.ts checks each against the field names of Wix's own type
 * packages and hands it to `@wix/sdk`'s processing.
 */

const CATALOG_APP_ID = '215238eb-22a5-4c36-9e7b-e7c08025e04e'; // Wix Stores
const PRODUCT_ID = 'c8539b66-7a44-fe18-affc-afec4be8562a';
const VARIANT_ID = '00000000-0000-0000-0000-000000000000';
const PURCHASE_FLOW_ID = '5a4e3b1c-2d0f-4c6b-9a87-1e2f3a4b5c6d';
const TAX_GROUP_ID = '7c9b8e21-4f3a-4d6e-8b1c-2a5f6e7d8c90';
const TAX_REGION_ID = '3e1f2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b';

export interface SampleLine {
  /** The line's id in the cart; default `line-<n>`, its place. */
  id?: string;
  quantity?: number;
  /** Unit price, a decimal string; default `12.50`. */
  price?: string;
}

export interface SampleAddress {
  /** Empty or absent: the buyer has not given one yet. */
  postalCode?: string | null;
  country?: string;
}

export interface SampleCart {
  /** Default one line: `line-1`, 2 × 12.50. */
  lines?: SampleLine[];
}

const linesOf = ({ lines = [{}] }: SampleCart) =>
  lines.map((line, i) => ({
    id: line.id ?? `line-${i + 1}`,
    quantity: line.quantity ?? 2,
    price: line.price ?? '12.50',
  }));

const catalogReference = {
  catalogItemId: PRODUCT_ID,
  appId: CATALOG_APP_ID,
  options: { variantId: VARIANT_ID },
};
const physicalProperties = { weight: 0.4, sku: 'MUG-001', shippable: true };

function address({ postalCode = '10001', country = 'US' }: SampleAddress = {}) {
  return {
    country,
    subdivision: `${country}-NY`,
    city: 'New York',
    ...(postalCode === null ? {} : { postalCode }),
    addressLine: '235 W 23rd St',
    streetAddress: { number: '235', name: 'W 23rd St' },
    addressLine2: 'Apt 4',
  };
}

const times = (price: string, quantity: number) => (Number(price) * quantity).toFixed(2);

/** Additional Fees, `/v1/calculate-additional-fees`: the cart so far. */
export function sampleFeesRequest(cart: SampleCart & { shippingAddress?: SampleAddress } = {}) {
  const lines = linesOf(cart);
  return {
    lineItems: lines.map(({ id, quantity, price }) => ({
      id,
      quantity,
      catalogReference,
      productName: 'Ceramic mug',
      price,
      physicalProperties,
    })),
    shippingAddress: address(cart.shippingAddress),
    purchaseFlowId: PURCHASE_FLOW_ID,
    subtotal: lines
      .reduce((sum, { price, quantity }) => sum + Number(times(price, quantity)), 0)
      .toFixed(2),
  };
}

/** Shipping Rates, `/v1/getRates`: what to ship, from where, to where. */
export function sampleShippingRatesRequest(
  cart: SampleCart & { destination?: SampleAddress } = {},
) {
  return {
    lineItems: linesOf(cart).map(({ quantity, price }) => ({
      name: 'Ceramic mug',
      quantity,
      catalogReference,
      physicalProperties,
      price,
      totalPrice: times(price, quantity),
    })),
    shippingDestination: address(cart.destination),
    shippingOrigin: address({ postalCode: '10011' }),
    weightUnit: 'KG' as const,
    taxIncludedInPrices: false,
    purchaseFlowId: PURCHASE_FLOW_ID,
  };
}

/** Validations, `/v1/get-violations`: the cart (`CART`) or the checkout (`CHECKOUT`) as it is. */
export function sampleValidationsRequest(
  cart: SampleCart & { source?: 'CART' | 'CHECKOUT' | 'OTHER' } = {},
) {
  return {
    sourceInfo: { source: cart.source ?? 'CHECKOUT', purchaseFlowId: PURCHASE_FLOW_ID },
    validationInfo: {
      lineItems: linesOf(cart).map(({ id, quantity, price }) => ({
        id,
        quantity,
        catalogReference,
        productName: { original: 'Ceramic mug', translated: 'Ceramic mug' },
        price: {
          amount: price,
          convertedAmount: price,
          formattedAmount: `$${price}`,
          formattedConvertedAmount: `$${price}`,
        },
        physicalProperties,
      })),
      weightUnit: 'KG' as const,
      currency: 'USD',
    },
  };
}

/** Gift Cards Provider, `/v1/balance`. */
export function sampleGiftCardBalanceRequest(code: string) {
  return { code, pin: '1234', locationId: 'online-store' };
}

/** Gift Cards Provider, `/v1/redeem`: `amount` of the card for the order. */
export function sampleGiftCardRedeemRequest(input: {
  code: string;
  amount: number;
  orderId: string;
  currencyCode?: string;
}) {
  return { ...input, pin: '1234', locationId: 'online-store' };
}

/** Gift Cards Provider, `/v1/void`: undo the redemption `transactionId`. */
export function sampleGiftCardVoidRequest(transactionId: string) {
  return { transactionId, locationId: 'online-store' };
}

/** Tax Calculation, `/v1/calculate-tax`: each line, and the addresses it ships between. */
export function sampleTaxRequest(cart: SampleCart = {}) {
  return {
    currency: 'USD',
    // Tax addresses carry no street parts.
    addresses: [address({ postalCode: '10011' }), address()].map(
      ({ streetAddress: _street, ...rest }) => rest,
    ),
    lineItems: linesOf(cart).map(({ id, quantity, price }) => ({
      id,
      itemName: 'Ceramic mug',
      quantity,
      price: times(price, quantity),
      itemCode: 'MUG-001',
      taxGroupId: TAX_GROUP_ID,
      taxIncludedInPrice: false,
      addressIndex: { multipleAddresses: { origin: 0, destination: 1 } },
      taxRegionId: TAX_REGION_ID,
    })),
  };
}

/** Discount Triggers, `/v1/list-triggers`: no fields. */
export function sampleListTriggersRequest() {
  return {};
}

/** Discount Triggers, `/v1/get-eligible-triggers`: the cart, and the triggers the rules use. */
export function sampleEligibleTriggersRequest(
  cart: SampleCart & { triggers?: { id: string; identifier?: string }[] } = {},
) {
  return {
    lineItems: linesOf(cart).map(({ id, quantity, price }) => ({
      id,
      quantity,
      catalogReference,
      price,
    })),
    triggers: (cart.triggers ?? [{ id: 'big-cart', identifier: 'rule-1' }]).map(
      ({ id, identifier }) => ({ customTrigger: { id }, identifier: identifier ?? null }),
    ),
    purchaseFlowId: PURCHASE_FLOW_ID,
    shippingInfo: {
      address: { country: 'US', subdivision: 'US-NY', city: 'New York' },
      preferredShippingOptionCode: 'standard',
    },
  };
}

/** The demo's cases (`devServicePlugin` in ./routes.ts): the button's label, the plugin, the path. */
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
const DEMO_LINES: SampleLine[] = [{ quantity: 2 }, { quantity: 12 }];

/** The request Wix would send for the demo's `sample`; `giftCardCode`: the card a balance asks for. */
export function sampleServicePluginRequest(
  sample: DevServicePluginCase,
  { giftCardCode = '' }: { giftCardCode?: string } = {},
): Record<string, unknown> {
  switch (sample) {
    case 'fees':
      return sampleFeesRequest({ lines: DEMO_LINES });
    case 'shipping':
      return sampleShippingRatesRequest({ lines: DEMO_LINES });
    case 'shipping-no-postal-code':
      // A buyer who has typed all but the postal code: Wix still asks for rates.
      return sampleShippingRatesRequest({ lines: DEMO_LINES, destination: { postalCode: null } });
    case 'validations':
      // At checkout (not the cart page), where the example's violation is an error.
      return sampleValidationsRequest({ lines: DEMO_LINES, source: 'CHECKOUT' });
    case 'gift-card-balance':
      return sampleGiftCardBalanceRequest(giftCardCode);
  }
}
