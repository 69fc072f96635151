'use client';

import { useState } from 'react';
import {
  DEV_SERVICE_PLUGIN_CASES,
  type DevServicePluginCase,
} from 'wix-app-backend/dev/service-plugin-samples';
import { fetchWithWixInstance } from '@/lib/client/wix-instance-client';
import { CheckoutAnswer, type SampleCall } from './checkout-answer';
import { networkError, ProblemNote, problemStatus, type ProblemStatus } from './problem-note';

const CURRENCIES = ['USD', 'EUR'] as const;
/** The cases with a button of their own; the gift card's balance is asked from its form. */
const CART_CASES = (Object.keys(DEV_SERVICE_PLUGIN_CASES) as DevServicePluginCase[]).filter(
  (sample) => sample !== 'gift-card-balance',
);

type Sent = { kind: 'sent'; call: SampleCall } | ProblemStatus | null;
type Issued = { kind: 'issued'; code: string; balance: number; currency: string } | ProblemStatus;

/**
 * Wix calling the service plugins at checkout, for a sample site (development only: the calls
 * are signed with the local key pair `npm run dev` hands the app). Each button asks
 * POST /api/dev/service-plugin to sign a sample call as Wix would and send it through the real
 * entry (/api/service-plugins/…); the answers come from lib/service-plugins and the site's
 * checkout settings, which the settings step edits. A gift card the owner issues here
 * (POST /api/gift-cards, with the instance) is then the one the balance call asks for.
 */
export function CheckoutCard({
  instance,
  site,
  step,
  settingsStep,
}: {
  instance: string;
  site: 'a' | 'b';
  step: number;
  /** The step that edits the checkout settings, named in the explanation. */
  settingsStep: number;
}) {
  const [currency, setCurrency] = useState<(typeof CURRENCIES)[number]>('USD');
  const [giftCode, setGiftCode] = useState('DEMO-CARD-1');
  const [giftAmount, setGiftAmount] = useState('25.00');
  const [sent, setSent] = useState<Sent>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (sample: DevServicePluginCase) => {
    setBusy(true);
    try {
      const query = new URLSearchParams({ site, case: sample, currency });
      if (sample === 'gift-card-balance') query.set('code', giftCode);
      const response = await fetch(`/api/dev/service-plugin?${query}`, { method: 'POST' });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      setSent(
        response.ok
          ? { kind: 'sent', call: body as unknown as SampleCall }
          : problemStatus(body, response.status),
      );
    } catch (error) {
      setSent(networkError(error));
    } finally {
      setBusy(false);
    }
  };

  const issue = async () => {
    setBusy(true);
    try {
      const response = await fetchWithWixInstance(
        '/api/gift-cards',
        {
          method: 'POST',
          // As typed: the API refuses a bad amount in words (a number with at most two decimals).
          body: JSON.stringify({ code: giftCode, balance: Number(giftAmount), currency }),
        },
        { instance },
      );
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      setIssued(
        response.ok
          ? {
              kind: 'issued',
              code: String(body.code),
              balance: Number(body.balance),
              currency: String(body.currency),
            }
          : problemStatus(body, response.status),
      );
    } catch (error) {
      setIssued(networkError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="step" aria-labelledby="step-checkout" data-testid="checkout-card">
      <h2 id="step-checkout">
        <span className="n">{step}</span>Checkout: Wix calls the service plugins
      </h2>
      <p className="muted">
        At checkout Wix calls <code>POST /api/service-plugins/v1/…</code> and waits for the answer;
        the body is a JWT signed with the app&apos;s key pair. Each button signs a sample call for
        this sample site as Wix would and sends it through that same route. The answers follow this
        site&apos;s checkout settings in step {settingsStep}: change the handling fee there, save,
        and send the fees call again.
      </p>
      <p>
        <label>
          The site&apos;s currency{' '}
          <select
            name="currency"
            value={currency}
            onChange={(e) => setCurrency(e.target.value as (typeof CURRENCIES)[number])}
          >
            {CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </label>
      </p>
      <p>
        Send as Wix would:{' '}
        {CART_CASES.map((sample) => (
          <button key={sample} type="button" disabled={busy} onClick={() => void send(sample)}>
            {DEV_SERVICE_PLUGIN_CASES[sample].label}
          </button>
        ))}
      </p>
      <form
        className="gift-card"
        aria-label="Gift card"
        onSubmit={(event) => {
          event.preventDefault();
          void issue();
        }}
      >
        <label>
          Gift card code{' '}
          <input name="giftCode" value={giftCode} onChange={(e) => setGiftCode(e.target.value)} />
        </label>{' '}
        <label>
          Amount{' '}
          <input
            name="giftAmount"
            inputMode="decimal"
            size={8}
            value={giftAmount}
            onChange={(e) => setGiftAmount(e.target.value)}
          />
        </label>{' '}
        <button type="submit" className="secondary" disabled={busy}>
          Issue the card
        </button>
        <button type="button" disabled={busy} onClick={() => void send('gift-card-balance')}>
          {DEV_SERVICE_PLUGIN_CASES['gift-card-balance'].label}
        </button>
      </form>
      {issued?.kind === 'issued' && (
        <p className="ok" role="status" data-testid="gift-card-issued">
          Issued {issued.code} with {issued.balance} {issued.currency} (POST /api/gift-cards).
        </p>
      )}
      {issued?.kind === 'error' && <ProblemNote problem={issued} testId="gift-card-error-code" />}
      {sent?.kind === 'sent' && <CheckoutAnswer call={sent.call} />}
      {sent?.kind === 'error' && <ProblemNote problem={sent} testId="checkout-error-code" />}
    </section>
  );
}
