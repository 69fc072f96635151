/**
 * Runs once when a Next server starts. Invalid configuration stops the process here, with one
 * message naming every problem, instead of failing request by request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkConfigAtStartup } = await import('./lib/server/startup');
  checkConfigAtStartup();
}
