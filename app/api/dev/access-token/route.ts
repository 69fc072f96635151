import {
  fetchEmulatorWidgetToken,
  WIDGET_SUBJECT_TYPES,
  type WidgetSubjectType,
} from '@/lib/dev/emulator-widget-token';
import { parseDevSampleSite } from '@/lib/dev/mint-dev-instance';
import { HttpError } from '@/lib/http/problem';
import { json, withProblems } from '@/lib/http/route';
import { getAppContext } from '@/lib/server/app-context';

/**
 * Development only, and only against the local Wix emulator: a site-widget access token for a
 * sample site, to try the Token Info path. 404 otherwise.
 */
export const GET = withProblems(async (request) => {
  const { config } = getAppContext();
  if (!config.devToolsEnabled || !config.usingWixEmulator) throw new HttpError('not_found');
  const params = new URL(request.url).searchParams;
  const site = parseDevSampleSite(params.get('site'));
  const subject = params.get('subject') ?? 'USER';
  if (!site || !WIDGET_SUBJECT_TYPES.includes(subject as WidgetSubjectType)) {
    throw new HttpError(
      'invalid_request',
      'site must be "a" or "b"; subject USER, MEMBER or VISITOR.',
    );
  }
  return json(await fetchEmulatorWidgetToken(config, site, subject as WidgetSubjectType));
});
