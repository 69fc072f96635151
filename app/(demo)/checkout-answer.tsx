/**
 * What the checkout card shows of a sample service-plugin call (POST /api/dev/service-plugin):
 * the call, then the answer as Wix would read it — the fees with their currency, the rates, the
 * violations, a card's balance, or the `applicationError` (or refusal) and its status — and, on
 * request, the request that was signed and the raw answer body.
 */

/** What the dev route answers (`devServicePlugin`, packages/wix-app-backend/src/dev/routes.ts). */
export interface SampleCall {
  case: string;
  method: string;
  path: string;
  sent: { request: unknown; metadata: unknown };
  status: number;
  answer: Record<string, unknown> | null;
}

interface Fee {
  code: string;
  name: string;
  price: string;
}
interface Rate {
  code: string;
  title: string;
  logistics?: { deliveryTime?: string };
  cost: { price: string; currency: string };
}
interface Violation {
  severity: string;
  target: { lineItem?: { id: string }; other?: { name: string } };
  description: string;
}

/** Why a business error matters at checkout, for the codes the worked examples answer. */
const APPLICATION_ERRORS: Record<string, string> = {
  MISSING_POSTAL_CODE: 'checkout asks the buyer to complete the address before showing rates.',
  GIFT_CARD_NOT_FOUND: 'checkout tells the buyer this site issued no such card.',
};

export function CheckoutAnswer({ call }: { call: SampleCall }) {
  const ok = call.status >= 200 && call.status < 300;
  return (
    <>
      <p data-testid="checkout-call">
        {call.method} <code>{call.path}</code> →{' '}
        <span className={ok ? 'ok' : 'bad'}>HTTP {call.status}</span>
      </p>
      <div data-testid="checkout-answer">
        <AnswerSummary call={call} />
      </div>
      <details>
        <summary>The request Wix would send (the signed JWT&apos;s data claim, decoded)</summary>
        <pre data-testid="checkout-sent">{JSON.stringify(call.sent, null, 2)}</pre>
      </details>
      <details>
        <summary>The answer body Wix reads</summary>
        <pre>{JSON.stringify(call.answer, null, 2)}</pre>
      </details>
    </>
  );
}

function AnswerSummary({ call }: { call: SampleCall }) {
  const answer = call.answer ?? {};
  const applicationError = answer.applicationError as { code?: string } | undefined;
  if (applicationError) {
    const code = String(applicationError.code);
    return (
      <p>
        Wix sees <strong>HTTP {call.status}</strong> with <code>applicationError</code>{' '}
        <code>{code}</code>: a business answer, not a failure
        {APPLICATION_ERRORS[code] ? <> — {APPLICATION_ERRORS[code]}</> : '.'}
      </p>
    );
  }
  if (call.status < 200 || call.status >= 300) {
    // A problem (a refusal of the call, a handler's failure): Wix gets no usable answer.
    return (
      <p>
        Wix sees <strong>HTTP {call.status}</strong> <code>{String(answer.code ?? 'unknown')}</code>
        {typeof answer.detail === 'string' && <> — {answer.detail}</>}: no answer it can use.
      </p>
    );
  }
  if (Array.isArray(answer.additionalFees)) {
    const fees = answer.additionalFees as Fee[];
    const currency = String(answer.currency);
    if (fees.length === 0) return <p>No fees (the answer is in {currency}).</p>;
    return (
      <ul>
        {fees.map((fee) => (
          <li key={fee.code}>
            {fee.name} (<code>{fee.code}</code>): {fee.price} {currency}
          </li>
        ))}
      </ul>
    );
  }
  if (Array.isArray(answer.shippingRates)) {
    const rates = answer.shippingRates as Rate[];
    if (rates.length === 0) return <p>No rates: checkout offers no delivery.</p>;
    return (
      <ul>
        {rates.map((rate) => (
          <li key={rate.code}>
            {rate.title} (<code>{rate.code}</code>): {rate.cost.price} {rate.cost.currency}
            {rate.logistics?.deliveryTime && <>, {rate.logistics.deliveryTime}</>}
          </li>
        ))}
      </ul>
    );
  }
  if (Array.isArray(answer.violations)) {
    const violations = answer.violations as Violation[];
    if (violations.length === 0) return <p>No violations: checkout may go ahead.</p>;
    return (
      <ul>
        {violations.map((violation, i) => (
          <li key={i}>
            <strong>{violation.severity}</strong> on{' '}
            {violation.target.lineItem ? (
              <>
                line <code>{violation.target.lineItem.id}</code>
              </>
            ) : (
              'the order'
            )}
            : {violation.description}
            {violation.severity === 'ERROR' && ' Wix blocks the order until it is fixed.'}
          </li>
        ))}
      </ul>
    );
  }
  if (typeof answer.balance === 'number') {
    return (
      <p>
        Balance: {answer.balance} {String(answer.currencyCode)}
      </p>
    );
  }
  return <p>An answer of another shape: see its body below.</p>;
}
