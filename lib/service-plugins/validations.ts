/**
 * Validations, the worked example: a line item with more than the site's maximum quantity (its
 * checkout settings) is an error on that line — a warning on the cart page, where the buyer may
 * still change it, and an error at checkout, where Wix blocks the order.
 */
import { validations } from 'wix-app-backend/service-plugins';
import { readCheckoutSettings } from './read-checkout-settings';

export const maxQuantity = validations({
  async getValidationViolations(request, { tenant }) {
    const { maxQuantityPerLineItem: max } = await readCheckoutSettings(tenant);
    if (max === null) return { violations: [] };
    const severity = request.sourceInfo?.source === 'CART' ? 'WARNING' : 'ERROR';
    const lines = request.validationInfo?.lineItems ?? [];
    return {
      violations: lines
        .filter((line) => line.id && (line.quantity ?? 0) > max)
        .map((line) => ({
          severity,
          target: { lineItem: { name: 'LINE_ITEM_DEFAULT' as const, id: line.id! } },
          description: `At most ${max} of one item per order.`,
        })),
    };
  },
});
