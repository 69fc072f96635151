/**
 * Additional Fees, the worked example: the site's handling fee (its checkout settings) on every
 * checkout, in the site's currency — Wix drops a fee in any other — and none for a site on a paid
 * plan when the owner chose so.
 */
import { additionalFees, noFees } from 'wix-app-backend/service-plugins';
import { readCheckoutSettings } from './read-checkout-settings';

export const HANDLING_FEE_CODE = 'handling-fee';

export const handlingFee = additionalFees({
  async calculateAdditionalFees(_request, { metadata, tenant, hasPlan }) {
    const settings = await readCheckoutSettings(tenant);
    const fee = settings.handlingFee;
    if (fee === null || Number(fee) === 0) return noFees(metadata.currency);
    if (settings.waiveFeeOnPaidPlan && hasPlan()) return noFees(metadata.currency);
    return {
      ...noFees(metadata.currency),
      additionalFees: [{ code: HANDLING_FEE_CODE, name: 'Handling', price: fee }],
    };
  },
});
