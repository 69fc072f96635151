/**
 * Trace export, called from instrumentation.ts: when an OTLP endpoint is configured
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), @vercel/otel registers a
 * tracer provider that sends spans over OTLP/HTTP — Next's own and the app's (src/tracing.ts).
 * Otherwise nothing is imported and every span stays the API's no-op
 * (docs/decisions/024-tracing.md).
 */
import { getConfig, isBuildPhase } from '../config/env';

/** Registers the exporter if one is configured; true when it did. */
export async function registerTracing(): Promise<boolean> {
  if (isBuildPhase()) return false;
  let tracing;
  try {
    tracing = getConfig().tracing;
  } catch {
    return false; // invalid configuration: reported by checkConfigAtStartup
  }
  if (tracing === null) return false;
  const { registerOTel } = await import('@vercel/otel');
  registerOTel({ serviceName: tracing.serviceName });
  return true;
}
