'use client';

import { useCallback, useEffect, useState } from 'react';
import { fetchWithWixInstance } from '@/lib/client/wix-instance-client';
import { readResult, type Result } from './read-result';

/**
 * The premium route refusing a free site is the gate working, not a failure: shown as what it
 * means (the page's first load always meets it), not as a red error.
 */
function PremiumLine({ result, canPurchase }: { result: Result; canPurchase: boolean }) {
  const label = 'GET /api/examples/premium';
  if (!result || !('status' in result) || result.status !== 403) {
    return <Line label={label} result={result} testId="premium-result" />;
  }
  if (result.body?.code !== 'plan_required') {
    return <Line label={label} result={result} testId="premium-result" />;
  }
  return (
    <p data-testid="premium-result">
      {label}: <strong>HTTP 403</strong> <code>plan_required</code> — as it should be: this site is
      on the free plan, and the route is for paid plans.{' '}
      {canPurchase ? 'Purchase a plan below to open it.' : 'A paid plan bought in Wix opens it.'}
    </p>
  );
}

function Line({ label, result, testId }: { label: string; result: Result; testId: string }) {
  if (!result) return null;
  if ('error' in result) return <p className="bad">Network error: {result.error}</p>;
  const ok = result.status >= 200 && result.status < 300;
  return (
    <p data-testid={testId}>
      {label}: <span className={ok ? 'ok' : 'bad'}>HTTP {result.status}</span>{' '}
      <code>{JSON.stringify(result.body)}</code>
    </p>
  );
}

/**
 * The last step: Wix events and paid plans. `GET /api/examples/premium` needs a paid plan;
 * `GET /api/examples/orders` counts `wix.ecom.v1.order_created` events, once each. In development
 * the buttons send signed sample deliveries (as Wix would) for this sample site.
 */
export function EventsCard({
  instance,
  site,
  sampleEvents,
  step,
  onDelivered,
}: {
  instance: string;
  site: 'a' | 'b' | null;
  /** Offer the buttons that send signed sample deliveries (only `npm run dev` can sign them). */
  sampleEvents: boolean;
  step: number;
  /** After a delivery or a plan refresh: what Wix told the backend has changed. */
  onDelivered?: () => void;
}) {
  const [premium, setPremium] = useState<Result>(null);
  const [orders, setOrders] = useState<Result>(null);
  const [sent, setSent] = useState<Result>(null);
  const [lastOrderEventId, setLastOrderEventId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setPremium(
        await readResult(await fetchWithWixInstance('/api/examples/premium', {}, { instance })),
      );
      setOrders(
        await readResult(await fetchWithWixInstance('/api/examples/orders', {}, { instance })),
      );
    } catch (error) {
      setPremium({ error: error instanceof Error ? error.message : String(error) });
    }
  }, [instance]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const send = async (type: string, extra: Record<string, string> = {}) => {
    if (!site) return;
    setBusy(true);
    try {
      const query = new URLSearchParams({ site, type, ...extra });
      const result = await readResult(await fetch(`/api/dev/webhook?${query}`, { method: 'POST' }));
      setSent(result);
      const eventId = result && 'body' in result ? result.body?.eventId : null;
      if (type === 'wix.ecom.v1.order_created' && typeof eventId === 'string') {
        setLastOrderEventId(eventId);
      }
      onDelivered?.();
      await refresh();
    } catch (error) {
      setSent({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const refreshPlan = async () => {
    setBusy(true);
    try {
      setSent(
        await readResult(
          await fetchWithWixInstance('/api/plan/refresh', { method: 'POST' }, { instance }),
        ),
      );
      onDelivered?.();
      await refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="step" aria-labelledby="step-events" data-testid="events-card">
      <h2 id="step-events">
        <span className="n">{step}</span>Wix events and paid plans
      </h2>
      <p className="muted">
        A plan-gated route (<code>403 plan_required</code> on the free plan) and an event handler
        that counts orders, each exactly once however often Wix delivers it.
      </p>
      <PremiumLine result={premium} canPurchase={sampleEvents && site !== null} />
      <Line label="GET /api/examples/orders" result={orders} testId="orders-result" />
      {sampleEvents && site && (
        <>
          <p>
            Send as Wix would:{' '}
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void send('AppInstalled')}
            >
              The app is installed
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => void send('PaidPlanPurchased', { plan: 'gold' })}
            >
              Purchase plan “gold”
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void send('PaidPlanAutoRenewalCancelled', { plan: 'gold' })}
            >
              Cancel auto-renewal
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => void send('wix.ecom.v1.order_created')}
            >
              An order is created
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy || !lastOrderEventId}
              onClick={() =>
                void send('wix.ecom.v1.order_created', { eventId: lastOrderEventId ?? '' })
              }
            >
              Redeliver that order event
            </button>
          </p>
          <p>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void refreshPlan()}
            >
              Refresh the plan from Wix
            </button>
          </p>
          <Line label="Sent" result={sent} testId="event-sent" />
        </>
      )}
    </section>
  );
}
