/**
 * Spans for the app's own stages — authentication, database operations, Wix calls — through
 * `@opentelemetry/api`. Next adds its own (`Middleware.execute`, `AppRouteRouteHandlers.runHandler`)
 * once a tracer provider is registered, and instrumentation.ts registers one only when an OTLP
 * endpoint is configured; until then every call here is the API's no-op, well under a
 * microsecond (docs/decisions/024-tracing.md).
 *
 * Attributes are codes, ids, methods and paths: never a credential, a token, a secret or a body.
 * A failure is recorded as `error.type` (its stable code, or its class name), not as an exception
 * event: messages can quote query parameters.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { isAppError } from './errors/app-error';

export { SpanKind, type Span };

/** The instrumentation scope every span of the app is filed under. */
export const TRACER_NAME = 'wix-app-backend';

/** A proxy: it delegates to whatever provider is registered when a span starts. */
const tracer = trace.getTracer(TRACER_NAME);

/**
 * Runs `run` inside an active span named `name` (spans started inside become its children) and
 * ends it when `run` settles; a throw marks it failed with `error.type` and is rethrown.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  run: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', errorType(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds the request id to the span Next opened for the request, when one is recording. */
export function nameActiveSpan(requestId: string): void {
  trace.getActiveSpan()?.setAttribute('app.request_id', requestId);
}

/** What failed, as a low-cardinality word: our stable code, or the error's class name. */
function errorType(error: unknown): string {
  if (isAppError(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}
