/** Development helpers that sign instances with the configured secret. Never used in production. */
import { signInstance } from '../auth/sign-instance';
import type { AppConfig } from '../config/env';
import { DEV_SAMPLE_SITES, type DevSampleSite } from './sample-sites';

export { parseDevSampleSite } from './sample-sites';

/** A fresh instance for a sample site, signed as Wix would sign it for this app. */
export async function mintDevInstance(config: AppConfig, site: DevSampleSite) {
  const sample = DEV_SAMPLE_SITES[site];
  const instance = await signInstance(
    {
      instanceId: sample.instanceId,
      appDefId: config.wixAppId,
      uid: sample.uid,
      permissions: sample.permissions,
      siteOwnerId: sample.uid,
    },
    config.wixAppSecret,
  );
  return { site, label: sample.label, instanceId: sample.instanceId, instance };
}
