/**
 * Debian's Chromium driven by playwright-core (never `npx playwright install`: downloads fail on
 * these machines). Install it with `apt-get install -y chromium`.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PageResult } from './static-origin';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium keeps trying the (closed) network in the background.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `extraArgs` are appended to the fixed ARGS (e.g. host-resolver rules for one test only). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run "apt-get install -y chromium" (as root), ` +
        'or set CHROMIUM_PATH. Never "npx playwright install".',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...ARGS, ...extraArgs],
    timeout: 30_000,
  });
}

/** Waits for the static-origin page's script to finish and returns what it recorded. */
export async function readPageResult(page: Page, timeoutMs = 15_000): Promise<PageResult> {
  await page.waitForFunction(
    () => (window as unknown as { __result?: unknown }).__result !== undefined,
    undefined,
    { timeout: timeoutMs },
  );
  return page.evaluate(() => (window as unknown as { __result: PageResult }).__result);
}
