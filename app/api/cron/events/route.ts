import { drainEvents } from 'wix-app-backend/routes';
import { serverRoute } from '@/lib/wix-app';

export const dynamic = 'force-dynamic';

/** Cron entry (vercel.json, CRON_SECRET): retries queued events whose handler failed. */
export const GET = serverRoute(drainEvents);
