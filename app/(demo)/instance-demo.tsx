'use client';

import { useCallback, useEffect, useState } from 'react';
import { decodeInstanceUnverified } from '@/lib/client/decode-instance';
import { DEV_SAMPLE_SITES, type DevSampleSite } from 'wix-app-backend/dev/sample-sites';
import { fetchWithWixInstance, getAppInstance } from '@/lib/client/wix-instance-client';
import { CheckoutCard } from './checkout-card';
import type { CheckoutSettingsValue } from './checkout-settings-fields';
import { EventsCard } from './events-card';
import { NotesCard } from './notes-card';
import { SettingsEditor } from './settings-editor';
import { WixApiSteps } from './wix-api-steps';

export interface InstanceDemoProps {
  appId: string;
  devToolsEnabled: boolean;
  usingDevCredentials: boolean;
  /** Wix calls go to the local emulator (`npm run dev` without credentials). */
  usingWixEmulator?: boolean;
  /** The demo can send signed sample webhook deliveries and checkout calls (`npm run dev`). */
  sampleEvents?: boolean;
  /** The checkout settings the plugins use until a site saves its own (the settings editor's). */
  checkoutDefaults: CheckoutSettingsValue;
}

type CallState =
  | { phase: 'idle' }
  | { phase: 'pending' }
  | { phase: 'done'; status: number; body: Record<string, unknown> | null }
  | { phase: 'network-error'; message: string };

/** Which dev sample site an instance id belongs to, if any (for the access-token step). */
function sampleSiteOf(instanceId: unknown): DevSampleSite | null {
  const found = Object.entries(DEV_SAMPLE_SITES).find(
    ([, sample]) => sample.instanceId === instanceId,
  );
  return found ? (found[0] as DevSampleSite) : null;
}

const SAMPLE_SITES = [
  { site: 'a', label: 'Sample site A' },
  { site: 'b', label: 'Sample site B' },
] as const;

/** The `fetchWithWixInstance` flow, step by step, as a Wix dashboard page would run it. */
export function InstanceDemo({
  appId,
  devToolsEnabled,
  usingDevCredentials,
  usingWixEmulator = false,
  sampleEvents = false,
  checkoutDefaults,
}: InstanceDemoProps) {
  // undefined until the URL has been read on the client (the server has no window).
  const [instance, setInstance] = useState<string | null | undefined>(undefined);
  const [call, setCall] = useState<CallState>({ phase: 'idle' });
  const [devError, setDevError] = useState<string | null>(null);
  const [opening, setOpening] = useState<string | null>(null);

  const callMe = useCallback(async (value: string) => {
    setCall({ phase: 'pending' });
    try {
      const response = await fetchWithWixInstance('/api/me', {}, { instance: value });
      const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
      setCall({ phase: 'done', status: response.status, body });
    } catch (error) {
      setCall({
        phase: 'network-error',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }, []);

  /**
   * Reads `/api/me` again after the events step has sent something, so step 3 shows what the
   * webhooks changed. Unlike the first call it keeps the page as it is: no "waiting" state that
   * would unmount the cards, and a failure leaves the last answer shown.
   */
  const recheckMe = useCallback(async (value: string) => {
    try {
      const response = await fetchWithWixInstance('/api/me', {}, { instance: value });
      if (!response.ok) return;
      const body = (await response.json()) as Record<string, unknown>;
      setCall({ phase: 'done', status: 200, body });
    } catch {
      // Step 3 keeps its last answer; the events step shows the network error of its own call.
    }
  }, []);

  useEffect(() => {
    const found = getAppInstance();
    setInstance(found);
    if (found) void callMe(found);
  }, [callMe]);

  const openSampleSite = async (site: string) => {
    setDevError(null);
    setOpening(site);
    try {
      const response = await fetch(`/api/dev/instance?site=${site}`);
      const body = (await response.json()) as { instance?: string; code?: string };
      if (!response.ok || !body.instance) throw new Error(body.code ?? `HTTP ${response.status}`);
      window.location.search = `?instance=${encodeURIComponent(body.instance)}`;
    } catch (error) {
      setDevError(error instanceof Error ? error.message : String(error));
      setOpening(null);
    }
  };

  const decoded = instance ? decodeInstanceUnverified(instance) : null;
  // The access-token step shows only in development on the emulator: the steps after it are
  // numbered as shown, so production reads 1–7 with no gap where it would be.
  const accessTokenDemo = devToolsEnabled && usingWixEmulator;
  const eventsStep = accessTokenDemo ? 8 : 7;
  // The checkout step needs calls signed as Wix would, for a sample site: development only, last.
  const checkoutSite =
    sampleEvents && call.phase === 'done' ? sampleSiteOf(call.body?.instanceId) : null;

  return (
    <main>
      <h1>Wix app backend</h1>
      <p className="lede">
        The dashboard-page flow from Wix&apos;s docs: read <code>instance</code> from the URL, send
        it in <code>Authorization</code>, let the backend verify it. App id <code>{appId}</code>.
      </p>
      {usingDevCredentials && (
        <p className="banner" role="status">
          <strong>Development credentials.</strong> WIX_APP_ID and WIX_APP_SECRET are not set, so
          this server runs on public development credentials. Set them to use your Wix app.
        </p>
      )}

      <section className="step" aria-labelledby="step-1">
        <h2 id="step-1">
          <span className="n">1</span>Instance found in the URL
          {decoded && <span className="tag unverified">unverified</span>}
        </h2>
        {instance === undefined && <p className="muted">Reading the URL…</p>}
        {instance === null && (
          <div data-testid="no-instance">
            <p>
              No <code>instance</code> parameter. Wix adds it when it opens your dashboard page
              inside the site dashboard.
            </p>
            {devToolsEnabled && (
              <p data-testid="dev-offer">
                Development: open this page with a freshly signed instance for{' '}
                {SAMPLE_SITES.map(({ site, label }) => (
                  <button key={site} type="button" onClick={() => void openSampleSite(site)}>
                    {label}
                  </button>
                ))}
              </p>
            )}
            {opening && (
              <p className="muted" aria-live="polite" data-testid="dev-opening">
                Signing an instance for sample site {opening.toUpperCase()}… Under{' '}
                <code>next dev</code> a route compiles on its first request, which can take several
                seconds.
              </p>
            )}
            {devError && <p className="bad">Could not mint a dev instance: {devError}</p>}
          </div>
        )}
        {instance && (
          <>
            <p className="muted">
              Decoded in the browser — anyone can write this part; only the signature makes it true.
            </p>
            <pre data-testid="decoded-instance">
              {decoded ? JSON.stringify(decoded, null, 2) : 'Not decodable'}
            </pre>
          </>
        )}
      </section>

      {instance && (
        <section className="step" aria-labelledby="step-2">
          <h2 id="step-2">
            <span className="n">2</span>Request sent
          </h2>
          <pre>{`GET /api/me\nAuthorization: ${instance.slice(0, 12)}…  (${instance.length} characters)`}</pre>
        </section>
      )}

      {instance && (
        <section className="step" aria-labelledby="step-3">
          <h2 id="step-3">
            <span className="n">3</span>Backend response
            {call.phase === 'done' && call.status === 200 && (
              <span className="tag verified">verified</span>
            )}
          </h2>
          {call.phase === 'pending' && <p className="muted">Waiting for the backend…</p>}
          {call.phase === 'network-error' && <p className="bad">Network error: {call.message}</p>}
          {call.phase === 'done' && call.status === 200 && (
            <p>
              <span className="ok">Verified.</span> Instance id{' '}
              <code data-testid="verified-instance-id">{String(call.body?.instanceId)}</code>
            </p>
          )}
          {call.phase === 'done' && call.status === 200 && (
            <InstallationLine
              installation={call.body?.installation as Installation | undefined}
              instanceId={String(call.body?.instanceId)}
              devToolsEnabled={devToolsEnabled}
              canSend={sampleEvents && sampleSiteOf(call.body?.instanceId) !== null}
            />
          )}
          {call.phase === 'done' && call.status !== 200 && (
            <p>
              <span className="bad">HTTP {call.status}</span> — code{' '}
              <code data-testid="error-code">{String(call.body?.code ?? 'unknown')}</code>
              {typeof call.body?.title === 'string' && <>: {call.body.title}</>}
            </p>
          )}
          {call.phase === 'done' && <pre>{JSON.stringify(call.body, null, 2)}</pre>}
          {devToolsEnabled && (
            <p>
              Switch site:{' '}
              {SAMPLE_SITES.map(({ site, label }) => (
                <button
                  key={site}
                  type="button"
                  className="secondary"
                  onClick={() => void openSampleSite(site)}
                >
                  {label}
                </button>
              ))}
            </p>
          )}
        </section>
      )}

      {instance && call.phase === 'done' && call.status === 200 && (
        <>
          <SettingsEditor instance={instance} step={4} checkoutDefaults={checkoutDefaults} />
          <NotesCard instance={instance} step={5} />
          <WixApiSteps
            instance={instance}
            site={sampleSiteOf(call.body?.instanceId)}
            usingWixEmulator={usingWixEmulator}
            accessTokenDemo={accessTokenDemo}
            step={6}
          />
          <EventsCard
            instance={instance}
            site={sampleSiteOf(call.body?.instanceId)}
            sampleEvents={sampleEvents}
            step={eventsStep}
            onDelivered={() => void recheckMe(instance)}
          />
          {checkoutSite && (
            <CheckoutCard
              instance={instance}
              site={checkoutSite}
              step={eventsStep + 1}
              settingsStep={4}
            />
          )}
        </>
      )}
    </main>
  );
}

interface Installation {
  status: 'installed' | 'removed' | 'unknown';
  plan: { id: string; cycle: string | null; autoRenews: boolean | null } | null;
}

/** What Wix's lifecycle webhooks have told the backend about this instance. */
function InstallationLine({
  installation,
  instanceId,
  devToolsEnabled,
  canSend,
}: {
  installation: Installation | undefined;
  instanceId: string;
  devToolsEnabled: boolean;
  /** The events step offers sample deliveries for this site. */
  canSend: boolean;
}) {
  if (!installation) return null;
  const { status, plan } = installation;
  return (
    <>
      <p>
        Installation (from Wix webhooks):{' '}
        <strong
          data-testid="installation-status"
          className={status === 'removed' ? 'bad' : undefined}
        >
          {status}
        </strong>
        {plan && (
          <>
            {' '}
            · plan <code>{plan.id}</code>
            {plan.cycle && <> ({plan.cycle.toLowerCase()})</>}
            {plan.autoRenews === false && <> · auto-renewal cancelled</>}
          </>
        )}
        {status === 'removed' && <> — data routes answer 403 app_not_installed.</>}
      </p>
      {status === 'unknown' && (
        <p className="muted" data-testid="installation-unknown">
          Unknown until Wix sends <code>AppInstalled</code> or <code>AppRemoved</code> for this
          instance: plan and business events do not say whether the app is installed.
          {canSend ? (
            <> Send one with “The app is installed” in the events step below.</>
          ) : (
            devToolsEnabled && (
              <>
                {' '}
                Send one with{' '}
                <code>npm run webhook -- AppInstalled --instance-id {instanceId}</code>.
              </>
            )
          )}
        </p>
      )}
    </>
  );
}
