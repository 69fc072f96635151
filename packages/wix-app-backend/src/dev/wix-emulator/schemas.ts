/**
 * Validation of what tests and the control endpoints hand the emulator, so a typo in a fault
 * definition fails loudly instead of silently injecting nothing.
 */
import { z } from 'zod';
import type { Faults, InstanceSettings, WidgetTokenOptions } from './types';

const count = z.number().int().min(0).max(1_000_000);
const MAX_LATENCY_MS = 120_000;
const MAX_TTL_SECONDS = 366 * 24 * 3600;
const id = z.string().trim().min(1).max(256);

export const FaultsSchema: z.ZodType<Faults> = z.strictObject({
  latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS).optional(),
  status429: z
    .strictObject({ count, retryAfterSeconds: z.number().int().min(0).max(86_400).optional() })
    .optional(),
  status500: z.strictObject({ count }).optional(),
  drop: z.strictObject({ count }).optional(),
  paths: z.array(z.string().startsWith('/')).max(100).optional(),
});

export const WidgetTokenOptionsSchema: z.ZodType<WidgetTokenOptions> = z.strictObject({
  instanceId: id,
  subjectType: z.enum(['USER', 'MEMBER', 'VISITOR', 'APP']).optional(),
  subjectId: id.optional(),
  clientId: id.optional(),
  siteId: id.optional(),
  ttlSeconds: z.number().int().min(1).max(MAX_TTL_SECONDS).optional(),
  active: z.boolean().optional(),
  omitInstanceId: z.boolean().optional(),
});

export const InstanceSettingsSchema: z.ZodType<InstanceSettings> = z.strictObject({
  paid: z
    .strictObject({
      vendorProductId: id,
      billingCycle: id.optional(),
      expirationDate: z.iso.datetime({ offset: true }).optional(),
    })
    .nullable()
    .optional(),
  autoRenewing: z.boolean().optional(),
  removed: z.boolean().optional(),
});

/** Parses `value` or throws a TypeError naming every problem (for the programmatic API). */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new TypeError(`invalid ${what}: ${describeIssues(result.error)}`);
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
