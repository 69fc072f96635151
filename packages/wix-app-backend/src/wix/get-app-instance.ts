/**
 * Get App Instance (`GET /apps/v1/instance`), reshaped at the boundary into our own type so the
 * rest of the app never depends on Wix's payload.
 */
import { z } from 'zod';
import type { InstanceWixClient } from './app-client';
import { WixApiError } from './wix-api-error';

export interface AppInstanceInfo {
  instanceId: string;
  appName: string | null;
  appVersion: string | null;
  isFree: boolean;
  /** The paid plan (Wix `billing.packageName`, the plan's id), null when free. */
  plan: string | null;
  /** The paid plan's billing, as Wix reports it; null when free. */
  billing: { cycle: string | null; expiresAt: string | null; autoRenews: boolean | null } | null;
  site: { id: string | null; name: string | null; url: string | null; locale: string | null };
}

const str = z.string().nullish().catch(null);
const WixAppInstance = z.object({
  instance: z.looseObject({
    instanceId: z.string(),
    appName: str,
    appVersion: str,
    isFree: z.boolean().nullish().catch(null),
    billing: z
      .looseObject({
        packageName: str,
        billingCycle: str,
        expirationDate: str,
        autoRenewing: z.boolean().nullish().catch(null),
      })
      .nullish()
      .catch(null),
  }),
  site: z
    .looseObject({ siteId: str, siteDisplayName: str, url: str, locale: str })
    .nullish()
    .catch(null),
});

/** Get App Instance for the client's instance; throws `WixApiError` when Wix fails. */
export async function getAppInstance(wix: InstanceWixClient): Promise<AppInstanceInfo> {
  const body = await wix.request({ path: '/apps/v1/instance' });
  const parsed = WixAppInstance.safeParse(body);
  if (!parsed.success) {
    throw new WixApiError(
      'http',
      { status: 502, path: '/apps/v1/instance' },
      'Get App Instance answered an unexpected shape',
    );
  }
  const { instance, site } = parsed.data;
  const plan = instance.billing?.packageName ?? null;
  const expires = instance.billing?.expirationDate
    ? Date.parse(instance.billing.expirationDate)
    : NaN;
  return {
    instanceId: instance.instanceId,
    appName: instance.appName ?? null,
    appVersion: instance.appVersion ?? null,
    isFree: instance.isFree ?? plan === null,
    plan,
    billing: instance.billing
      ? {
          cycle: instance.billing.billingCycle ?? null,
          expiresAt: Number.isFinite(expires) ? new Date(expires).toISOString() : null,
          autoRenews: instance.billing.autoRenewing ?? null,
        }
      : null,
    site: {
      id: site?.siteId ?? null,
      name: site?.siteDisplayName ?? null,
      url: site?.url ?? null,
      locale: site?.locale ?? null,
    },
  };
}
