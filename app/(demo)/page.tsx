import { wixApp } from '@/lib/wix-app';
import { InstanceDemo } from './instance-demo';

// Reads configuration at request time: `next build` runs without secrets.
export const dynamic = 'force-dynamic';

export default function Page() {
  const { config } = wixApp.context();
  return (
    <InstanceDemo
      appId={config.wixAppId}
      devToolsEnabled={config.devToolsEnabled}
      usingDevCredentials={config.usingDevCredentials}
      usingWixEmulator={config.usingWixEmulator}
      // Signing sample deliveries needs the local key pair `npm run dev` hands the app.
      sampleEvents={config.devToolsEnabled && config.devWebhookSigningKey !== null}
    />
  );
}
