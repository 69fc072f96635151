import { getConfig } from '@/lib/config/env';
import { json, withProblems } from '@/lib/http/route';
import { requireInstalledInstance } from '@/lib/server/require-instance';
import { callWix, getWixClients } from '@/lib/server/wix';
import { getAppInstance } from '@/lib/wix/get-app-instance';

/** The caller's app instance as Wix reports it (Get App Instance with the app's token). */
export const GET = withProblems(async (request) => {
  const { identity } = await requireInstalledInstance(request);
  const { app } = await getWixClients();
  const info = await callWix(() => getAppInstance(app, identity.instanceId));
  return json({ ...info, source: getConfig().usingWixEmulator ? 'emulator' : 'wix' });
});
