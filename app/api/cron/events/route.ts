import { json, serverRoute } from '@/lib/http/route';
import { requireCronSecret } from 'wix-app-backend/auth/require-cron-secret';

export const dynamic = 'force-dynamic';

/**
 * Cron entry (vercel.json): runs queued events whose handler failed before and is due again.
 * Events are normally handled right after their delivery; this catches up on retries.
 */
export const GET = serverRoute(async (request, app) => {
  requireCronSecret(request, app.config.cronSecret);
  return json(await app.drainEvents());
});
