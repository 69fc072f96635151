/**
 * Service-plugin calls for tests, signed with the test key pair as Wix signs them
 * (src/dev/sign-service-plugin.ts), and the `Request` Wix would send.
 */
import { randomUUID } from 'node:crypto';
import {
  signServicePluginRequest,
  type ServicePluginCallInput,
  type SignServicePluginOptions,
} from '../dev/sign-service-plugin';
import { TEST_APP_ID } from './test-credentials';
import type { WebhookKeys } from './webhooks';

export { signServicePluginRequest };
export type { ServicePluginCallInput, SignServicePluginOptions };

export type ServicePluginCallOptions = Partial<ServicePluginCallInput> & SignServicePluginOptions;

/** A call to `appExtensionType` with `request`, for the test app and a random site by default. */
export function signServicePluginCall(
  keys: Pick<WebhookKeys, 'privateKey'>,
  appExtensionType: string,
  request: Record<string, unknown>,
  options: ServicePluginCallOptions = {},
): Promise<string> {
  const { issuedAt, expiresInSeconds, issuer, audience, ...input } = options;
  return signServicePluginRequest(
    {
      appId: TEST_APP_ID,
      instanceId: randomUUID(),
      ...input,
      appExtensionType,
      request,
    },
    keys.privateKey,
    { issuedAt, expiresInSeconds, issuer, audience },
  );
}

/** The POST Wix sends: the JWT as `text/plain`, with its length. */
export function servicePluginRequest(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Request {
  return new Request(url, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
    body,
  });
}
