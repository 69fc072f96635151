/**
 * The Wix eCommerce service plugins, described in REST field names as they are on the wire
 * (docs/service-plugins.md, "The contract", has the sources). Requests are loose — Wix adds
 * fields, and a handler reads what it needs — and name what the examples read; answers are
 * checked strictly enough that a malformed one (a number where Wix wants a decimal string, a
 * missing `code`) is caught here, as a logged 500, instead of being silently dropped by Wix.
 *
 * Written as zod schemas rather than taken from `@wix/ecom`'s types: those describe the SDK's
 * renamed fields (`_id`, `addressLine1`), not the wire (docs/decisions/036-service-plugins.md).
 */
import { z } from 'zod';
import { isStorableText } from '../validation/storable-text';
import { defineServicePlugin } from './define-service-plugin';

/** Wix prices are decimal strings (`"4.99"`). */
export const DecimalString = z.string().regex(/^-?\d{1,15}(\.\d{1,10})?$/, 'a decimal string');
const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');

/** Every price and amount on the wire is a decimal string; a request's is read as sent. */
const Price = z.string().nullish();

/** An address as Tax Calculation has it; the checkout plugins' also split the street. */
const PostalAddress = z.looseObject({
  country: z.string().nullish(),
  subdivision: z.string().nullish(),
  city: z.string().nullish(),
  postalCode: z.string().nullish(),
  /** The SDK's `addressLine1`. */
  addressLine: z.string().nullish(),
  addressLine2: z.string().nullish(),
});
const Address = PostalAddress.extend({
  streetAddress: z
    .looseObject({ number: z.string().nullish(), name: z.string().nullish() })
    .nullish(),
});
const CatalogReference = z.looseObject({
  catalogItemId: z.string().nullish(),
  appId: z.string().nullish(),
});

/*
 * Each plugin describes a cart line its own way (the SDK's types: Additional Fees' `LineItem`,
 * Shipping Rates' `ProductItem`, Validations' `LineItem`) — one schema for all three refused a
 * real fees request, whose line price is a string where Validations' is an object.
 */
const FeesLineItem = z.looseObject({
  id: z.string().nullish(),
  quantity: z.number().int().nullish(),
  catalogReference: CatalogReference.nullish(),
  productName: z.string().nullish(),
  price: Price,
});
const ShippingProductItem = z.looseObject({
  name: z.string().nullish(),
  quantity: z.number().int().nullish(),
  catalogReference: CatalogReference.nullish(),
  price: Price,
  totalPrice: Price,
});
const ValidationLineItem = z.looseObject({
  id: z.string().nullish(),
  quantity: z.number().int().nullish(),
  catalogReference: CatalogReference.nullish(),
  productName: z
    .looseObject({ original: z.string().nullish(), translated: z.string().nullish() })
    .nullish(),
  price: z.looseObject({ amount: Price, convertedAmount: Price }).nullish(),
});

/** Additional Fees: extra charges on the cart and checkout (gift wrap, handling). */
export const additionalFees = defineServicePlugin({
  type: 'ECOM_ADDITIONAL_FEES',
  methods: {
    calculateAdditionalFees: {
      path: '/v1/calculate-additional-fees',
      request: z.looseObject({
        lineItems: z.array(FeesLineItem).nullish(),
        shippingAddress: Address.nullish(),
        purchaseFlowId: z.string().nullish(),
        /** The cart's subtotal, a decimal string. */
        subtotal: Price,
      }),
      response: z.object({
        /** Must be the site's currency: Wix drops fees in any other, silently. */
        currency: Currency,
        additionalFees: z.array(
          z.object({
            code: z.string().min(1).max(100),
            name: z.string().min(1).max(50),
            translatedName: z.string().max(50).optional(),
            price: DecimalString,
            taxDetails: z.looseObject({ taxable: z.boolean().optional() }).optional(),
            lineItemIds: z.array(z.string()).optional(),
          }),
        ),
      }),
      // Wix waits 3 s, then checks out without fees: the same, said sooner.
      onDeadline: { answer: (_request, context) => noFees(context.metadata.currency) },
    },
  },
});

/** No fees, in the site's currency. */
export function noFees(currency: string | null): { currency: string; additionalFees: [] } {
  return { currency: currency ?? 'USD', additionalFees: [] };
}

/** Shipping Rates: the delivery options and their prices at checkout. */
export const shippingRates = defineServicePlugin({
  type: 'ECOM_SHIPPING_RATES',
  methods: {
    getShippingRates: {
      path: '/v1/getRates',
      request: z.looseObject({
        lineItems: z.array(ShippingProductItem).nullish(),
        shippingDestination: Address.nullish(),
        shippingOrigin: Address.nullish(),
      }),
      response: z.object({
        shippingRates: z.array(
          z.object({
            code: z.string().min(1).max(100),
            title: z.string().min(1).max(250),
            logistics: z
              .looseObject({
                deliveryTime: z.string().max(500).nullish(),
                instructions: z.string().max(1000).nullish(),
              })
              .optional(),
            cost: z.object({
              price: DecimalString,
              currency: Currency,
              additionalCharges: z
                .array(
                  z.looseObject({
                    price: DecimalString,
                    type: z.string().optional(),
                    details: z.string().optional(),
                  }),
                )
                .default([]),
            }),
          }),
        ),
      }),
      // No safe rate exists for every shop: past the deadline, Wix's generic shipping error
      // (the app may register a fallback rate instead: `onDeadline`).
      onDeadline: { error: { status: 400, code: 'GENERIC_ERROR' } },
    },
  },
});

/** Validations: warnings and errors that keep a cart or checkout from going ahead. */
export const validations = defineServicePlugin({
  type: 'ECOM_VALIDATIONS',
  methods: {
    getValidationViolations: {
      path: '/v1/get-violations',
      request: z.looseObject({
        /** `CART`, `CHECKOUT` or `OTHER`: where the buyer is. */
        sourceInfo: z.looseObject({ source: z.string().nullish() }).nullish(),
        validationInfo: z
          .looseObject({ lineItems: z.array(ValidationLineItem).nullish() })
          .nullish(),
      }),
      response: z.object({
        violations: z.array(
          z.object({
            severity: z.enum(['WARNING', 'ERROR']),
            target: z.union([
              z.object({ other: z.object({ name: z.literal('OTHER_DEFAULT') }) }),
              z.object({
                lineItem: z.object({ name: z.literal('LINE_ITEM_DEFAULT'), id: z.string() }),
              }),
            ]),
            description: z.string().max(1000),
          }),
        ),
      }),
      // A late validation is no validation: checkout goes ahead, as with none registered.
      onDeadline: { answer: () => ({ violations: [] }) },
    },
  },
});

/** Gift-card amounts are JSON numbers on the wire (the SDK's floats), at most 999,999,999.99. */
const GiftCardAmount = z.number().nonnegative().max(999_999_999.99);
/** What Wix asks to redeem: a positive number (a decimal string is read too, as the SDK would). */
const RedeemAmount = z.union([
  z.number().positive().max(999_999_999.99),
  DecimalString.refine(
    (value) => Number(value) > 0 && Number(value) <= 999_999_999.99,
    'a positive amount',
  ),
]);
/**
 * A card's code, an order and a transaction are what a provider looks its rows up by: text
 * PostgreSQL cannot store (a NUL, a lone surrogate) is a malformed request, not a failed query.
 */
const StorableKey = (max: number) => z.string().max(max).refine(isStorableText);
const GiftCardRequest = z.looseObject({
  code: StorableKey(100).min(1),
  pin: StorableKey(100).nullish(),
  locationId: z.string().max(256).nullish(),
});
const TransactionId = z.string().min(1).max(100);

/**
 * Gift Cards Provider: the balance of a card, and redeeming or voiding part of it at checkout.
 * Redeem and void move money: they must apply once however often Wix calls — a redeem is the
 * same one when it names the same card and order, a void names the transaction the redeem
 * answered. No deadline answer is safe, so past it the call answers 504.
 */
export const giftCards = defineServicePlugin({
  type: 'GIFT_CARDS_PROVIDER',
  methods: {
    getBalance: {
      path: '/v1/balance',
      request: GiftCardRequest,
      response: z.object({
        balance: GiftCardAmount,
        currencyCode: Currency,
        /** The card's id in the provider's own system, if it has one. */
        externalId: z.string().min(1).max(50).nullish(),
      }),
    },
    redeem: {
      path: '/v1/redeem',
      request: GiftCardRequest.extend({
        amount: RedeemAmount,
        currencyCode: Currency.nullish(),
        /** The order the redemption pays for: what makes a repeated call the same call. */
        orderId: StorableKey(256).nullish(),
      }),
      response: z.object({
        transactionId: TransactionId,
        remainingBalance: GiftCardAmount,
        currencyCode: Currency,
      }),
    },
    voidTransaction: {
      path: '/v1/void',
      request: z.looseObject({ transactionId: StorableKey(256).min(1) }),
      /** The card's balance once the transaction's amount is back on it. */
      response: z.object({ remainingBalance: GiftCardAmount, currencyCode: Currency }),
    },
  },
});

const TaxLineItem = z.looseObject({
  id: z.string().nullish(),
  itemName: z.string().nullish(),
  quantity: z.number().int().nullish(),
  /** The line's total price, a decimal string. */
  price: Price,
  itemCode: z.string().nullish(),
  taxGroupId: z.string().nullish(),
  taxIncludedInPrice: z.boolean().nullish(),
  /** Which of the request's `addresses` the line ships from and to. */
  addressIndex: z
    .looseObject({
      singleAddress: z.number().int().nullish(),
      multipleAddresses: z
        .looseObject({
          origin: z.number().int().nullish(),
          destination: z.number().int().nullish(),
        })
        .nullish(),
    })
    .nullish(),
  taxRegionId: z.string().nullish(),
});
const OptionalDecimal = DecimalString.nullish();

/**
 * Tax Calculation (`TAX_CALCULATION_PROVIDER`): the tax on each line of a cart, for the
 * addresses it ships between. No deadline answer is safe — a guessed tax is a wrong invoice — so
 * past it the call answers 504.
 */
export const taxCalculation = defineServicePlugin({
  type: 'TAX_CALCULATION_PROVIDER',
  methods: {
    calculateTax: {
      path: '/v1/calculate-tax',
      request: z.looseObject({
        currency: z.string().nullish(),
        addresses: z.array(PostalAddress).nullish(),
        lineItems: z.array(TaxLineItem).nullish(),
      }),
      response: z.object({
        currency: Currency,
        taxSummary: z
          .object({
            totalAmount: OptionalDecimal,
            totalTax: OptionalDecimal,
            totalTaxableAmount: OptionalDecimal,
            totalTaxIncludedInPrice: OptionalDecimal,
          })
          .optional(),
        lineItemTaxDetails: z.array(
          z.object({
            /** The request line's `id`. */
            id: z.string().min(1),
            itemName: z.string().nullish(),
            quantity: z.number().int().optional(),
            taxBreakdown: z
              .array(
                z.object({
                  jurisdiction: z.string().nullish(),
                  nonTaxableAmount: OptionalDecimal,
                  rate: OptionalDecimal,
                  taxAmount: OptionalDecimal,
                  taxableAmount: OptionalDecimal,
                  taxType: z.string().nullish(),
                  taxName: z.string().nullish(),
                  jurisdictionType: z
                    .enum(['UNDEFINED', 'COUNTRY', 'STATE', 'COUNTY', 'CITY', 'SPECIAL'])
                    .optional(),
                }),
              )
              .optional(),
            taxSummary: z.object({
              fullPrice: OptionalDecimal,
              taxAmount: DecimalString,
              taxableAmount: DecimalString,
            }),
          }),
        ),
      }),
    },
  },
});

/**
 * Discount Triggers (`ECOM_DISCOUNTS_TRIGGER`): conditions of the app's own that the owner can
 * make a discount rule depend on. `listTriggers` names them (read when the owner edits a rule);
 * `getEligibleTriggers` says which of them a cart meets at checkout. Past its deadline a cart
 * meets none — no discount given, never one the rules did not grant; a late list answers 504.
 */
export const discountTriggers = defineServicePlugin({
  type: 'ECOM_DISCOUNTS_TRIGGER',
  methods: {
    listTriggers: {
      path: '/v1/list-triggers',
      request: z.looseObject({}),
      response: z.object({
        customTriggers: z.array(
          z.object({ id: z.string().min(1).max(100), name: z.string().min(1).max(100) }),
        ),
      }),
    },
    getEligibleTriggers: {
      path: '/v1/get-eligible-triggers',
      request: z.looseObject({
        lineItems: z
          .array(
            z.looseObject({
              id: z.string().nullish(),
              quantity: z.number().int().nullish(),
              catalogReference: CatalogReference.nullish(),
              price: Price,
            }),
          )
          .nullish(),
        /** The triggers the site's rules use: answer for these only. */
        triggers: z
          .array(
            z.looseObject({
              customTrigger: z.looseObject({ id: z.string().nullish() }).nullish(),
              identifier: z.string().nullish(),
            }),
          )
          .nullish(),
        purchaseFlowId: z.string().nullish(),
        shippingInfo: z
          .looseObject({
            address: z
              .looseObject({
                country: z.string().nullish(),
                subdivision: z.string().nullish(),
                city: z.string().nullish(),
              })
              .nullish(),
            preferredShippingOptionCode: z.string().nullish(),
          })
          .nullish(),
      }),
      response: z.object({
        eligibleTriggers: z.array(
          z.object({
            customTriggerId: z.string().min(1),
            /** The request trigger's `identifier`, echoed: which rule's use of it was met. */
            identifier: z.string().nullish(),
          }),
        ),
      }),
      onDeadline: { answer: () => ({ eligibleTriggers: [] }) },
    },
  },
});
