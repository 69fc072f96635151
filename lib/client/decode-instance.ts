/**
 * Decodes the data part of a signed instance in the browser, for display only. Nothing decoded
 * here is verified: the backend's answer is the only trustworthy one.
 */
import { decodeBase64url } from 'wix-app-backend/crypto/base64url';

export function decodeInstanceUnverified(instance: string): Record<string, unknown> | null {
  const data = instance.split('.')[1];
  const bytes = data ? decodeBase64url(data.replace(/={1,2}$/, '')) : null;
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
