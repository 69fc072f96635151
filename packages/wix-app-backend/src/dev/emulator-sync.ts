/**
 * Development only: keeps the local Wix emulator's view of an instance in step with the sample
 * app-instance events the demo sends. On Wix the two come from one place — Wix bills the site,
 * then sends the event, and Get App Instance reports the same plan — but the emulator never sees
 * a delivery the dev webhook route signs. Without this, "Refresh the plan from Wix" (which asks
 * the emulator) would answer "free" after a sample purchase and record it, silently undoing it.
 * Production never runs this: there, Wix is the one source and a refresh is its word.
 */
import type { AppConfig } from '../config/env';
import { AppError } from '../errors/app-error';
import type { LifecycleEvent } from '../instances/lifecycle-event';
import type { InstanceSettings } from './wix-emulator/types';

/** What an app-instance event changes in what Get App Instance reports; null for nothing. */
export function emulatorSettingsOf(event: LifecycleEvent): InstanceSettings | null {
  switch (event.kind) {
    case 'plan':
      // A transfer moves the plan to another account: the billing Wix reports stays.
      if (event.keepExpiry) return null;
      if (event.plan === null) return { paid: null };
      return {
        paid: {
          vendorProductId: event.plan,
          ...(event.cycle ? { billingCycle: event.cycle } : {}),
          ...(event.expiresAt ? { expirationDate: event.expiresAt.toISOString() } : {}),
        },
      };
    case 'auto_renew_cancelled':
      return { autoRenewing: false };
    case 'installed':
      return { removed: false };
    case 'removed':
      return { removed: true };
    case 'unknown':
      return null;
  }
}

/** How long the emulator (on loopback) may take to answer. */
const EMULATOR_TIMEOUT_MS = 3_000;

/**
 * Tells the emulator what the event changed (its `/_emulator/instances/:id` control endpoint).
 * Throws `wix_unavailable` when it does not take it: the event is recorded by then, and a
 * refresh would undo it, which the caller should hear about rather than find out later.
 */
export async function syncEmulatorInstance(
  config: AppConfig,
  instanceId: string,
  event: LifecycleEvent,
): Promise<void> {
  const settings = emulatorSettingsOf(event);
  if (!settings) return;
  const response = await fetch(
    `${config.wixApiBaseUrl}/_emulator/instances/${encodeURIComponent(instanceId)}`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
      signal: AbortSignal.timeout(EMULATOR_TIMEOUT_MS),
    },
  ).catch(() => null);
  if (!response?.ok) {
    throw new AppError(
      'wix_unavailable',
      'The event was applied, but the local Wix emulator did not take it: a plan refresh would undo it.',
    );
  }
}
