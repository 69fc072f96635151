/**
 * Runs once when a Next server starts. Invalid configuration, or a database this process must
 * not use, stops it here with one readable message instead of failing request by request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { wixApp } = await import('./lib/wix-app');
  await wixApp.register();
}
