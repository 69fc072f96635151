/**
 * Benchmark-only: the Additional Fees handler the service-plugin entry serves
 * (lib/service-plugins/fees.ts), run on an unsigned JSON body `{ request, metadata }` — the honest
 * limit for everything the entry adds to a call (the capped text read, RS256 verification, the
 * envelope and request schemas, the instance record, the deadline, the answer's check). What is
 * left is what any app answering this call would do anyway: parse the body, give the handler the
 * site's data, send its answer as JSON. Served at /api/bench/bare-fees (route.bench.ts) and timed
 * inside the server by /api/bench/service-plugin-cost.
 *
 * The handler reads the same checkout settings of the same site as a signed call does, through
 * the same tenant data access. It gets no instance record or plan: the entry reads those, and
 * the bench's site does not waive its fee on a paid plan, so the handler never asks for them
 * (the getters throw, so a change that makes it ask fails the bench instead of measuring less).
 */
import { handlingFee } from '@/lib/service-plugins/fees';
import type { RouteHandler } from 'wix-app-backend';
import type { ServicePluginContext, ServicePluginMetadata } from 'wix-app-backend/service-plugins';

const method = handlingFee.methods.find((m) => m.name === 'calculateAdditionalFees');
if (!method) throw new Error('handlingFee registers no calculateAdditionalFees');
const calculate = method.handler;

// No deadline here, so nothing ever aborts it: one signal for every call.
const neverAborted = new AbortController().signal;

const notGiven = (what: string) => (): never => {
  throw new Error(`the bare fees route gives the handler no ${what}`);
};

export const bareFees: RouteHandler = async (request, app) => {
  const { request: feesRequest, metadata } = (await request.json()) as {
    request: unknown;
    metadata: ServicePluginMetadata;
  };
  const database = await app.database();
  const context: ServicePluginContext = {
    metadata,
    get instance() {
      return notGiven('instance record')();
    },
    get plan() {
      return notGiven('plan')();
    },
    hasPlan: notGiven('plan'),
    tenant: {
      instanceId: metadata.instanceId,
      db: database.db,
      engine: database.engine,
      onInstanceChanged: database.onInstanceChanged,
    },
    log: app.log,
    signal: neverAborted,
    now: app.now,
  };
  return Response.json(await calculate(feesRequest, context));
};
