/**
 * The no-tracing variant's stand-in for the package's tracing module (next.config.mjs aliases the
 * app's `wix-app-backend/tracing` imports to it when WIX_BENCH_BUILD=notrace): the same functions with no
 * OpenTelemetry call at all, so the bench can show what the spans cost when no exporter is
 * configured — the default — against none.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import { INVALID_SPAN_CONTEXT, SpanKind, trace } from '@opentelemetry/api';

export { SpanKind, type Span };
export const TRACER_NAME = 'wix-app-backend';

// A span that records nothing, built once; `run` gets it as the real one would.
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function inSpan<T>(
  _name: string,
  _attributes: Attributes,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  return run(NO_SPAN);
}

export function nameActiveSpan(_requestId: string): void {}
