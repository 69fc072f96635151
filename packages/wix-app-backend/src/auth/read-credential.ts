/**
 * Reads the credential from `Authorization`. Wix frontends send the raw value with no scheme
 * (both `fetchWithWixInstance` and `fetchWithAuth`); a `Bearer ` prefix is accepted too.
 */

/** Headers are bounded by the server anyway; this keeps a garbage credential from reaching crypto. */
export const MAX_CREDENTIAL_LENGTH = 8192;

export type ReadCredentialResult =
  | { ok: true; credential: string }
  | { ok: false; reason: 'missing_credentials' | 'malformed_credentials'; detail: string };

/** Never throws; distinguishes "nothing sent" from "something unusable sent". */
export function readCredential(headers: Headers): ReadCredentialResult {
  const raw = headers.get('authorization');
  if (raw === null || raw.trim() === '') {
    return { ok: false, reason: 'missing_credentials', detail: 'no Authorization header' };
  }
  let value = raw.trim();
  // `Headers` trims values, so a bare "Bearer " arrives as "Bearer": match the scheme alone too.
  if (/^bearer(?:\s|$)/i.test(value)) value = value.slice(6).trim();
  if (value === '' || value.length > MAX_CREDENTIAL_LENGTH || /\s/.test(value)) {
    return { ok: false, reason: 'malformed_credentials', detail: 'Authorization is not one token' };
  }
  return { ok: true, credential: value };
}
