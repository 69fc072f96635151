import { DEFAULT_CHECKOUT_SETTINGS } from '@/lib/settings/checkout-settings';
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
      // What the settings editor shows for a site that has saved no checkout section yet.
      checkoutDefaults={DEFAULT_CHECKOUT_SETTINGS}
    />
  );
}
