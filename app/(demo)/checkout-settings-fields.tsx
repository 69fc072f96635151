'use client';

/**
 * The checkout section of the settings editor: what the checkout plugins read
 * (lib/service-plugins) — the handling fee, whether a paid plan waives it, the most of one item
 * per cart line, and the shipping rates table. It is part of the one settings document, saved
 * with the rest of it (PUT /api/settings).
 */

/**
 * The `checkout` section as the API sends it (CheckoutSettingsSchema in
 * lib/settings/checkout-settings.ts, restated: that module is server code, which a client
 * component may not import).
 */
export interface CheckoutSettingsValue {
  handlingFee: string | null;
  waiveFeeOnPaidPlan: boolean;
  shippingRates: readonly ShippingRateValue[];
  maxQuantityPerLineItem: number | null;
}

export interface ShippingRateValue {
  code: string;
  title: string;
  price: string;
  deliveryTime: string;
}

/**
 * What the inputs hold: text as typed. The API decides what is valid and says why not, worded as
 * every other settings problem (`checkout.handlingFee: a decimal string`); the form checks nothing.
 */
export interface CheckoutForm {
  handlingFee: string;
  waiveFeeOnPaidPlan: boolean;
  maxQuantityPerLineItem: string;
  shippingRates: ShippingRateValue[];
}

export function checkoutForm(value: CheckoutSettingsValue): CheckoutForm {
  return {
    handlingFee: value.handlingFee ?? '',
    waiveFeeOnPaidPlan: value.waiveFeeOnPaidPlan,
    maxQuantityPerLineItem:
      value.maxQuantityPerLineItem === null ? '' : String(value.maxQuantityPerLineItem),
    shippingRates: value.shippingRates.map((rate) => ({ ...rate })),
  };
}

/** The section to send: an empty fee or limit is "none"; anything else goes as typed. */
export function checkoutBody(form: CheckoutForm): Record<string, unknown> {
  const fee = form.handlingFee.trim();
  const max = form.maxQuantityPerLineItem.trim();
  return {
    handlingFee: fee === '' ? null : fee,
    waiveFeeOnPaidPlan: form.waiveFeeOnPaidPlan,
    // Digits are a number; other text is sent as it is, for the API to refuse in words.
    maxQuantityPerLineItem: max === '' ? null : /^\d+$/.test(max) ? Number(max) : max,
    shippingRates: form.shippingRates.map((rate) => ({ ...rate, price: rate.price.trim() })),
  };
}

const NEW_RATE: ShippingRateValue = { code: '', title: '', price: '', deliveryTime: '' };
const RATE_FIELDS = [
  ['code', 'Code'],
  ['title', 'Title'],
  ['price', 'Price'],
  ['deliveryTime', 'Delivery time'],
] as const;

export function CheckoutFields({
  form,
  onChange,
}: {
  form: CheckoutForm;
  onChange: (form: CheckoutForm) => void;
}) {
  const setRate = (index: number, rate: ShippingRateValue) =>
    onChange({
      ...form,
      shippingRates: form.shippingRates.map((old, i) => (i === index ? rate : old)),
    });
  return (
    <fieldset className="checkout" data-testid="checkout-settings">
      <legend>Checkout (read by the service plugins at checkout)</legend>
      <label>
        Handling fee, in the site&apos;s currency (empty: none)
        <input
          name="handlingFee"
          inputMode="decimal"
          value={form.handlingFee}
          placeholder="2.50"
          onChange={(e) => onChange({ ...form, handlingFee: e.target.value })}
        />
      </label>
      <label className="inline">
        <input
          name="waiveFeeOnPaidPlan"
          type="checkbox"
          checked={form.waiveFeeOnPaidPlan}
          onChange={(e) => onChange({ ...form, waiveFeeOnPaidPlan: e.target.checked })}
        />
        No handling fee for a site on a paid plan
      </label>
      <label>
        Most of one item per cart line (empty: no limit)
        <input
          name="maxQuantityPerLineItem"
          inputMode="numeric"
          value={form.maxQuantityPerLineItem}
          onChange={(e) => onChange({ ...form, maxQuantityPerLineItem: e.target.value })}
        />
      </label>
      <table className="rates">
        <caption>Shipping rates, each in the site&apos;s currency</caption>
        <thead>
          <tr>
            {RATE_FIELDS.map(([, heading]) => (
              <th key={heading} scope="col">
                {heading}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {form.shippingRates.map((rate, index) => (
            // Rows have no id of their own until saved; their place is what the owner edits.
            <tr key={index}>
              {RATE_FIELDS.map(([field, heading]) => (
                <td key={field}>
                  <input
                    aria-label={`Rate ${index + 1} ${heading.toLowerCase()}`}
                    value={rate[field]}
                    onChange={(e) => setRate(index, { ...rate, [field]: e.target.value })}
                  />
                </td>
              ))}
              <td>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove rate ${index + 1}`}
                  onClick={() =>
                    onChange({
                      ...form,
                      shippingRates: form.shippingRates.filter((_, i) => i !== index),
                    })
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="secondary"
        onClick={() => onChange({ ...form, shippingRates: [...form.shippingRates, NEW_RATE] })}
      >
        Add a rate
      </button>
    </fieldset>
  );
}
