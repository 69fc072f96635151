/**
 * The first line of every authenticated route handler. It trusts the middleware's sealed header
 * only after checking its MAC and binding, and otherwise authenticates the request itself — so a
 * handler reached without the middleware, or with a forged header, still answers 401.
 */
import type { Identity } from '../auth/identity';
import { IDENTITY_HEADER } from '../auth/forwarded-identity';
import { readCredential } from '../auth/read-credential';
import { HttpError } from '../http/problem';
import { getAppContext, type AppContext } from './app-context';

export async function requireIdentity(
  request: Request,
  ctx: AppContext = getAppContext(),
): Promise<Identity> {
  const sealed = request.headers.get(IDENTITY_HEADER);
  if (sealed) {
    const read = readCredential(request.headers);
    const identity = read.ok ? await ctx.forwarder.open(sealed, read.credential) : null;
    if (identity) return identity;
  }
  const result = await ctx.authenticate(request);
  if (!result.ok) throw new HttpError(result.reason);
  return result.identity;
}
