/**
 * Produces a signed app instance exactly as Wix does (see verify-instance.ts). For tests, the
 * `npm run instance` script and the development-only minting route; never needed in production.
 */
import { encodeBase64url } from '../crypto/base64url';
import { createHmacKey } from '../crypto/hmac';

export interface InstancePayloadInput {
  instanceId: string;
  appDefId?: string;
  /** ISO string (what Wix sends today) or epoch milliseconds (older instances). */
  signDate?: string | number;
  uid?: string | null;
  permissions?: string | null;
  [field: string]: unknown;
}

const encoder = new TextEncoder();

/** Signs `payload` with `secret`; `signDate` defaults to now. */
export async function signInstance(payload: InstancePayloadInput, secret: string): Promise<string> {
  const body = { signDate: new Date().toISOString(), ...payload };
  const data = encodeBase64url(encoder.encode(JSON.stringify(body)));
  const signature = await createHmacKey(secret).sign(data);
  return `${encodeBase64url(signature)}.${data}`;
}
