/**
 * The ecom plugins' schemas (src/service-plugins/ecom.ts) against Wix's own service-plugin
 * packages (`@wix/auto_sdk_ecom_*`, test-only dependencies: docs/decisions/036-service-plugins.md):
 *
 * - the sample requests (src/dev/service-plugin-samples.ts) use only field names of Wix's request
 *   types, renamed to REST as the SDK renames them (a compile-time check, `Rest<…>` below), and
 *   our request schemas read them whole;
 * - `@wix/sdk`'s processing, with Wix's real plugin definitions, reads the same signed call and
 *   hands its handler the SDK's names — so ours are the wire's;
 * - every answer Wix's types allow, as the SDK puts it on the wire, passes our answer check
 *   unchanged (nothing refused, nothing stripped);
 * - every business error Wix's packages define is answered by `ServicePluginError` with the same
 *   status and body as the SDK's own processing.
 */
import { randomUUID } from 'node:crypto';
import * as feesPackage from '@wix/auto_sdk_ecom_additional-fees';
import type {
  CalculateAdditionalFeesRequest,
  CalculateAdditionalFeesResponse,
} from '@wix/auto_sdk_ecom_additional-fees';
import * as giftCardsPackage from '@wix/auto_sdk_ecom_gift-vouchers-provider';
import type {
  GetBalanceRequest,
  GetBalanceResponse,
  RedeemRequest,
  RedeemResponse,
  VoidRequest,
  VoidResponse,
} from '@wix/auto_sdk_ecom_gift-vouchers-provider';
import * as ratesPackage from '@wix/auto_sdk_ecom_shipping-rates';
import type {
  GetShippingRatesRequest,
  GetShippingRatesResponse,
} from '@wix/auto_sdk_ecom_shipping-rates';
import * as validationsPackage from '@wix/auto_sdk_ecom_validations';
import type {
  GetValidationViolationsRequest,
  GetValidationViolationsResponse,
} from '@wix/auto_sdk_ecom_validations';
import * as triggersPackage from '@wix/auto_sdk_ecom_custom-triggers';
import type {
  GetEligibleTriggersRequest,
  GetEligibleTriggersResponse,
  ListTriggersRequest,
  ListTriggersResponse,
} from '@wix/auto_sdk_ecom_custom-triggers';
import * as taxPackage from '@wix/auto_sdk_ecom_tax-calculation-provider';
import type {
  CalculateTaxRequest,
  CalculateTaxResponse,
} from '@wix/auto_sdk_ecom_tax-calculation-provider';
import { AppStrategy, createClient } from '@wix/sdk';
import { describe, expect, it } from 'vitest';
import {
  sampleEligibleTriggersRequest,
  sampleFeesRequest,
  sampleGiftCardBalanceRequest,
  sampleGiftCardRedeemRequest,
  sampleGiftCardVoidRequest,
  sampleListTriggersRequest,
  sampleShippingRatesRequest,
  sampleTaxRequest,
  sampleValidationsRequest,
} from '../../src/dev/service-plugin-samples';
import { signServicePluginRequest } from '../../src/dev/sign-service-plugin';
import {
  additionalFees,
  discountTriggers,
  giftCards,
  shippingRates,
  taxCalculation,
  validations,
} from '../../src/service-plugins';
import {
  applicationErrorBody,
  ServicePluginError,
} from '../../src/service-plugins/service-plugin-error';
import { TEST_APP_ID } from '../../src/testing/test-credentials';
import { webhookKeyPair } from '../../src/testing/webhooks';

const keys = webhookKeyPair();

/** The SDK's renamed fields (`_id`, `addressLine1`, dates) as they are on the wire. */
interface RestNames {
  _id: 'id';
  addressLine1: 'addressLine';
  _createdDate: 'createdDate';
}
type Rest<T> = T extends Date
  ? string
  : T extends string
    ? `${T}` // a string enum: its values
    : T extends readonly (infer U)[]
      ? Rest<U>[]
      : T extends object
        ? {
            [K in keyof T as K extends keyof RestNames ? RestNames[K] : K]: Rest<T[K]>;
          }
        : T;

// Compile-time: each sample names only fields of Wix's request type (`satisfies` refuses any other).
const orderId = randomUUID();
const samples = {
  fees: sampleFeesRequest() satisfies Rest<CalculateAdditionalFeesRequest>,
  rates: sampleShippingRatesRequest() satisfies Rest<GetShippingRatesRequest>,
  violations: sampleValidationsRequest() satisfies Rest<GetValidationViolationsRequest>,
  balance: sampleGiftCardBalanceRequest('GIFT-2026-0042') satisfies Rest<GetBalanceRequest>,
  redeem: sampleGiftCardRedeemRequest({
    code: 'GIFT-2026-0042',
    amount: 12.5,
    orderId,
    currencyCode: 'USD',
  }) satisfies Rest<RedeemRequest>,
  void: sampleGiftCardVoidRequest(randomUUID()) satisfies Rest<VoidRequest>,
  tax: sampleTaxRequest({
    lines: [{}, { quantity: 1, price: '30.00' }],
  }) satisfies Rest<CalculateTaxRequest>,
  listTriggers: sampleListTriggersRequest() satisfies Rest<ListTriggersRequest>,
  eligibleTriggers: sampleEligibleTriggersRequest() satisfies Rest<GetEligibleTriggersRequest>,
};

interface WireCase {
  name: string;
  extensionType: string;
  path: string;
  /** The package's definition (`publicProvideHandlers`) and the SDK's name of the method. */
  definition: unknown;
  sdkMethod: string;
  request: Record<string, unknown>;
  ourRequest: { safeParse(value: unknown): { success: boolean; data?: unknown } };
  ourResponse: { safeParse(value: unknown): { success: boolean; data?: unknown; error?: unknown } };
  /** What the SDK must hand its handler, read from the request by the SDK's names. */
  // The SDK's request, by its own names: read loosely, the point is which names it has.
  sdkSees: (request: any) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  expectSdkSees: unknown;
  /** An answer with every field Wix's response type has, as an SDK handler returns it. */
  sdkAnswer: unknown;
  /** Wix's business errors for this plugin. */
  errors: Record<string, unknown>;
}

const feesAnswer: CalculateAdditionalFeesResponse = {
  currency: 'USD',
  additionalFees: [
    {
      code: 'gift-wrap',
      name: 'Gift wrap',
      translatedName: 'Gift wrap',
      price: '3.50',
      taxDetails: { taxable: true, taxGroupId: randomUUID() },
      lineItemIds: ['line-1'],
    },
  ],
};
const ratesAnswer: GetShippingRatesResponse = {
  shippingRates: [
    {
      code: 'standard',
      title: 'Standard',
      logistics: { deliveryTime: '3-5 business days', instructions: 'Leave at the door' },
      cost: {
        price: '5.00',
        currency: 'USD',
        additionalCharges: [
          { type: ratesPackage.ChargeType.HANDLING_FEE, details: 'Packing', price: '1.00' },
        ],
      },
    },
  ],
};
const violationsAnswer: GetValidationViolationsResponse = {
  violations: [
    {
      severity: validationsPackage.Severity.ERROR,
      target: {
        lineItem: { name: validationsPackage.NameInLineItem.LINE_ITEM_DEFAULT, _id: 'line-1' },
      },
      description: 'At most 10 of one item per order.',
    },
    {
      severity: validationsPackage.Severity.WARNING,
      target: { other: { name: validationsPackage.NameInOther.OTHER_DEFAULT } },
      description: 'Delivery may take longer this week.',
    },
  ],
};
const balanceAnswer: GetBalanceResponse = {
  balance: 40.25,
  currencyCode: 'USD',
  externalId: 'card-77',
};
const redeemAnswer: RedeemResponse = {
  transactionId: randomUUID(),
  remainingBalance: 27.75,
  currencyCode: 'USD',
};
const voidAnswer: VoidResponse = { remainingBalance: 40.25, currencyCode: 'USD' };
const taxAnswer: CalculateTaxResponse = {
  currency: 'USD',
  taxSummary: {
    totalAmount: '59.26',
    totalTax: '4.26',
    totalTaxableAmount: '55.00',
    totalTaxIncludedInPrice: '0',
  },
  lineItemTaxDetails: [
    {
      _id: 'line-1',
      itemName: 'Ceramic mug',
      quantity: 2,
      taxBreakdown: [
        {
          jurisdiction: 'NEW YORK',
          nonTaxableAmount: '0',
          rate: '0.08875',
          taxAmount: '2.22',
          taxableAmount: '25.00',
          taxType: 'Sales Tax',
          taxName: 'NY State Sales Tax',
          jurisdictionType: taxPackage.JurisdictionType.STATE,
        },
      ],
      taxSummary: { fullPrice: '25.00', taxAmount: '2.22', taxableAmount: '25.00' },
    },
  ],
};
const listTriggersAnswer: ListTriggersResponse = {
  customTriggers: [{ _id: 'big-cart', name: 'Cart of 5 items or more' }],
};
const eligibleTriggersAnswer: GetEligibleTriggersResponse = {
  eligibleTriggers: [{ customTriggerId: 'big-cart', identifier: 'rule-1' }],
};

/** The `*WixError` classes a package exports. */
const errorsOf = (pkg: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(pkg).filter(([name]) => name.endsWith('WixError')));

const cases: WireCase[] = [
  {
    name: 'Additional Fees: calculate',
    extensionType: 'ECOM_ADDITIONAL_FEES',
    path: '/v1/calculate-additional-fees',
    definition: feesPackage.publicProvideHandlers,
    sdkMethod: 'calculateAdditionalFees',
    request: samples.fees,
    ourRequest: additionalFees.spec.methods.calculateAdditionalFees.request,
    ourResponse: additionalFees.spec.methods.calculateAdditionalFees.response,
    sdkSees: (request) => [request.lineItems[0]._id, request.shippingAddress.addressLine1],
    expectSdkSees: ['line-1', '235 W 23rd St'],
    sdkAnswer: feesAnswer,
    errors: errorsOf(feesPackage),
  },
  {
    name: 'Shipping Rates: get rates',
    extensionType: 'ECOM_SHIPPING_RATES',
    path: '/v1/getRates',
    definition: ratesPackage.publicProvideHandlers,
    sdkMethod: 'getShippingRates',
    request: samples.rates,
    ourRequest: shippingRates.spec.methods.getShippingRates.request,
    ourResponse: shippingRates.spec.methods.getShippingRates.response,
    sdkSees: (request) => request.shippingDestination.addressLine1,
    expectSdkSees: '235 W 23rd St',
    sdkAnswer: ratesAnswer,
    errors: errorsOf(ratesPackage),
  },
  {
    name: 'Validations: get violations',
    extensionType: 'ECOM_VALIDATIONS',
    path: '/v1/get-violations',
    definition: validationsPackage.publicProvideHandlers,
    sdkMethod: 'getValidationViolations',
    request: samples.violations,
    ourRequest: validations.spec.methods.getValidationViolations.request,
    ourResponse: validations.spec.methods.getValidationViolations.response,
    sdkSees: (request) => request.validationInfo.lineItems[0]._id,
    expectSdkSees: 'line-1',
    sdkAnswer: violationsAnswer,
    errors: errorsOf(validationsPackage),
  },
  {
    name: 'Gift Cards: balance',
    extensionType: 'GIFT_CARDS_PROVIDER',
    path: '/v1/balance',
    definition: giftCardsPackage.publicProvideHandlers,
    sdkMethod: 'getBalance',
    request: samples.balance,
    ourRequest: giftCards.spec.methods.getBalance.request,
    ourResponse: giftCards.spec.methods.getBalance.response,
    sdkSees: (request) => request.code,
    expectSdkSees: 'GIFT-2026-0042',
    sdkAnswer: balanceAnswer,
    errors: errorsOf(giftCardsPackage),
  },
  {
    name: 'Gift Cards: redeem',
    extensionType: 'GIFT_CARDS_PROVIDER',
    path: '/v1/redeem',
    definition: giftCardsPackage.publicProvideHandlers,
    sdkMethod: 'redeem',
    request: samples.redeem,
    ourRequest: giftCards.spec.methods.redeem.request,
    ourResponse: giftCards.spec.methods.redeem.response,
    sdkSees: (request) => [request.amount, request.orderId],
    expectSdkSees: [12.5, orderId],
    sdkAnswer: redeemAnswer,
    errors: errorsOf(giftCardsPackage),
  },
  {
    name: 'Gift Cards: void',
    extensionType: 'GIFT_CARDS_PROVIDER',
    path: '/v1/void',
    definition: giftCardsPackage.publicProvideHandlers,
    sdkMethod: '_void',
    request: samples.void,
    ourRequest: giftCards.spec.methods.voidTransaction.request,
    ourResponse: giftCards.spec.methods.voidTransaction.response,
    sdkSees: (request) => request.transactionId,
    expectSdkSees: samples.void.transactionId,
    sdkAnswer: voidAnswer,
    errors: errorsOf(giftCardsPackage),
  },
  {
    name: 'Tax Calculation: calculate tax',
    extensionType: 'TAX_CALCULATION_PROVIDER',
    path: '/v1/calculate-tax',
    definition: taxPackage.publicProvideHandlers,
    sdkMethod: 'calculateTax',
    request: samples.tax,
    ourRequest: taxCalculation.spec.methods.calculateTax.request,
    ourResponse: taxCalculation.spec.methods.calculateTax.response,
    sdkSees: (request) => [request.lineItems[1]._id, request.addresses[1].addressLine1],
    expectSdkSees: ['line-2', '235 W 23rd St'],
    sdkAnswer: taxAnswer,
    errors: errorsOf(taxPackage),
  },
  {
    name: 'Discount Triggers: list triggers',
    extensionType: 'ECOM_DISCOUNTS_TRIGGER',
    path: '/v1/list-triggers',
    definition: triggersPackage.publicProvideHandlers,
    sdkMethod: 'listTriggers',
    request: samples.listTriggers,
    ourRequest: discountTriggers.spec.methods.listTriggers.request,
    ourResponse: discountTriggers.spec.methods.listTriggers.response,
    sdkSees: (request) => request,
    expectSdkSees: {},
    sdkAnswer: listTriggersAnswer,
    errors: errorsOf(triggersPackage),
  },
  {
    name: 'Discount Triggers: get eligible triggers',
    extensionType: 'ECOM_DISCOUNTS_TRIGGER',
    path: '/v1/get-eligible-triggers',
    definition: triggersPackage.publicProvideHandlers,
    sdkMethod: 'getEligibleTriggers',
    request: samples.eligibleTriggers,
    ourRequest: discountTriggers.spec.methods.getEligibleTriggers.request,
    ourResponse: discountTriggers.spec.methods.getEligibleTriggers.response,
    sdkSees: (request) => [request.lineItems[0]._id, request.triggers[0].customTrigger._id],
    expectSdkSees: ['line-1', 'big-cart'],
    sdkAnswer: eligibleTriggersAnswer,
    errors: errorsOf(triggersPackage),
  },
];

interface SdkClient {
  plugin: (implementation: object) => void;
  servicePlugins: { processRequest(request: Request): Promise<Response> };
}

/** `@wix/sdk`'s processing of one method with Wix's definition, the handler given. */
function sdkServing(wire: WireCase, handler: (payload: { request: never }) => unknown) {
  const client = createClient({
    auth: AppStrategy({ appId: TEST_APP_ID, publicKey: keys.publicKeyPem }),
    modules: { plugin: wire.definition } as never,
  }) as unknown as SdkClient;
  client.plugin({ [wire.sdkMethod]: handler });
  return async (request: Record<string, unknown>) => {
    const body = await signServicePluginRequest(
      {
        appId: TEST_APP_ID,
        appExtensionType: wire.extensionType,
        instanceId: randomUUID(),
        request,
      },
      keys.privateKey,
    );
    return client.servicePlugins.processRequest(
      new Request(`https://backend.example/api/service-plugins${wire.path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
      }),
    );
  };
}

describe.each(cases)('$name, on the wire', (wire) => {
  it('our request schema reads the sample whole', () => {
    const parsed = wire.ourRequest.safeParse(wire.request);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(wire.request);
  });

  it("the SDK's processing reads the same call, by its own names", async () => {
    let seen: unknown;
    const process = sdkServing(wire, ({ request }) => {
      seen = wire.sdkSees(request);
      return wire.sdkAnswer;
    });
    expect((await process(wire.request)).status).toBe(200);
    expect(seen).toEqual(wire.expectSdkSees);
  });

  it("every field of Wix's answer passes our answer check, unchanged", async () => {
    const process = sdkServing(wire, () => structuredClone(wire.sdkAnswer));
    const response = await process(wire.request);
    expect(response.status).toBe(200);
    const onTheWire = await response.json();
    const checked = wire.ourResponse.safeParse(onTheWire);
    expect(checked.error).toBeUndefined();
    expect(checked.data).toEqual(onTheWire);
  });
});

// Additional Fees and Validations define no business errors: they answer, or Wix goes on.
describe.each(cases.filter((wire) => Object.keys(wire.errors).length > 0))(
  '$name, its business errors',
  (wire) => {
    it("answers each of Wix's business errors as the SDK does", async () => {
      for (const ErrorClass of Object.values(wire.errors)) {
        const thrown = new (
          ErrorClass as new () => {
            httpCode: number;
            applicationCode: string;
            data?: Record<string, unknown>;
          }
        )();
        const process = sdkServing(wire, () => {
          throw thrown;
        });
        const sdkResponse = await process(wire.request);
        const ours = new ServicePluginError(thrown.httpCode, thrown.applicationCode, thrown.data);
        expect(ours.status).toBe(sdkResponse.status);
        expect(applicationErrorBody(ours)).toEqual(await sdkResponse.json());
      }
    });
  },
);
