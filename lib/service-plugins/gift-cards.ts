/**
 * Gift Cards Provider, the worked example: the site's own cards (lib/gift-cards), their balance,
 * and redeem and void applied once however often Wix calls.
 */
import { giftCards } from 'wix-app-backend/service-plugins';
import { giftCardBalance, redeemGiftCard, voidRedemption } from '../gift-cards/gift-cards';

export const siteGiftCards = giftCards({
  async getBalance(request, { tenant }) {
    const card = await giftCardBalance(tenant, request.code);
    return { balance: card.balance, currencyCode: card.currency };
  },
  redeem: (request, { tenant, now }) => redeemGiftCard(tenant, request, new Date(now())),
  voidTransaction: (request, { tenant, now }) =>
    voidRedemption(tenant, request.transactionId, new Date(now())),
});
