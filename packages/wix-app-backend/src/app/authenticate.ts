/**
 * `app.authenticate(request, options)`: the first line of every authenticated handler, in the
 * spirit of Shopify's `authenticate.admin(request)`. It verifies the credential itself — the
 * middleware's check is an early refusal, not something a handler trusts — so a handler reached
 * without the middleware, or with any header a client made up, still answers 401
 * (docs/decisions/014-one-identity-call.md). Then it records the instance, applies the policy,
 * and hands back what the handler needs.
 */
import type { VerifyCredential } from '../auth/verify-credential';
import type { Caller, Identity } from '../auth/identity';
import type { Tenant } from '../db/tenant';
import { AppError, isAppError } from '../errors/app-error';
import type { InstanceRecord } from '../instances/instances-store';
import { hasPlan, planOf } from '../instances/plan';
import { inSpan } from '../tracing';
import { forInstance, type InstanceWixClient, type WixAppClient } from '../wix/app-client';
import type { AppDatabase } from './database';

export interface AuthenticateOptions {
  /**
   * Who the route serves (src/auth/identity.ts, docs/callers.md); anyone else is refused with 403
   * `caller_not_allowed` before the instance is touched. Default `['dashboard']`: the site owner
   * in the dashboard. A route for a site widget adds `'member'` and/or `'visitor'` and must then
   * answer only what a visitor may see; `ANY_CALLER` admits every verified credential.
   */
  callers?: readonly Caller[];
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

export type { Tenant };

/** The default caller policy: the dashboard only. */
const DASHBOARD_ONLY: readonly Caller[] = ['dashboard'];

/** A plan requirement: `true` for the premium plans, or the plan ids that will do. */
export type PlanRequirement = true | readonly string[];

export interface Session {
  /** Who is calling, from a verified credential; `identity.caller` is the caller's role. */
  identity: Identity;
  /** The instance's stored record: first seen, installation status, plan. */
  instance: InstanceRecord;
  tenant: Tenant;
  /** Calls Wix REST APIs as the app for this instance. */
  wix: InstanceWixClient;
  /**
   * For a plan check inside a handler (a free quota, then a paid plan): whether the instance's
   * plan meets `plan`, by the same rules as the `plan` option — a cancelled plan counts until it
   * expires, a lapsed one does not (src/instances/plan.ts). Never test `instance.plan` yourself.
   */
  hasPlan(plan?: PlanRequirement): boolean;
  /** `hasPlan`, or throws 403 `plan_required` naming the plans — what the `plan` option does. */
  requirePlan(plan?: PlanRequirement): void;
}

/** How a refusal names a caller role. */
const CALLER_NAMES: Record<Caller, string> = {
  dashboard: "the site owner's dashboard",
  member: 'a site member',
  visitor: 'an anonymous site visitor',
  app: 'the app itself',
};

export function createSessionAuthenticator(deps: {
  premiumPlans: readonly string[];
  verifyCredential: VerifyCredential;
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
    // Before the database: a caller the route does not serve costs no write.
    const callers = options.callers ?? DASHBOARD_ONLY;
    if (!callers.includes(identity.caller)) {
      throw new AppError(
        'caller_not_allowed',
        `This serves ${callers.map((c) => CALLER_NAMES[c]).join(', ')}; the credential is ${CALLER_NAMES[identity.caller]}'s.`,
        { extensions: { caller: identity.caller, callers: [...callers] } },
      );
    }
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
    const plansOf = (plan: PlanRequirement) => (plan === true ? deps.premiumPlans : plan);
    const meets = (plan: PlanRequirement) => hasPlan(planOf(instance, deps.now()), plansOf(plan));
    const requirePlan = (plan: PlanRequirement = true) => {
      if (meets(plan)) return;
      const plans = plansOf(plan);
      throw new AppError(
        'plan_required',
        plans.length === 0
          ? 'Any paid plan of the app gives access to this.'
          : `One of these plans gives access to this: ${plans.join(', ')}.`,
        { extensions: { plans: [...plans] } },
      );
    };
    if (options.plan) requirePlan(options.plan);
    return {
      identity,
      instance,
      tenant: {
        instanceId: identity.instanceId,
        db: database.db,
        engine: database.engine,
        onInstanceChanged: database.onInstanceChanged,
      },
      wix: forInstance(appClient, identity.instanceId),
      hasPlan: (plan = true) => meets(plan),
      requirePlan,
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
