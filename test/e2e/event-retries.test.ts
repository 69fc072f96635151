/**
 * A failed event handler is retried within minutes on a deployment where no process outlives its
 * requests: a production build started as on Vercel (VERCEL=1, so no retry timer), on
 * PostgreSQL. The handler's first try fails (a CHECK constraint refuses its insert), the
 * constraint goes, the backoff passes in real time, and the next ordinary request — not a
 * webhook, not the cron — runs the retry after its response. The database is this file's own:
 * another file's long-running servers drain every database they share on a timer.
 *
 * @e2e-mostly-waits — the backoff is real time (vitest.e2e.config.mts starts this file first).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { businessEventData, signWixWebhook } from 'wix-app-backend/dev/sign-webhook';
import { EVENT_RETRY_INTERVAL_MS, backoffMs } from 'wix-app-backend/events/processor';
import { usePrivatePostgres } from 'wix-app-backend/testing/private-postgres';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { startNextServer, type NextServer } from './helpers/next-server';

const ORDER_CREATED = 'wix.ecom.v1.order_created';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'event retries on a production build with no retry timer (VERCEL=1)',
  () => {
    const url = usePrivatePostgres('event_retries');
    let server: NextServer;
    let sql: postgres.Sql;

    beforeAll(async () => {
      sql = postgres(url(), { max: 1, onnotice: () => {} });
      server = await startNextServer({
        env: {
          WIX_APP_ID: TEST_APP_ID,
          WIX_APP_SECRET: TEST_APP_SECRET,
          WIX_APP_PUBLIC_KEY: PUBLIC_PEM,
          DATABASE_URL: url(),
          VERCEL: '1',
        },
      });
    });
    afterAll(async () => {
      await server?.stop();
      await sql?.end();
    });

    const ordersSeen = async (auth: string) => {
      const response = await fetch(`${server.url}/api/examples/orders`, {
        headers: { authorization: auth },
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { ordersSeen: number }).ordersSeen;
    };

    it('runs a failed handler again on the first request after its backoff', async () => {
      const instanceId = randomUUID();
      const auth = await signInstance(
        { instanceId, appDefId: TEST_APP_ID, uid: 'owner-1', permissions: 'OWNER' },
        TEST_APP_SECRET,
      );
      expect(await ordersSeen(auth)).toBe(0); // the instance's row exists before the event

      // Only this instance's insert fails: other files sharing the database are untouched.
      await sql.unsafe(
        `alter table orders_seen add constraint e2e_first_try_fails check (instance_id <> '${instanceId}') not valid`,
      );
      const body = await signWixWebhook(
        {
          eventType: ORDER_CREATED,
          instanceId,
          data: businessEventData(ORDER_CREATED, { eventId: randomUUID() }),
        },
        keys.privateKey,
      );
      const delivered = await fetch(`${server.url}/api/webhooks/wix`, { method: 'POST', body });
      expect(await delivered.json()).toMatchObject({ status: 'ok', queued: true });
      const failedAt = Date.now();
      // The handler ran after the answer and failed: the event waits for its retry.
      await expect
        .poll(
          async () =>
            (
              await sql<{ attempts: number }[]>`
              select attempts from event_queue where instance_id = ${instanceId}`
            )[0]?.attempts,
          { timeout: 10_000, interval: 100 },
        )
        .toBe(1);
      expect(await ordersSeen(auth)).toBe(0);
      await sql.unsafe('alter table orders_seen drop constraint e2e_first_try_fails');

      // Real time: the first backoff, and a drain interval since the delivery's own drain.
      const wait = Math.max(backoffMs(1), EVENT_RETRY_INTERVAL_MS) + 500;
      await new Promise((resolve) => setTimeout(resolve, failedAt + wait - Date.now()));

      // An ordinary request; the retry runs after its answer.
      expect(
        (await fetch(`${server.url}/api/me`, { headers: { authorization: auth } })).status,
      ).toBe(200);
      await expect.poll(() => ordersSeen(auth), { timeout: 10_000, interval: 200 }).toBe(1);
    }, 90_000);
  },
);
