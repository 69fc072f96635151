import { purgeExpiredInstances } from '@/lib/app/purge';
import { json, serverRoute } from '@/lib/http/route';
import { requireCronSecret } from 'wix-app-backend/auth/require-cron-secret';

export const dynamic = 'force-dynamic';

/** Vercel Cron entry (vercel.json): purges removed instances past their retention period. */
export const GET = serverRoute(async (request, app) => {
  requireCronSecret(request, app.config.cronSecret);
  return json(await purgeExpiredInstances(app));
});
