/**
 * The Gift Cards Provider example through the service-plugin route, on whichever database the
 * test apps share: the owner issues a card; Wix reads its balance, redeems and voids — each write
 * once however many copies arrive at once, also from two processes (`other`: a second pool).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as giftCardsRoute } from '@/app/api/gift-cards/route';
import { POST as servicePlugin } from '@/app/api/service-plugins/[...path]/route';
import { expectProblem, type TestApp } from '@/test/kit';

const GIFT_CARDS = 'GIFT_CARDS_PROVIDER';
const COPIES = 50;

export function giftCardCases(
  createApp: () => Promise<TestApp>,
  createOther: () => Promise<TestApp>,
): void {
  let kit: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    kit = await createApp();
    other = await createOther();
  });
  afterAll(async () => {
    await other?.close();
    await kit?.close();
  });

  /** A site with one card of `balance` EUR, issued by its owner. */
  async function siteWithCard(balance: number) {
    const instanceId = randomUUID();
    const code = `CARD-${randomUUID().slice(0, 8)}`;
    const created = await kit.call(giftCardsRoute, '/api/gift-cards', {
      auth: await kit.signInstance({ instanceId }),
      json: { code, balance, currency: 'EUR' },
    });
    expect(created.status).toBe(201);
    return { instanceId, code };
  }

  const callOn = async (
    app: TestApp,
    instanceId: string,
    path: string,
    request: Record<string, unknown>,
  ) => {
    const body = await app.signServicePluginCall(GIFT_CARDS, request, { instanceId });
    return app.callServicePlugin(servicePlugin, `/api/service-plugins${path}`, body);
  };
  const balanceOf = async (instanceId: string, code: string) => {
    const response = await callOn(kit, instanceId, '/v1/balance', { code });
    return ((await response.json()) as { balance: number }).balance;
  };
  /** Redeems each amount (each for an order of its own) and hands over each answer. */
  const redeemEach = async (
    site: { instanceId: string; code: string },
    amounts: readonly (number | string)[],
    check: (response: Response, amount: number | string) => Promise<unknown>,
  ) => {
    for (const amount of amounts) {
      const response = await callOn(kit, site.instanceId, '/v1/redeem', {
        code: site.code,
        amount,
        orderId: randomUUID(),
      });
      await check(response, amount);
    }
  };
  const malformed = (response: Response) =>
    expectProblem(response, 400, 'invalid_service_plugin_request');

  describe('balance', () => {
    it("answers the card's balance and currency", async () => {
      const { instanceId, code } = await siteWithCard(25);
      const response = await callOn(kit, instanceId, '/v1/balance', { code });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ balance: 25, currencyCode: 'EUR' });
    });

    it("answers 404 GIFT_CARD_NOT_FOUND for another site's card", async () => {
      const { code } = await siteWithCard(25);
      const response = await callOn(kit, randomUUID(), '/v1/balance', { code });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ applicationError: { code: 'GIFT_CARD_NOT_FOUND' } });
    });
  });

  describe('redeem', () => {
    it('takes the amount and answers the remaining balance', async () => {
      const { instanceId, code } = await siteWithCard(25);
      const response = await callOn(kit, instanceId, '/v1/redeem', {
        code,
        amount: 10.5,
        currencyCode: 'EUR',
        orderId: randomUUID(),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        transactionId: expect.any(String),
        remainingBalance: 14.5,
        currencyCode: 'EUR',
      });
    });

    it('answers 428 INSUFFICIENT_FUNDS and moves nothing when the balance does not cover it', async () => {
      const { instanceId, code } = await siteWithCard(5);
      const response = await callOn(kit, instanceId, '/v1/redeem', {
        code,
        amount: 6,
        orderId: randomUUID(),
      });
      expect(response.status).toBe(428);
      expect(await response.json()).toEqual({ applicationError: { code: 'INSUFFICIENT_FUNDS' } });
      expect(await balanceOf(instanceId, code)).toBe(5);
    });

    it('answers 400 CURRENCY_NOT_SUPPORTED for another currency', async () => {
      const { instanceId, code } = await siteWithCard(5);
      const response = await callOn(kit, instanceId, '/v1/redeem', {
        code,
        amount: 1,
        currencyCode: 'USD',
        orderId: randomUUID(),
      });
      expect(response.status).toBe(400);
    });

    it(`moves the balance once when ${COPIES} copies of one redeem arrive at once, from two processes`, async () => {
      const { instanceId, code } = await siteWithCard(100);
      const orderId = randomUUID();
      const request = { code, amount: 30, currencyCode: 'EUR', orderId };
      const responses = await Promise.all(
        Array.from({ length: COPIES }, (_, i) =>
          callOn(i % 2 === 0 ? kit : other, instanceId, '/v1/redeem', request),
        ),
      );
      const bodies = await Promise.all(responses.map((response) => response.json()));
      // A copy still waiting at the deadline (a loaded machine) answers 504, never another
      // redemption: Wix's retry of it gets the one below.
      const answered = bodies.filter((_, i) => responses[i]!.status === 200);
      const late = responses.filter((response) => response.status === 504);
      expect(answered.length + late.length).toBe(COPIES);
      expect(answered.length).toBeGreaterThan(0);
      expect(new Set(answered.map((body) => JSON.stringify(body))).size).toBe(1);
      expect(answered[0]).toMatchObject({ remainingBalance: 70 });
      expect(await balanceOf(instanceId, code)).toBe(70);
      const retry = await callOn(kit, instanceId, '/v1/redeem', request);
      expect(await retry.json()).toEqual(answered[0]);
      expect(await balanceOf(instanceId, code)).toBe(70);
    });

    it('refuses an amount of nothing before the handler, as a malformed call', async () => {
      const { instanceId, code } = await siteWithCard(5);
      await redeemEach({ instanceId, code }, [0, -1, '0.00', 'NaN'], malformed);
      expect(await balanceOf(instanceId, code)).toBe(5);
    });

    it('answers 409 ALREADY_REDEEMED for the same order asking another amount', async () => {
      const { instanceId, code } = await siteWithCard(100);
      const orderId = randomUUID();
      await callOn(kit, instanceId, '/v1/redeem', { code, amount: 10, orderId });
      const again = await callOn(kit, instanceId, '/v1/redeem', { code, amount: 20, orderId });
      expect(again.status).toBe(409);
      expect(await balanceOf(instanceId, code)).toBe(90);
    });
  });

  describe('odd amounts, orders and ids, validly signed', () => {
    it('refuses an amount of less than a cent as a malformed call, moving nothing (was a 500)', async () => {
      const { instanceId, code } = await siteWithCard(5);
      await redeemEach({ instanceId, code }, [0.001, '0.004', 1e-300], malformed);
      expect(await balanceOf(instanceId, code)).toBe(5);
    });

    it('refuses an amount with a fraction of a cent instead of redeeming a rounded one', async () => {
      const { instanceId, code } = await siteWithCard(50);
      await redeemEach({ instanceId, code }, [10.005, '1.0000000001', '2.999'], malformed);
      expect(await balanceOf(instanceId, code)).toBe(50);
    });

    it('answers an amount no card can hold 428 INSUFFICIENT_FUNDS, not a 500', async () => {
      const { instanceId, code } = await siteWithCard(5);
      // 21,474,836.48 is 2^31 cents: past the integer column the amount is stored in.
      await redeemEach(
        { instanceId, code },
        [21_474_836.48, 999_999_999.99, '999999999.99'],
        async (response, amount) => {
          expect(response.status, JSON.stringify(amount)).toBe(428);
          expect(await response.json()).toEqual({
            applicationError: { code: 'INSUFFICIENT_FUNDS' },
          });
        },
      );
      expect(await balanceOf(instanceId, code)).toBe(5);
    });

    it('treats an empty orderId as no order: a second such redeem is a new one, not a 500', async () => {
      const { instanceId, code } = await siteWithCard(100);
      for (const remaining of [90, 80]) {
        const response = await callOn(kit, instanceId, '/v1/redeem', {
          code,
          amount: 10,
          orderId: '',
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ remainingBalance: remaining });
      }
      expect(await balanceOf(instanceId, code)).toBe(80);
    });

    it('refuses a code, order or transaction id the database cannot store with 400, not a 500', async () => {
      const { instanceId, code } = await siteWithCard(10);
      const calls: Array<[string, Record<string, unknown>]> = [
        ['/v1/balance', { code: 'CARD\u0000NUL' }],
        ['/v1/balance', { code: 'CARD\ud800' }],
        ['/v1/redeem', { code: 'CARD\u0000NUL', amount: 1, orderId: randomUUID() }],
        ['/v1/redeem', { code, amount: 1, orderId: `order\u0000${randomUUID()}` }],
        ['/v1/void', { transactionId: 'tx\u0000' }],
      ];
      for (const [path, request] of calls) {
        const response = await callOn(kit, instanceId, path, request);
        await expectProblem(response, 400, 'invalid_service_plugin_request');
      }
      expect(await balanceOf(instanceId, code)).toBe(10);
    });

    it('answers a redeem and a void of one transaction arriving at once with one outcome each', async () => {
      const { instanceId, code } = await siteWithCard(100);
      const orderId = randomUUID();
      const request = { code, amount: 40, orderId };
      const first = await callOn(kit, instanceId, '/v1/redeem', request);
      const { transactionId } = (await first.json()) as { transactionId: string };
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? callOn(i % 4 === 0 ? kit : other, instanceId, '/v1/void', { transactionId })
            : callOn(i % 4 === 1 ? kit : other, instanceId, '/v1/redeem', request),
        ),
      );
      // A repeated redeem before the void answers the first result, after it ALREADY_REDEEMED;
      // the void gives the 40 back once; a copy past the deadline is a 504, never a 5xx else.
      for (const response of responses) expect([200, 409, 504]).toContain(response.status);
      expect(await balanceOf(instanceId, code)).toBe(100);
    });
  });

  describe('void', () => {
    it(`gives the amount back once, however many of ${COPIES} copies arrive`, async () => {
      const { instanceId, code } = await siteWithCard(100);
      const redeemed = await callOn(kit, instanceId, '/v1/redeem', {
        code,
        amount: 40,
        orderId: randomUUID(),
      });
      const { transactionId } = (await redeemed.json()) as { transactionId: string };
      const responses = await Promise.all(
        Array.from({ length: COPIES }, (_, i) =>
          callOn(i % 2 === 0 ? kit : other, instanceId, '/v1/void', { transactionId }),
        ),
      );
      // As for redeem: late copies (504) are the only other answer, and change nothing.
      expect(responses.every((response) => [200, 504].includes(response.status))).toBe(true);
      const answered = await Promise.all(
        responses.filter((response) => response.status === 200).map((response) => response.json()),
      );
      expect(answered.length).toBeGreaterThan(0);
      for (const body of answered)
        expect(body).toEqual({ remainingBalance: 100, currencyCode: 'EUR' });
      expect(await balanceOf(instanceId, code)).toBe(100);
    });

    it('answers a repeated void with its first result, though the card moved since', async () => {
      const { instanceId, code } = await siteWithCard(100);
      const redeem = (amount: number) =>
        callOn(kit, instanceId, '/v1/redeem', { code, amount, orderId: randomUUID() });
      const { transactionId } = (await (await redeem(40)).json()) as { transactionId: string };
      const first = await callOn(kit, instanceId, '/v1/void', { transactionId });
      expect(await first.json()).toEqual({ remainingBalance: 100, currencyCode: 'EUR' });
      expect((await redeem(25)).status).toBe(200);
      const repeat = await callOn(kit, instanceId, '/v1/void', { transactionId });
      expect(repeat.status).toBe(200);
      expect(await repeat.json()).toEqual({ remainingBalance: 100, currencyCode: 'EUR' });
      expect(await balanceOf(instanceId, code)).toBe(75);
    });

    it("answers 404 TRANSACTION_NOT_FOUND for another site's transaction", async () => {
      const { instanceId, code } = await siteWithCard(100);
      const redeemed = await callOn(kit, instanceId, '/v1/redeem', {
        code,
        amount: 40,
        orderId: randomUUID(),
      });
      const { transactionId } = (await redeemed.json()) as { transactionId: string };
      const response = await callOn(kit, randomUUID(), '/v1/void', { transactionId });
      expect(response.status).toBe(404);
      expect(await balanceOf(instanceId, code)).toBe(60);
    });
  });

  describe('issuing cards', () => {
    it('refuses a code the site already has', async () => {
      const { instanceId, code } = await siteWithCard(10);
      const response = await kit.call(giftCardsRoute, '/api/gift-cards', {
        auth: await kit.signInstance({ instanceId }),
        json: { code, balance: 5, currency: 'EUR' },
      });
      await expectProblem(response, 400, 'invalid_body');
      expect(await balanceOf(instanceId, code)).toBe(10);
    });

    it('answers the balance it stored, not the float it was sent', async () => {
      const instanceId = randomUUID();
      const code = `CARD-${randomUUID().slice(0, 8)}`;
      const created = await kit.call(giftCardsRoute, '/api/gift-cards', {
        auth: await kit.signInstance({ instanceId }),
        json: { code, balance: 0.1 + 0.2, currency: 'EUR' },
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ code, balance: 0.3, currency: 'EUR' });
      expect(await balanceOf(instanceId, code)).toBe(0.3);
    });

    it('refuses odd codes, balances and currencies, and callers without a credential, with 4xx', async () => {
      const instanceId = randomUUID();
      const auth = await kit.signInstance({ instanceId });
      const bodies: unknown[] = [
        { code: 'CARD\u0000NUL', balance: 1, currency: 'EUR' },
        { code: 'SHORT', balance: 1, currency: 'EUR' },
        { code: 'ABCDEFGH', balance: 1e308, currency: 'EUR' },
        { code: 'ABCDEFGH', balance: 1.005, currency: 'EUR' },
        { code: 'ABCDEFGH', balance: -1, currency: 'EUR' },
        { code: 'ABCDEFGH', balance: 1, currency: 'eur' },
        { code: 'ABCDEFGH', balance: 1, currency: 'EUR', extra: true },
        [1],
      ];
      for (const json of bodies) {
        const response = await kit.call(giftCardsRoute, '/api/gift-cards', { auth, json });
        await expectProblem(response, 400, 'invalid_body');
      }
      const proto = await kit.call(giftCardsRoute, '/api/gift-cards', {
        auth,
        headers: { 'content-type': 'application/json' },
        body: '{"code":"ABCDEFGH","balance":1,"currency":"EUR","__proto__":{"balance":5}}',
      });
      await expectProblem(proto, 400, 'invalid_body');
      const json = { code: 'ABCDEFGH', balance: 1, currency: 'EUR' };
      await expectProblem(
        await kit.call(giftCardsRoute, '/api/gift-cards', { json }),
        401,
        'missing_credentials',
      );
      await expectProblem(
        await kit.call(giftCardsRoute, '/api/gift-cards', { auth: 'garbage.x', json }),
        401,
        'malformed_credentials',
      );
    });
  });
}
