import { servicePluginCall } from 'wix-app-backend/routes';
import { serverRoute } from '@/lib/wix-app';

/**
 * Wix calling the app's service plugins (each extension's deploymentUri: this path). The signed
 * body is the credential; the handlers are lib/wix-app.ts's `servicePlugins`.
 */
export const POST = serverRoute(servicePluginCall);
