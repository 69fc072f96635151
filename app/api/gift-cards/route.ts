import { json, route } from '@/lib/wix-app';
import { readJsonInput } from 'wix-app-backend/http/read-json-input';
import { GiftCardInput, createGiftCard } from '@/lib/gift-cards/gift-cards';

/** Issues a gift card of this site, which checkout then accepts (Gift Cards Provider). Owner only. */
export const POST = route(async (request, app) => {
  const { tenant } = await app.authenticate(request);
  const input = await readJsonInput(request, GiftCardInput, { maxBytes: 1024 });
  return json(await createGiftCard(tenant, input, new Date(app.now())), { status: 201 });
});
