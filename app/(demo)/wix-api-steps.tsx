'use client';

import { useState } from 'react';
import { fetchWithWixInstance } from '@/lib/client/wix-instance-client';
import { readResult, type Result } from './read-result';

function ResultView({ result, testId }: { result: Result; testId: string }) {
  if (!result) return null;
  if ('error' in result) return <p className="bad">Network error: {result.error}</p>;
  const ok = result.status >= 200 && result.status < 300;
  return (
    <>
      <p data-testid={testId}>
        {ok ? (
          <span className="ok">HTTP {result.status}</span>
        ) : (
          <span className="bad">HTTP {result.status}</span>
        )}
        {!ok && typeof result.body?.code === 'string' && (
          <>
            {' '}
            — code <code>{result.body.code}</code>
          </>
        )}
      </p>
      <pre>{JSON.stringify(result.body, null, 2)}</pre>
    </>
  );
}

/**
 * Step `step`: the backend calls Wix as the app (client-credentials token, cached and shared).
 * The next step (development with the emulator only): the site-widget flow, where the frontend
 * sends a Wix access token (`fetchWithAuth`) and the backend checks it with Token Info.
 */
export function WixApiSteps({
  instance,
  site,
  usingWixEmulator,
  accessTokenDemo,
  step,
}: {
  instance: string;
  site: 'a' | 'b' | null;
  usingWixEmulator: boolean;
  accessTokenDemo: boolean;
  step: number;
}) {
  const [wixResult, setWixResult] = useState<Result>(null);
  const [tokenResult, setTokenResult] = useState<Result>(null);
  const [busy, setBusy] = useState(false);

  const callWix = async () => {
    setBusy(true);
    try {
      setWixResult(
        await readResult(await fetchWithWixInstance('/api/wix/instance', {}, { instance })),
      );
    } catch (error) {
      setWixResult({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const callWithAccessToken = async (subject: 'USER' | 'VISITOR') => {
    setBusy(true);
    try {
      const minted = await fetch(`/api/dev/access-token?site=${site ?? 'a'}&subject=${subject}`);
      const body = (await minted.json()) as { token?: string; code?: string };
      if (!body.token)
        return setTokenResult(
          await readResult(new Response(JSON.stringify(body), { status: minted.status })),
        );
      // What `httpClient.fetchWithAuth` from @wix/essentials sends: the raw token, no scheme.
      setTokenResult(
        await readResult(await fetch('/api/me', { headers: { Authorization: body.token } })),
      );
    } catch (error) {
      setTokenResult({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section className="step" aria-labelledby="step-wix-api">
        <h2 id="step-wix-api">
          <span className="n">{step}</span>Call a Wix API as the app
        </h2>
        <p className="muted">
          <code>GET /api/wix/instance</code>: the backend mints (or reuses) this instance&apos;s app
          token with OAuth client credentials and calls Wix&apos;s Get App Instance.{' '}
          {usingWixEmulator ? (
            <strong data-testid="wix-source">Data comes from the local Wix emulator.</strong>
          ) : (
            <span data-testid="wix-source">Data comes from Wix.</span>
          )}
        </p>
        <button type="button" disabled={busy} onClick={() => void callWix()}>
          Call Get App Instance
        </button>
        <ResultView result={wixResult} testId="wix-result" />
      </section>

      {accessTokenDemo && (
        <section className="step" aria-labelledby="step-access-token">
          <h2 id="step-access-token">
            <span className="n">{step + 1}</span>Access token (site widget flow)
          </h2>
          <p className="muted">
            Site widgets get no instance: they call <code>fetchWithAuth</code>, which sends a Wix
            access token. The emulator issues one for this sample site; the backend checks it with
            Token Info (our app&apos;s <code>clientId</code>, active, an <code>instanceId</code>)
            and caches the answer.
          </p>
          <button type="button" disabled={busy} onClick={() => void callWithAccessToken('USER')}>
            As the site owner (USER)
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void callWithAccessToken('VISITOR')}
          >
            As a visitor
          </button>
          <ResultView result={tokenResult} testId="token-result" />
        </section>
      )}
    </>
  );
}
