import { json, publicRoute } from '@/lib/http/route';
import {
  fetchEmulatorWidgetToken,
  WIDGET_SUBJECT_TYPES,
  type WidgetSubjectType,
} from 'wix-app-backend/dev/emulator-widget-token';
import { parseDevSampleSite } from 'wix-app-backend/dev/sample-sites';
import { AppError } from 'wix-app-backend/errors/app-error';

/**
 * Development only, and only against the local Wix emulator: a site-widget access token for a
 * sample site, to try the Token Info path. 404 otherwise.
 */
export const GET = publicRoute(async (request, app) => {
  const { config } = app;
  if (!config.devToolsEnabled || !config.usingWixEmulator) throw new AppError('not_found');
  const params = new URL(request.url).searchParams;
  const site = parseDevSampleSite(params.get('site'));
  const subject = params.get('subject') ?? 'USER';
  if (!site || !WIDGET_SUBJECT_TYPES.includes(subject as WidgetSubjectType)) {
    throw new AppError(
      'invalid_request',
      'site must be "a" or "b"; subject USER, MEMBER or VISITOR.',
    );
  }
  return json(await fetchEmulatorWidgetToken(config, site, subject as WidgetSubjectType));
});
