import { purgeInstances } from 'wix-app-backend/routes';
import { serverRoute } from '@/lib/wix-app';

export const dynamic = 'force-dynamic';

/** Cron entry (vercel.json, CRON_SECRET): purges removed instances past their retention. */
export const GET = serverRoute(purgeInstances);
