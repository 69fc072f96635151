/**
 * Reading and writing an instance's settings with optimistic concurrency: the version is the
 * ETag, a write must name the version it read (If-Match), and a stale write gets 412 instead of
 * silently overwriting someone else's change.
 */
import type { Identity } from '../auth/identity';
import type { Store } from '../db/store';
import { HttpError } from '../http/problem';
import { DEFAULT_SETTINGS, SettingsSchema, parseSettings, type Settings } from './settings-schema';

/** Settings are small; anything bigger is a mistake or an attack. */
export const MAX_SETTINGS_BODY_BYTES = 16 * 1024;

export interface SettingsView {
  settings: Settings;
  /** 0 until the instance first saves. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export function etagFor(version: number): string {
  return `"${version}"`;
}

/** The version named by If-Match. Missing or `*` → 428; anything not one of our ETags → 412. */
export function parseIfMatch(header: string | null): number {
  if (header === null || header.trim() === '') {
    throw new HttpError(
      'precondition_required',
      'Send If-Match with the ETag from GET /api/settings.',
    );
  }
  const value = header.trim();
  if (value === '*') {
    throw new HttpError(
      'precondition_required',
      'If-Match: * would overwrite blindly; send the ETag.',
    );
  }
  const match = /^"(\d{1,9})"$/.exec(value);
  if (!match) throw new HttpError('version_conflict', 'If-Match does not name a current version.');
  return Number(match[1]);
}

export async function readSettings(store: Store, instanceId: string): Promise<SettingsView> {
  const record = await store.getSettings(instanceId);
  if (!record) return { settings: DEFAULT_SETTINGS, version: 0, updatedAt: null, updatedBy: null };
  return {
    settings: settingsFromStored(record.document),
    version: record.version,
    updatedAt: record.updatedAt.toISOString(),
    updatedBy: record.updatedBy,
  };
}

/** Validates and saves; throws `invalid_settings` (400) or `version_conflict` (412). */
export async function writeSettings(
  store: Store,
  identity: Identity,
  expectedVersion: number,
  body: unknown,
  now: Date = new Date(),
): Promise<SettingsView> {
  const parsed = parseSettings(body);
  if (!parsed.ok) throw new HttpError('invalid_settings', parsed.issues.join('; '));
  const result = await store.saveSettings(identity.instanceId, {
    document: parsed.value,
    expectedVersion,
    updatedBy: identity.uid,
    at: now,
  });
  if (!result.ok) {
    throw new HttpError('version_conflict', 'The settings changed since you read them; reload.', {
      etag: etagFor(result.currentVersion),
    });
  }
  return {
    settings: parsed.value,
    version: result.version,
    updatedAt: result.updatedAt.toISOString(),
    updatedBy: identity.uid,
  };
}

/**
 * A stored document read under today's schema, field by field: a field the schema dropped is
 * ignored, and a field whose value is no longer allowed falls back to its default, so a schema
 * change never makes saved settings unreadable.
 */
function settingsFromStored(document: unknown): Settings {
  const stored =
    document !== null && typeof document === 'object' ? (document as Record<string, unknown>) : {};
  const result: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [key, schema] of Object.entries(SettingsSchema.shape)) {
    const field = schema.safeParse(stored[key]);
    if (field.success && field.data !== undefined) result[key] = field.data;
  }
  return result as Settings;
}
