/**
 * What the owner sets for the checkout plugins (lib/service-plugins), kept in the settings
 * document as its `checkout` section: the owner edits it from the dashboard with the settings
 * (PUT /api/settings), and a plugin reads it for the verified site with `readCheckoutSettings`
 * (lib/service-plugins/read-checkout-settings.ts).
 */
import { z } from 'zod';
import { DecimalString } from 'wix-app-backend/service-plugins';

const Amount = DecimalString.refine((value) => !value.startsWith('-'), 'must not be negative');

export const CheckoutSettingsSchema = z.strictObject({
  /** A handling fee added to every checkout, in the site's currency; null: none. */
  handlingFee: Amount.nullable(),
  /** No handling fee for sites on a paid plan of the app. */
  waiveFeeOnPaidPlan: z.boolean(),
  /** The rates offered at checkout, each in the site's currency. */
  shippingRates: z
    .array(
      z.strictObject({
        code: z.string().trim().min(1).max(100),
        title: z.string().trim().min(1).max(250),
        price: Amount,
        deliveryTime: z.string().max(500),
      }),
    )
    .max(20),
  /** A cart line with more of one item is an error at checkout; null: no limit. */
  maxQuantityPerLineItem: z.number().int().min(1).max(100_000).nullable(),
});

export type CheckoutSettings = z.infer<typeof CheckoutSettingsSchema>;

export const DEFAULT_CHECKOUT_SETTINGS: CheckoutSettings = {
  handlingFee: '2.50',
  waiveFeeOnPaidPlan: true,
  shippingRates: [
    { code: 'standard', title: 'Standard', price: '5.00', deliveryTime: '3-5 business days' },
    { code: 'express', title: 'Express', price: '15.00', deliveryTime: '1 business day' },
  ],
  maxQuantityPerLineItem: 10,
};
