/**
 * Reading and writing an instance's settings with optimistic concurrency: the version is the
 * ETag, a write must name the version it read (If-Match, packages/wix-app-backend/src/http/etag.ts), and a stale write
 * gets 412 instead of silently overwriting someone else's change.
 */
import type { Tenant } from 'wix-app-backend/db/tenant';
import { AppError } from 'wix-app-backend/errors/app-error';
import { DEFAULT_SETTINGS, SettingsSchema, parseSettings, type Settings } from './settings-schema';
import { settingsOf } from './settings-store';

/** Settings are small; anything bigger is a mistake or an attack. */
export const MAX_SETTINGS_BODY_BYTES = 16 * 1024;

export interface SettingsView {
  settings: Settings;
  /** 0 until the instance first saves. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function readSettings(tenant: Tenant): Promise<SettingsView> {
  const record = await settingsOf(tenant).getSettings(tenant.instanceId);
  if (!record) return { settings: DEFAULT_SETTINGS, version: 0, updatedAt: null, updatedBy: null };
  return {
    settings: settingsFromStored(record.document),
    version: record.version,
    updatedAt: record.updatedAt.toISOString(),
    updatedBy: record.updatedBy,
  };
}

/** What a site widget may read: the display fields, without who changed them or when. */
export interface PublicSettingsView {
  settings: Pick<Settings, 'greeting' | 'theme'>;
  version: number;
}

/** The part of the settings a site visitor may see: never `notificationEmail` or `updatedBy`. */
export function publicSettings(view: SettingsView): PublicSettingsView {
  const { greeting, theme } = view.settings;
  return { settings: { greeting, theme }, version: view.version };
}

/** Validates and saves; throws `invalid_settings` (400) or `version_conflict` (412). */
export async function writeSettings(
  tenant: Tenant,
  expectedVersion: number,
  body: unknown,
  change: { at: Date; by: string | null },
): Promise<SettingsView> {
  const parsed = parseSettings(body);
  if (!parsed.ok) throw new AppError('invalid_settings', parsed.issues.join('; '));
  const result = await settingsOf(tenant).saveSettings(tenant.instanceId, {
    document: parsed.value,
    expectedVersion,
    updatedBy: change.by,
    at: change.at,
  });
  if (!result.ok) {
    throw new AppError('version_conflict', 'The settings changed since you read them; reload.', {
      currentVersion: result.currentVersion,
    });
  }
  return {
    settings: parsed.value,
    version: result.version,
    updatedAt: result.updatedAt.toISOString(),
    updatedBy: change.by,
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
