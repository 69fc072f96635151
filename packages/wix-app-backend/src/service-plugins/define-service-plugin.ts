/**
 * How a service plugin is described and how an app registers its handlers for one.
 *
 * A plugin (`defineServicePlugin`) is Wix's contract: the extension type Wix names in
 * `metadata.appExtensionType`, and for each method its path, the zod schemas of its request and
 * response in REST field names (what is on the wire: `id`, prices as decimal strings — not the
 * SDK's renamed `_id`), a deadline under Wix's limit, and what to answer when the deadline
 * passes. The app then calls the definition with its handlers — one per method it implements —
 * and lists the result in `createWixApp({ servicePlugins: [...] })`. src/service-plugins/ecom.ts
 * defines the ecom plugins this way; docs/service-plugins.md shows adding another (Tax) so.
 */
import type { z } from 'zod';
import type { PlanRequirement } from '../app/authenticate';
import type { Tenant } from '../db/tenant';
import type { InstanceRecord } from '../instances/instances-store';
import type { PlanView } from '../instances/plan';
import type { Logger } from '../log';
import type { ServicePluginMetadata } from './verify-service-plugin-request';

/** Under every limit Wix states (Additional Fees: 3 s), with room for the network both ways. */
export const DEFAULT_SERVICE_PLUGIN_DEADLINE_MS = 2_500;

/** What a handler is given besides the method's request. */
export interface ServicePluginContext {
  /** The verified envelope: the site (`instanceId`), its currency, languages, the caller. */
  metadata: ServicePluginMetadata;
  /** The instance's stored record (first seen, installation status, plan). */
  instance: InstanceRecord;
  /** The site's plan as the app-instance events left it (src/instances/plan.ts). */
  plan: PlanView;
  /** Whether the plan meets `plan`, by the rules `app.authenticate`'s `plan` option uses. */
  hasPlan(plan?: PlanRequirement): boolean;
  /** The site's data access: queries are keyed by `tenant.instanceId`, never by the request. */
  tenant: Tenant;
  /** Lines carry the request id and Wix's `metadata.requestId`. */
  log: Logger;
  /** Aborted when the deadline passes: pass it to any call that can be cancelled. */
  signal: AbortSignal;
  now(): number;
}

/**
 * What a deadline answer may read: the verified call, not the site's data — the deadline may
 * pass while the database is still being asked for the site's record.
 */
export type DeadlineContext = Pick<ServicePluginContext, 'metadata' | 'log' | 'now'>;

/** When the deadline passes: a safe answer (sent with 200), or Wix's business error. */
export type DeadlineAnswer<Req, Res> =
  | { answer: (request: Req, context: DeadlineContext) => Res }
  | { error: { status: number; code: string } };

export interface ServicePluginMethodSpec<Req = unknown, Res = unknown> {
  /** The path Wix appends to the extension's `deploymentUri` (`/v1/getRates`). */
  path: string;
  /** The request, in REST names; loose: Wix may add fields. */
  request: z.ZodType<Req>;
  /** The answer, in REST names; a handler's answer that fails it is a logged 500, never sent. */
  response: z.ZodType<Res>;
  /** Default DEFAULT_SERVICE_PLUGIN_DEADLINE_MS. */
  deadlineMs?: number;
  /** Unset: past the deadline the call answers 504 `service_plugin_timeout`. */
  onDeadline?: DeadlineAnswer<Req, Res>;
}

type AnyMethodSpec = ServicePluginMethodSpec<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ServicePluginSpec<M extends Record<string, AnyMethodSpec>> {
  /** Wix's `appExtensionType` (`ECOM_ADDITIONAL_FEES`); matched case-insensitively, as the SDK does. */
  type: string;
  methods: M;
}

type RequestOf<S> = S extends ServicePluginMethodSpec<infer Req, unknown> ? Req : never;
type ResponseOf<S> = S extends ServicePluginMethodSpec<unknown, infer Res> ? Res : never;

/** A method's handler: the request in, the answer out (or a thrown `ServicePluginError`). */
export type ServicePluginHandler<S> = (
  request: RequestOf<S>,
  context: ServicePluginContext,
) => Promise<ResponseOf<S>> | ResponseOf<S>;

export type ServicePluginHandlers<M extends Record<string, AnyMethodSpec>> = {
  [K in keyof M]?: ServicePluginHandler<M[K]>;
};

/** Per registration: deadlines and deadline answers that replace the plugin's defaults. */
export interface ServicePluginOptions<M extends Record<string, AnyMethodSpec>> {
  deadlineMs?: { [K in keyof M]?: number };
  onDeadline?: { [K in keyof M]?: DeadlineAnswer<RequestOf<M[K]>, ResponseOf<M[K]>> };
}

/** One method of a registration, resolved: what the entry handler runs. */
export interface RegisteredMethod {
  plugin: string;
  name: string;
  path: string;
  request: z.ZodType;
  response: z.ZodType;
  deadlineMs: number;
  onDeadline: DeadlineAnswer<unknown, unknown> | null;
  handler: (request: unknown, context: ServicePluginContext) => Promise<unknown> | unknown;
}

/** What `createWixApp({ servicePlugins })` takes: one plugin's handlers, ready to serve. */
export interface ServicePluginRegistration {
  readonly type: string;
  readonly methods: readonly RegisteredMethod[];
}

export interface ServicePluginDefinition<M extends Record<string, AnyMethodSpec>> {
  (
    handlers: ServicePluginHandlers<M>,
    options?: ServicePluginOptions<M>,
  ): ServicePluginRegistration;
  readonly spec: ServicePluginSpec<M>;
}

/** Describes a plugin; call the result with your handlers to register them. */
export function defineServicePlugin<M extends Record<string, AnyMethodSpec>>(
  spec: ServicePluginSpec<M>,
): ServicePluginDefinition<M> {
  for (const [name, method] of Object.entries(spec.methods)) {
    if (!/^\/[\w/-]+$/.test(method.path))
      throw new Error(`${spec.type}.${name}: path must look like /v1/method-name`);
  }
  const register = (
    handlers: ServicePluginHandlers<M>,
    options: ServicePluginOptions<M> = {},
  ): ServicePluginRegistration => {
    const methods: RegisteredMethod[] = [];
    for (const [name, handler] of Object.entries(handlers)) {
      const method = spec.methods[name];
      if (!method) throw new Error(`${spec.type} has no method ${name}`);
      if (typeof handler !== 'function') continue;
      const deadlineMs =
        options.deadlineMs?.[name] ?? method.deadlineMs ?? DEFAULT_SERVICE_PLUGIN_DEADLINE_MS;
      if (!(deadlineMs > 0)) throw new Error(`${spec.type}.${name}: deadlineMs must be positive`);
      methods.push({
        plugin: spec.type,
        name,
        path: method.path,
        request: method.request,
        response: method.response,
        deadlineMs,
        onDeadline: (options.onDeadline?.[name] ?? method.onDeadline ?? null) as DeadlineAnswer<
          unknown,
          unknown
        > | null,
        handler: handler as RegisteredMethod['handler'],
      });
    }
    return { type: spec.type, methods };
  };
  return Object.assign(register, { spec });
}
