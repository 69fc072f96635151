/**
 * Development only: asks the local Wix emulator for a "site widget" access token, the kind
 * `fetchWithAuth` sends, so the demo can exercise the Token Info path offline.
 */
import type { AppConfig } from '../config/env';
import { AppError } from '../errors/app-error';
import { DEV_SAMPLE_SITES, type DevSampleSite } from './sample-sites';

export const WIDGET_SUBJECT_TYPES = ['USER', 'MEMBER', 'VISITOR'] as const;
export type WidgetSubjectType = (typeof WIDGET_SUBJECT_TYPES)[number];

export async function fetchEmulatorWidgetToken(
  config: AppConfig,
  site: DevSampleSite,
  subjectType: WidgetSubjectType,
): Promise<{ token: string; instanceId: string; subjectType: WidgetSubjectType }> {
  const { instanceId } = DEV_SAMPLE_SITES[site];
  const response = await fetch(`${config.wixApiBaseUrl}/_emulator/widget-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instanceId, subjectType }),
    signal: AbortSignal.timeout(3_000),
  }).catch(() => null);
  const body = response?.ok ? ((await response.json()) as { token?: unknown }) : null;
  if (typeof body?.token !== 'string') {
    throw new AppError('wix_unavailable', 'The local Wix emulator did not issue a token.');
  }
  return { token: body.token, instanceId, subjectType };
}
