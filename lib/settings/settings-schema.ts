/**
 * The sample settings document: what a Wix app typically keeps per site. Replace it with your
 * own; the storage, versioning and API stay the same.
 */
import { z } from 'zod';
import { describeIssues, safeParseWorded } from 'wix-app-backend/validation/describe-issues';
import { isStorableText } from 'wix-app-backend/validation/storable-text';
import { CheckoutSettingsSchema } from './checkout-settings';

export const SettingsSchema = z.strictObject({
  greeting: z
    .string()
    .trim()
    // The bounds are worded where the problem is built (describe-issues): "must not be empty".
    .min(1)
    .max(200)
    .refine(isStorableText, 'must be valid Unicode text without NUL characters'),
  theme: z.enum(['light', 'dark']),
  notificationEmail: z.email('must be an email address').max(254).nullable().optional(),
  /** The checkout plugins' settings (lib/service-plugins); their defaults when absent. */
  checkout: CheckoutSettingsSchema.optional(),
});

export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  greeting: 'Hello from your Wix app!',
  theme: 'light',
  notificationEmail: null,
};

export type ParseSettingsResult = { ok: true; value: Settings } | { ok: false; issues: string[] };

/** Validates a settings document; unknown fields are refused, not dropped. */
export function parseSettings(input: unknown): ParseSettingsResult {
  const parsed = safeParseWorded(SettingsSchema, input);
  if (parsed.success) return { ok: true, value: { notificationEmail: null, ...parsed.data } };
  return { ok: false, issues: describeIssues(parsed.error) };
}
