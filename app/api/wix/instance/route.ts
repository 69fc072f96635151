import { json, route } from '@/lib/wix-app';
import { getAppInstance } from 'wix-app-backend/wix/get-app-instance';

/** The caller's app instance as Wix reports it (Get App Instance with the app's token). */
export const GET = route(async (request, app) => {
  const { wix } = await app.authenticate(request);
  const info = await getAppInstance(wix);
  return json({ ...info, source: app.config.usingWixEmulator ? 'emulator' : 'wix' });
});
