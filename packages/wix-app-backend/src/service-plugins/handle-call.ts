/**
 * One service-plugin call, after its body has been read: verified (src/service-plugins/
 * verify-service-plugin-request.ts), routed to the app's handler (registry.ts), run against the
 * site's data within the method's deadline, and answered in Wix's shape — the handler's answer
 * checked against the method's schema first, a `ServicePluginError` as `applicationError`.
 * Everything that is not the plugin's own answer is a problem (4xx/5xx, src/http/problem.ts).
 */
import type { AppContext } from '../app/context';
import { AppError } from '../errors/app-error';
import { hasPlan, planOf } from '../instances/plan';
import { errorFields, type LogFields, type Logger } from '../log';
import type {
  DeadlineContext,
  RegisteredMethod,
  ServicePluginContext,
} from './define-service-plugin';
import { applicationErrorBody, isServicePluginError } from './service-plugin-error';
import type { ServicePluginCall } from './verify-service-plugin-request';

/** When the call started (ms, the context's clock): the deadline counts from there. */
export interface CallTiming {
  startedAt: number;
}

export async function handleServicePluginCall(
  app: AppContext,
  body: string,
  path: string,
  timing: CallTiming,
): Promise<Response> {
  const verified = await app.verifyServicePluginCall(body);
  if (!verified.ok) {
    app.log.info('service_plugin_refused', { code: verified.reason, detail: verified.detail });
    throw new AppError(verified.reason);
  }
  const call = verified.value;
  const found = app.servicePlugins.find(call.metadata.appExtensionType, path);
  if (!found.ok) throw new AppError('service_plugin_not_found', found.detail);
  const { method } = found;
  const request = method.request.safeParse(call.request);
  if (!request.success) {
    throw new AppError(
      'invalid_service_plugin_request',
      `The ${method.name} request does not match its schema: ${describeIssues(request.error.issues)}.`,
    );
  }

  const log = withFields(app.log, {
    plugin: method.plugin,
    method: method.name,
    wixRequestId: call.metadata.requestId,
    instanceId: call.metadata.instanceId,
  });
  const controller = new AbortController();
  const remainingMs = method.deadlineMs - (app.now() - timing.startedAt);
  // The site's record is read inside the deadline too: a database slow to hand out a connection
  // (a pool exhausted, a failover) must not hold Wix's checkout past it.
  const outcome = await withinDeadline(
    async () => {
      const context = await contextFor(app, call, log, controller.signal);
      return method.handler(request.data, context);
    },
    remainingMs,
    controller,
  );

  if (outcome.kind === 'late') {
    // The handler goes on in the background; whatever it ends with is no longer anyone's answer.
    outcome.pending.catch((error: unknown) =>
      log.warn('service_plugin_late_failure', errorFields(error)),
    );
    log.warn('service_plugin_deadline', { deadlineMs: method.deadlineMs });
    return deadlineAnswer(method, request.data, { metadata: call.metadata, log, now: app.now });
  }
  if (outcome.kind === 'threw') {
    if (isServicePluginError(outcome.error)) {
      return Response.json(applicationErrorBody(outcome.error), { status: outcome.error.status });
    }
    throw outcome.error; // a 5xx, logged once by the route wrapper
  }
  return answer(method, outcome.value, log);
}

/** The handler's answer, sent only if it is what Wix reads. */
function answer(method: RegisteredMethod, value: unknown, log: Logger): Response {
  const checked = method.response.safeParse(value);
  if (!checked.success) {
    // Wix would drop a malformed answer without a word; the log says which field was wrong.
    log.error('service_plugin_invalid_answer', { issues: describeIssues(checked.error.issues) });
    throw new AppError(
      'internal_error',
      `The ${method.name} handler answered a shape Wix does not accept.`,
    );
  }
  return Response.json(checked.data);
}

function deadlineAnswer(
  method: RegisteredMethod,
  request: unknown,
  context: DeadlineContext,
): Response {
  const onDeadline = method.onDeadline;
  if (onDeadline && 'answer' in onDeadline)
    return answer(method, onDeadline.answer(request, context), context.log);
  if (onDeadline)
    return Response.json(
      { applicationError: { code: onDeadline.error.code } },
      { status: onDeadline.error.status },
    );
  throw new AppError(
    'service_plugin_timeout',
    `The ${method.name} handler did not answer within ${method.deadlineMs} ms.`,
  );
}

async function contextFor(
  app: AppContext,
  call: ServicePluginCall,
  log: Logger,
  signal: AbortSignal,
): Promise<ServicePluginContext> {
  const database = await app.database();
  // Every site with data has a row first (per-instance tables reference it), as for any caller.
  const instance = await database.instances.recordSeen(call.metadata.instanceId, app.now());
  if (instance.status === 'removed') {
    throw new AppError('app_not_installed', 'The app was removed from this site.');
  }
  const plan = planOf(instance, app.now());
  const premium = app.config.premiumPlans;
  return {
    metadata: call.metadata,
    instance,
    plan,
    hasPlan: (required = true) => hasPlan(plan, required === true ? premium : required),
    tenant: {
      instanceId: call.metadata.instanceId,
      db: database.db,
      engine: database.engine,
      onInstanceChanged: database.onInstanceChanged,
    },
    log,
    signal,
    now: app.now,
  };
}

type Outcome =
  | { kind: 'answered'; value: unknown }
  | { kind: 'threw'; error: unknown }
  | { kind: 'late'; pending: Promise<unknown> };

/** Runs `run`, or gives up on it after `ms` (aborting `controller` so it may stop too). */
async function withinDeadline(
  run: () => unknown,
  ms: number,
  controller: AbortController,
): Promise<Outcome> {
  let pending: Promise<unknown>;
  try {
    pending = Promise.resolve(run());
  } catch (error) {
    return { kind: 'threw', error };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => {
        // Settled first, then aborted: a handler that rejects on the abort is late, not failed.
        resolve({ kind: 'late', pending });
        controller.abort(new AppError('service_plugin_timeout'));
      },
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([
      pending.then(
        (value): Outcome => ({ kind: 'answered', value }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function withFields(log: Logger, fields: LogFields): Logger {
  return {
    debug: (event, more) => log.debug(event, { ...fields, ...more }),
    info: (event, more) => log.info(event, { ...fields, ...more }),
    warn: (event, more) => log.warn(event, { ...fields, ...more }),
    error: (event, more) => log.error(event, { ...fields, ...more }),
  };
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
