/**
 * A site's gift cards: the owner issues them (POST /api/gift-cards), checkout reads and spends
 * them through the Gift Cards Provider plugin (lib/service-plugins/gift-cards.ts). Redeem and void
 * move money, so each applies once however often Wix calls: the redemption's row is inserted
 * under a unique (site, card, order) key in the same transaction that moves the balance — a copy
 * finds the row and answers its result; a void marks the row in the transaction that gives the
 * amount back, so a second void finds it marked and moves nothing.
 *
 * Amounts are minor units (cents) in the database; Wix sends and reads decimal amounts.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { guardDatabase } from 'wix-app-backend/db/errors';
import type { TenantDb } from 'wix-app-backend/db/tenant';
import { AppError } from 'wix-app-backend/errors/app-error';
import { ServicePluginError } from 'wix-app-backend/service-plugins';
import { giftCards, giftCardTransactions } from '../db/schema';

/** Largest balance a card may be issued with, in the card's currency: far past any real card. */
export const MAX_GIFT_CARD_BALANCE = 100_000;

/** What the owner sends to issue a card. */
export const GiftCardInput = z.strictObject({
  code: z
    .string()
    .trim()
    // What Wix's checkout lets a buyer enter: a code outside 8–20 characters never reaches us.
    .regex(/^[A-Za-z0-9-]{8,20}$/, '8 to 20 letters, digits or dashes'),
  balance: z.number().positive().max(MAX_GIFT_CARD_BALANCE).multipleOf(0.01),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
});
export type GiftCardInput = z.output<typeof GiftCardInput>;

export interface GiftCardView {
  code: string;
  balance: number;
  currency: string;
}

export interface VoidResult {
  remainingBalance: number;
  currencyCode: string;
}

export interface Redemption {
  transactionId: string;
  remainingBalance: number;
  currencyCode: string;
}

/** An amount as written (a number's shortest form, or Wix's decimal string) in whole cents. */
const WHOLE_CENTS = /^\d+(\.\d{1,2}0*)?$/;
const toCents = (amount: number | string) => Math.round(Number(amount) * 100);
const fromCents = (cents: number) => cents / 100;

/** Issues a card; 400 `invalid_body` when the site already has a card with that code. */
export async function createGiftCard(
  tenant: TenantDb,
  input: GiftCardInput,
  at: Date,
): Promise<GiftCardView> {
  const inserted = await guardDatabase(() =>
    tenant.db
      .insert(giftCards)
      .values({
        instanceId: tenant.instanceId,
        code: input.code,
        balanceCents: toCents(input.balance),
        currency: input.currency,
        createdAt: at,
      })
      .onConflictDoNothing()
      .returning({ code: giftCards.code }),
  );
  if (inserted.length === 0)
    throw new AppError('invalid_body', `The code ${input.code} is already a card of this site.`);
  // The balance as stored: `0.1 + 0.2` is sent as 0.30000000000000004 and kept as 30 cents.
  return { code: input.code, balance: fromCents(toCents(input.balance)), currency: input.currency };
}

/** The card's balance; 404 `GIFT_CARD_NOT_FOUND` for a code this site did not issue. */
export async function giftCardBalance(tenant: TenantDb, code: string): Promise<GiftCardView> {
  const [card] = await guardDatabase(() =>
    tenant.db
      .select()
      .from(giftCards)
      .where(and(eq(giftCards.instanceId, tenant.instanceId), eq(giftCards.code, code))),
  );
  if (!card) throw new ServicePluginError(404, 'GIFT_CARD_NOT_FOUND');
  return { code: card.code, balance: fromCents(card.balanceCents), currency: card.currency };
}

/**
 * Takes `amount` from the card for `orderId`, once: a repeat for the same card and order answers
 * the first redemption's result (409 `ALREADY_REDEEMED` if it asks for another amount).
 */
export async function redeemGiftCard(
  tenant: TenantDb,
  request: {
    code: string;
    amount: number | string;
    orderId?: string | null;
    currencyCode?: string | null;
  },
  at: Date,
): Promise<Redemption> {
  const amountCents = toCents(request.amount);
  // The plugin's schema lets any positive amount through. One that is not a whole number of
  // cents cannot be taken as asked — rounded, Wix would count another amount paid than the card
  // gave (and less than a cent rounds to none) — so it is a malformed request, not a guess.
  if (!(amountCents > 0) || !WHOLE_CENTS.test(String(request.amount)))
    throw new AppError(
      'invalid_service_plugin_request',
      'The amount is not a whole number of cents.',
    );
  // No card holds more than it can be issued with; a larger amount would also overflow the
  // integer column before the balance check could refuse it.
  const beyondAnyCard = amountCents > toCents(MAX_GIFT_CARD_BALANCE);
  // An empty orderId names no order: stored as one, a second such redeem conflicted on the key.
  const orderId = request.orderId || null;
  const { instanceId } = tenant;
  return guardDatabase(() =>
    tenant.db.transaction(async (tx) => {
      const [card] = await tx
        .select({ currency: giftCards.currency })
        .from(giftCards)
        .where(and(eq(giftCards.instanceId, instanceId), eq(giftCards.code, request.code)));
      if (!card) throw new ServicePluginError(404, 'GIFT_CARD_NOT_FOUND');
      if (request.currencyCode && request.currencyCode !== card.currency)
        throw new ServicePluginError(400, 'CURRENCY_NOT_SUPPORTED');
      if (beyondAnyCard) throw new ServicePluginError(428, 'INSUFFICIENT_FUNDS');

      const id = randomUUID();
      // The claim: concurrent copies wait here on the unique key until the first commits, then
      // insert nothing (or, if it rolled back, the next one claims it).
      const claimed = await tx
        .insert(giftCardTransactions)
        .values({
          id,
          instanceId,
          code: request.code,
          orderId,
          amountCents,
          remainingCents: 0,
          currency: card.currency,
          createdAt: at,
        })
        .onConflictDoNothing()
        .returning({ id: giftCardTransactions.id });
      // Only a redeem naming an order can be a repeat: NULLs never conflict on the unique key.
      if (claimed.length === 0 && orderId) {
        const [first] = await tx
          .select()
          .from(giftCardTransactions)
          .where(
            and(
              eq(giftCardTransactions.instanceId, instanceId),
              eq(giftCardTransactions.code, request.code),
              eq(giftCardTransactions.orderId, orderId),
            ),
          );
        if (!first || first.amountCents !== amountCents || first.voidedAt !== null)
          throw new ServicePluginError(409, 'ALREADY_REDEEMED');
        return redemption(first.id, first.remainingCents, first.currency);
      }
      if (claimed.length === 0) throw new Error('a redemption without an order conflicted');

      // Moves the balance only if it covers the amount, in the one statement.
      const [spent] = await tx
        .update(giftCards)
        .set({ balanceCents: sql`${giftCards.balanceCents} - ${amountCents}` })
        .where(
          and(
            eq(giftCards.instanceId, instanceId),
            eq(giftCards.code, request.code),
            gte(giftCards.balanceCents, amountCents),
          ),
        )
        .returning({ balanceCents: giftCards.balanceCents });
      // Thrown inside the transaction: the claim is rolled back with it.
      if (!spent) throw new ServicePluginError(428, 'INSUFFICIENT_FUNDS');
      await tx
        .update(giftCardTransactions)
        .set({ remainingCents: spent.balanceCents })
        .where(eq(giftCardTransactions.id, id));
      return redemption(id, spent.balanceCents, card.currency);
    }),
  );
}

/**
 * Gives a redemption's amount back to its card, once, and answers the card's balance after it: a
 * repeat finds the redemption voided and answers the same balance, moving nothing; 404
 * `TRANSACTION_NOT_FOUND` for a transaction not this site's.
 */
export async function voidRedemption(
  tenant: TenantDb,
  transactionId: string,
  at: Date,
): Promise<VoidResult> {
  const { instanceId } = tenant;
  const ofThisSite = and(
    eq(giftCardTransactions.id, transactionId),
    eq(giftCardTransactions.instanceId, instanceId),
  );
  return guardDatabase(() =>
    tenant.db.transaction(async (tx) => {
      // The claim: of concurrent voids, one marks the row; the others wait for it, then see it
      // marked and answer what it stored.
      const [voided] = await tx
        .update(giftCardTransactions)
        .set({ voidedAt: at })
        .where(and(ofThisSite, isNull(giftCardTransactions.voidedAt)))
        .returning();
      if (voided) {
        const [card] = await tx
          .update(giftCards)
          .set({ balanceCents: sql`${giftCards.balanceCents} + ${voided.amountCents}` })
          .where(and(eq(giftCards.instanceId, instanceId), eq(giftCards.code, voided.code)))
          .returning({ balanceCents: giftCards.balanceCents });
        // A card is never deleted while its site is installed; a purge takes both together.
        if (!card) throw new Error('a redemption outlived its gift card');
        await tx
          .update(giftCardTransactions)
          .set({ voidRemainingCents: card.balanceCents })
          .where(eq(giftCardTransactions.id, voided.id));
        return voidResult(card.balanceCents, voided.currency);
      }
      const [known] = await tx.select().from(giftCardTransactions).where(ofThisSite);
      if (!known) throw new ServicePluginError(404, 'TRANSACTION_NOT_FOUND');
      return voidResult(known.voidRemainingCents ?? 0, known.currency);
    }),
  );
}

function voidResult(remainingCents: number, currency: string): VoidResult {
  return { remainingBalance: fromCents(remainingCents), currencyCode: currency };
}

function redemption(transactionId: string, remainingCents: number, currency: string): Redemption {
  return { transactionId, remainingBalance: fromCents(remainingCents), currencyCode: currency };
}
