import { json, withProblems } from '@/lib/http/route';
import { purgeExpiredInstances, requireCronSecret } from '@/lib/server/purge';

export const dynamic = 'force-dynamic';

/** Vercel Cron entry (vercel.json): purges removed instances past their retention period. */
export const GET = withProblems(async (request) => {
  requireCronSecret(request);
  return json(await purgeExpiredInstances());
});
