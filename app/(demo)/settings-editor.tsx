'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchWithWixInstance } from '@/lib/client/wix-instance-client';
import {
  CheckoutFields,
  checkoutBody,
  checkoutForm,
  type CheckoutForm,
  type CheckoutSettingsValue,
} from './checkout-settings-fields';
import { networkError, ProblemNote, problemStatus, type ProblemStatus } from './problem-note';

interface SettingsForm {
  greeting: string;
  theme: 'light' | 'dark';
  notificationEmail: string;
  checkout: CheckoutForm;
}

/** The settings document as GET and PUT /api/settings answer it (lib/settings/settings-schema.ts). */
interface SettingsValue {
  greeting: string;
  theme: 'light' | 'dark';
  notificationEmail?: string | null;
  checkout?: CheckoutSettingsValue;
}

type Status =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'saving' }
  | { kind: 'saved'; version: number }
  | { kind: 'conflict' }
  | ProblemStatus;

/**
 * Load, edit and save the instance's settings with If-Match, as a Wix dashboard page would. PUT
 * replaces the whole document, so every save sends every section — the checkout one included —
 * and a change to one keeps the others as they were.
 */
export function SettingsEditor({
  instance,
  step,
  checkoutDefaults,
}: {
  instance: string;
  step: number;
  /** What the checkout plugins use until the site saves a checkout section of its own. */
  checkoutDefaults: CheckoutSettingsValue;
}) {
  // The server's constant, read once: a new object from a re-render must not reload the settings.
  const defaults = useRef(checkoutDefaults).current;
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<Status>({ kind: 'loading' });

  const load = useCallback(async () => {
    setStatus({ kind: 'loading' });
    try {
      const response = await fetchWithWixInstance('/api/settings', {}, { instance });
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) return setStatus(problemStatus(body, response.status));
      setForm(formOf(body.settings as SettingsValue, defaults));
      setEtag(response.headers.get('etag'));
      setVersion(Number(body.version));
      setStatus({ kind: 'ready' });
    } catch (error) {
      setStatus(networkError(error));
    }
  }, [instance, defaults]);

  useEffect(() => {
    void load();
  }, [load]);

  const save = async () => {
    if (!form) return;
    setStatus({ kind: 'saving' });
    try {
      const response = await fetchWithWixInstance(
        '/api/settings',
        {
          method: 'PUT',
          headers: etag ? { 'If-Match': etag } : {},
          body: JSON.stringify({
            greeting: form.greeting,
            theme: form.theme,
            notificationEmail:
              form.notificationEmail.trim() === '' ? null : form.notificationEmail.trim(),
            checkout: checkoutBody(form.checkout),
          }),
        },
        { instance },
      );
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === 412) return setStatus({ kind: 'conflict' });
      if (!response.ok) return setStatus(problemStatus(body, response.status));
      // As saved (trimmed, numbers as numbers): what the plugins read from now on.
      setForm(formOf(body.settings as SettingsValue, defaults));
      setEtag(response.headers.get('etag'));
      setVersion(Number(body.version));
      setStatus({ kind: 'saved', version: Number(body.version) });
    } catch (error) {
      setStatus(networkError(error));
    }
  };

  return (
    <section className="step" aria-labelledby="step-settings">
      <h2 id="step-settings">
        <span className="n">{step}</span>This site&apos;s settings
      </h2>
      <p className="muted">
        Stored per verified instance. Saving sends <code>PUT /api/settings</code> with{' '}
        <code>If-Match: {etag ?? '…'}</code>; a stale version is refused with 412 instead of
        overwriting.
      </p>
      {status.kind === 'loading' && <p className="muted">Loading settings…</p>}
      {form && (
        <form
          className="settings"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Greeting
            <input
              name="greeting"
              value={form.greeting}
              maxLength={200}
              onChange={(e) => setForm({ ...form, greeting: e.target.value })}
            />
          </label>
          <label>
            Theme
            <select
              name="theme"
              value={form.theme}
              onChange={(e) => setForm({ ...form, theme: e.target.value as 'light' | 'dark' })}
            >
              <option value="light">light</option>
              <option value="dark">dark</option>
            </select>
          </label>
          <label>
            Notification email (optional)
            <input
              name="notificationEmail"
              type="email"
              value={form.notificationEmail}
              onChange={(e) => setForm({ ...form, notificationEmail: e.target.value })}
            />
          </label>
          <CheckoutFields
            form={form.checkout}
            onChange={(checkout) => setForm({ ...form, checkout })}
          />
          <p>
            <button type="submit" disabled={status.kind === 'saving'}>
              Save
            </button>
            <span className="muted" data-testid="settings-version">
              version {version}
            </span>
          </p>
        </form>
      )}
      {status.kind === 'saved' && (
        <p className="ok" role="status">
          Saved as version {status.version}.
        </p>
      )}
      {status.kind === 'conflict' && (
        <p role="alert" data-testid="settings-conflict">
          <span className="bad">Someone changed these settings after you loaded them</span> (412{' '}
          <code>version_conflict</code>). Your edit was not saved.{' '}
          <button type="button" className="secondary" onClick={() => void load()}>
            Reload the latest
          </button>
        </p>
      )}
      {status.kind === 'error' && <ProblemNote problem={status} testId="settings-error-code" />}
    </section>
  );
}

function formOf(settings: SettingsValue, checkoutDefaults: CheckoutSettingsValue): SettingsForm {
  return {
    greeting: settings.greeting,
    theme: settings.theme,
    notificationEmail: settings.notificationEmail ?? '',
    checkout: checkoutForm(settings.checkout ?? checkoutDefaults),
  };
}
