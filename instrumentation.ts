/**
 * Runs once when a Next server starts. Invalid configuration, or a database this process must
 * not use, stops it here with one readable message instead of failing request by request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkConfigAtStartup, openDatabaseAtStartup, startEventRetries } =
    await import('./lib/app/startup');
  checkConfigAtStartup();
  // Trace export only when an OTLP endpoint is configured; otherwise nothing more is loaded.
  const { registerTracing } = await import('./lib/app/register-tracing');
  await registerTracing();
  // Not awaited: Next loads the routes while the database opens (scripts/bench-cold-start.ts).
  // Requests that need it wait for this same open (`app.database()`), and a database this
  // process must not use still stops the process with one message (openDatabaseAtStartup).
  void openDatabaseAtStartup();
  startEventRetries();
}
