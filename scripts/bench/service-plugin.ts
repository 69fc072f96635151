/**
 * The service-plugin targets (issue 26): Additional Fees through the whole entry — a signed call
 * to /api/service-plugins/v1/calculate-additional-fees — against the same handler in the
 * bench-only bare route (/api/bench/bare-fees), which gets the same `{ request, metadata }`
 * unsigned. Everything that is not the server's work happens here before the load: the key pair,
 * a pool of calls signed to stay valid for the whole run, and the site they are for.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type autocannon from 'autocannon';
import type { Db } from 'wix-app-backend/db/open-database';
import { instances } from 'wix-app-backend/db/schema';
import { sampleFeesRequest } from 'wix-app-backend/dev/service-plugin-samples';
import { signServicePluginRequest } from 'wix-app-backend/dev/sign-service-plugin';
import { settings } from '../../lib/db/schema';
import { HANDLING_FEE_CODE } from '../../lib/service-plugins/fees';
import { DEFAULT_CHECKOUT_SETTINGS } from '../../lib/settings/checkout-settings';
import { DEFAULT_SETTINGS } from '../../lib/settings/settings-schema';

export const FEES_PATH = '/api/service-plugins/v1/calculate-additional-fees';
export const BARE_FEES_PATH = '/api/bench/bare-fees';
/** The site every fees call is for: its own, so no other target's writes touch its settings. */
export const FEES_INSTANCE_ID = 'bench-fees-site';
/**
 * Distinct calls per pool, sent in turn: nothing on the server may answer a repeated body from a
 * cache, and a pool this size takes a few tens of milliseconds to sign before the run.
 */
export const FEES_POOL_SIZE = 64;

/** A key pair for this run: the servers trust its public key as WIX_APP_PUBLIC_KEY. */
export function benchSigningKeys(): { privateKey: KeyObject; publicKeyPem: string } {
  // Wix's app keys are RSA 2048; a longer key would make the verification dearer than Wix's.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * The fees site (seedDatabase's `also`): its instance row, and settings whose checkout section
 * charges the default handling fee without waiving it on a paid plan — so the handler reads the
 * settings and answers a fee, and never asks for the plan, which the bare route does not have.
 */
export async function seedFeesSite(db: Db): Promise<void> {
  const at = new Date();
  await db
    .insert(instances)
    .values({ instanceId: FEES_INSTANCE_ID, firstSeenAt: at, lastSeenAt: at })
    .onConflictDoNothing();
  await db
    .insert(settings)
    .values({
      instanceId: FEES_INSTANCE_ID,
      document: {
        ...DEFAULT_SETTINGS,
        checkout: { ...DEFAULT_CHECKOUT_SETTINGS, waiveFeeOnPaidPlan: false },
      },
      version: 1,
      updatedAt: at,
      updatedBy: null,
    })
    .onConflictDoNothing();
}

/**
 * A checkout as Wix sends it to Additional Fees, three lines and a shipping address: the shared
 * sample (the one the tests and the demo send), so the bench cannot drift from the wire shape
 * the entry's schema accepts — a line price written as an object once made every signed call a
 * 400 here.
 */
const checkout = () =>
  sampleFeesRequest({ lines: [1, 2, 3].map((n) => ({ quantity: n, price: `${n * 7}.50` })) });

/**
 * FEES_POOL_SIZE calls, each signed (the whole path's bodies) and the same data claim unsigned (the
 * bare route's): every signed call stays valid for `validForSeconds` from now.
 */
export async function feesCalls(options: {
  appId: string;
  privateKey: KeyObject;
  validForSeconds: number;
}): Promise<{ signed: string[]; unsigned: string[] }> {
  const signed = await Promise.all(
    Array.from({ length: FEES_POOL_SIZE }, () =>
      signServicePluginRequest(
        {
          appId: options.appId,
          appExtensionType: 'ECOM_ADDITIONAL_FEES',
          instanceId: FEES_INSTANCE_ID,
          request: checkout(),
        },
        options.privateKey,
        { expiresInSeconds: options.validForSeconds },
      ),
    ),
  );
  // The bare route's body is the signed call's own data claim, so both routes get the same input.
  const unsigned = signed.map((token) => {
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      data: unknown;
    };
    return JSON.stringify(payload.data);
  });
  return { signed, unsigned };
}

/** Counts answers, and those without the handling fee: the deadline's no-fee answer, or a fault. */
export interface FeeAnswers {
  answered: number;
  withoutFee: number;
}

/**
 * One autocannon request that POSTs the pool's bodies in turn. `answers` counts 200s, and those
 * without the fee: the plugin's answer past the handler's deadline is no fee, which a status
 * cannot tell from the handler's own.
 */
export function postInTurn(
  path: string,
  contentType: string,
  bodies: readonly string[],
  answers: FeeAnswers,
): autocannon.Request {
  let next = 0;
  return {
    method: 'POST',
    path,
    setupRequest(req) {
      const body = bodies[next++ % bodies.length]!;
      return { ...req, body, headers: { ...req.headers, 'content-type': contentType } };
    },
    onResponse(status, body) {
      if (status !== 200) return;
      answers.answered++;
      if (!body.includes(`"${HANDLING_FEE_CODE}"`)) answers.withoutFee++;
    },
  };
}
