/**
 * `app.authenticate(request, options)`: the first line of every authenticated handler, in the
 * spirit of Shopify's `authenticate.admin(request)`. It verifies the credential itself — the
 * middleware's check is an early refusal, not something a handler trusts — so a handler reached
 * without the middleware, or with any header a client made up, still answers 401
 * (docs/decisions/014-one-identity-call.md). Then it records the instance, applies the policy,
 * and hands back what the handler needs.
 */
import type { Authenticate } from '../auth/authenticate';
import type { Identity } from '../auth/identity';
import type { TenantDb } from '../db/tenant';
import { AppError, isAppError } from '../errors/app-error';
import type { InstanceRecord } from '../instances/instances-store';
import { hasPlan, planOf } from '../instances/plan';
import type { SettingsStore } from '../settings/settings-store';
import { inSpan } from '../tracing';
import { forInstance, type InstanceWixClient, type WixAppClient } from '../wix/app-client';
import type { AppDatabase } from './database';

export interface AuthenticateOptions {
  /** Only the site owner (`permissions: "OWNER"`, or a `USER` token): else 403 `owner_required`. */
  owner?: boolean;
  /**
   * Serve an instance Wix reported removed. By default its requests answer 403
   * `app_not_installed`: they still authenticate (Wix keeps signing them), but its data is on
   * the way to being purged.
   */
  allowRemoved?: boolean;
  /**
   * A paid plan: `true` for the premium plans (PREMIUM_PLANS, or any paid plan when unset), or
   * the plan ids that will do. Otherwise 403 `plan_required`, naming them.
   */
  plan?: true | readonly string[];
}

/** The caller's data access: pass it to data modules (they filter every query by its id). */
export interface Tenant extends TenantDb {
  /** The instance's settings document (lib/settings). */
  readonly settings: SettingsStore;
}

export interface Session {
  /** Who is calling, from a verified credential. */
  identity: Identity;
  /** The instance's stored record: first seen, installation status, plan. */
  instance: InstanceRecord;
  tenant: Tenant;
  /** Calls Wix REST APIs as the app for this instance. */
  wix: InstanceWixClient;
}

export function createSessionAuthenticator(deps: {
  premiumPlans: readonly string[];
  verifyCredential: Authenticate;
  database: () => Promise<AppDatabase>;
  wix: () => Promise<{ app: WixAppClient }>;
  now: () => number;
}): (request: Request, options?: AuthenticateOptions) => Promise<Session> {
  const appClient = async () => (await deps.wix()).app;
  const establish = async function authenticate(
    request: Request,
    options: AuthenticateOptions,
  ): Promise<Session> {
    const result = await deps.verifyCredential(request);
    if (!result.ok) {
      throw new AppError(result.reason, undefined, { retryAfterSeconds: result.retryAfterSeconds });
    }
    const { identity } = result;
    const database = await deps.database();
    // Every verified instance has a row before any handler touches its data: per-instance tables
    // reference it (lib/db/schema.ts).
    const instance = await database.instances.recordSeen(identity.instanceId, deps.now());
    if (!options.allowRemoved && instance.status === 'removed') {
      throw new AppError(
        'app_not_installed',
        'The app was removed from this site; reinstall it to use this.',
      );
    }
    if (options.owner && !identity.isOwner) {
      throw new AppError('owner_required', 'Only the site owner can do this.');
    }
    if (options.plan) {
      const plans = options.plan === true ? deps.premiumPlans : options.plan;
      if (!hasPlan(planOf(instance, deps.now()), plans)) {
        throw new AppError(
          'plan_required',
          plans.length === 0
            ? 'Any paid plan of the app gives access to this.'
            : `One of these plans gives access to this: ${plans.join(', ')}.`,
          { extensions: { plans: [...plans] } },
        );
      }
    }
    return {
      identity,
      instance,
      tenant: { instanceId: identity.instanceId, db: database.db, settings: database.settings },
      wix: forInstance(appClient, identity.instanceId),
    };
  };
  // One span for the whole call — the credential check is its child, with the database's
  // "last seen" write — naming the instance, or the code of the refusal.
  return (request, options = {}) =>
    inSpan('app.authenticate', {}, async (span) => {
      try {
        const session = await establish(request, options);
        span.setAttributes({
          'auth.credential_kind': session.identity.credential,
          'wix.instance_id': session.identity.instanceId,
        });
        return session;
      } catch (error) {
        if (isAppError(error)) span.setAttribute('auth.refusal_code', error.code);
        throw error;
      }
    });
}
