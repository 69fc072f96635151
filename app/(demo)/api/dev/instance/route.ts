import { json, publicRoute } from '@/lib/http/route';
import { mintDevInstance } from 'wix-app-backend/dev/mint-dev-instance';
import { parseDevSampleSite } from 'wix-app-backend/dev/sample-sites';
import { AppError } from 'wix-app-backend/errors/app-error';

/** Development only: a freshly signed instance for one of the sample sites. 404 in production. */
export const GET = publicRoute(async (request, app) => {
  if (!app.config.devToolsEnabled) throw new AppError('not_found');
  const site = parseDevSampleSite(new URL(request.url).searchParams.get('site'));
  if (!site) throw new AppError('invalid_request', 'site must be "a" or "b".');
  return json(await mintDevInstance(app.config, site));
});
