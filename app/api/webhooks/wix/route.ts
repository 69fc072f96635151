import { wixWebhook } from 'wix-app-backend/routes';
import { serverRoute } from '@/lib/wix-app';

/** Wix webhooks (app dashboard → Webhooks → this URL). The signature is the credential. */
export const POST = serverRoute(wixWebhook);
