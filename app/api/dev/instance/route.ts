import { mintDevInstance, parseDevSampleSite } from '@/lib/dev/mint-dev-instance';
import { HttpError } from '@/lib/http/problem';
import { json, withProblems } from '@/lib/http/route';
import { getAppContext } from '@/lib/server/app-context';

/** Development only: a freshly signed instance for one of the sample sites. 404 in production. */
export const GET = withProblems(async (request) => {
  const { config } = getAppContext();
  if (!config.devToolsEnabled) throw new HttpError('not_found');
  const site = parseDevSampleSite(new URL(request.url).searchParams.get('site'));
  if (!site) throw new HttpError('invalid_request', 'site must be "a" or "b".');
  return json(await mintDevInstance(config, site));
});
