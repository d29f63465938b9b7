/**
 * Editors and the owner: the room's environment variables, given to every run.
 * Only names come back from the relay; a value goes up once and is never shown,
 * fetched or kept in this page after it is saved.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, envNames, removeEnv, setEnv } from '../lib/api.js';
import { CloseIcon } from '../ui/icons.js';
import { EnvForm } from './EnvForm.js';
import { asSentence } from './envVars.js';

function messageOf(caught: unknown, fallback: string): string {
  return caught instanceof ApiError ? asSentence(caught.message) : fallback;
}

/** Tab and Shift+Tab wrap around inside the dialog instead of leaving it for the room behind. */
function keepFocusIn(e: KeyboardEvent, dialog: HTMLElement): void {
  const focusable = [...dialog.querySelectorAll<HTMLElement>('button:not(:disabled), input:not(:disabled)')];
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const wrapTo = e.shiftKey
    ? document.activeElement === first
      ? last
      : null
    : document.activeElement === last
      ? first
      : null;
  if (wrapTo) {
    e.preventDefault();
    wrapTo.focus();
  }
}

export function EnvDialog(props: { roomId: string; token: string; onClose: () => void }) {
  const { roomId, token, onClose } = props;
  const [names, setNames] = useState<string[] | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [replacing, setReplacing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const card = useRef<HTMLDivElement>(null);
  // Read while rendering, before the form's effect moves the focus into the dialog.
  const [opener] = useState(() => document.activeElement as HTMLElement | null);

  /** Refreshes the list; the names, or null when they could not be loaded. */
  const load = async (): Promise<string[] | null> => {
    try {
      const loaded = await envNames(roomId, token);
      setNames(loaded);
      return loaded;
    } catch (caught) {
      setError(messageOf(caught, 'Could not load the variables.'));
      return null;
    }
  };

  useEffect(() => {
    void load();
    // Keys pressed inside the dialog stop at it (see onKeyDown); this catches Escape elsewhere.
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [roomId, token]);

  const focusName = () => card.current?.querySelector<HTMLInputElement>('input[name=env-name]')?.focus();

  const save = async (name: string, value: string): Promise<string | null> => {
    setError('');
    setStatus('');
    try {
      await setEnv(roomId, token, name, value);
    } catch (caught) {
      return messageOf(caught, 'Could not save the variable.');
    }
    setReplacing(null);
    setStatus(`Saved ${name}.`);
    await load();
    return null;
  };

  const remove = async (name: string) => {
    setError('');
    setStatus('');
    setRemoving(name);
    let failure: unknown = null;
    try {
      await removeEnv(roomId, token, name);
    } catch (caught) {
      failure = caught;
    }
    const left = await load();
    setRemoving(null);
    if (replacing === name) setReplacing(null);
    if (!failure) setStatus(`Removed ${name}.`);
    // Already gone (a 404: someone removed it first): the refreshed list says so, quietly.
    else if (!left || left.includes(name)) setError(messageOf(failure, 'Could not remove the variable.'));
    focusName();
  };

  return (
    <div class="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={card}
        class="card dialog env-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="env-title"
        aria-describedby="env-about"
        data-testid="env-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          if (e.key === 'Tab') keepFocusIn(e, e.currentTarget);
          // The room's shortcuts (Ctrl+Enter runs, Escape closes the history) wait behind the dialog.
          e.stopPropagation();
        }}
      >
        <div class="dialog-head">
          <h2 id="env-title">Environment variables</h2>
          <button class="icon-button" onClick={onClose} aria-label="Close">
            <CloseIcon />
          </button>
        </div>
        <p id="env-about" class="muted env-about">
          Given to every run of this room; stored encrypted; never sent to browsers.
        </p>
        {names === null && !error && <p class="muted">Loading…</p>}
        {names?.length === 0 && <p class="muted">No variables yet.</p>}
        {names && names.length > 0 && (
          <ul class="env-list" aria-label="Variables" data-testid="env-list">
            {names.map((name) => (
              <li key={name} class="env-row" data-testid="env-row" data-name={name}>
                <code class="env-name" title={name}>
                  {name}
                </code>
                <span class="env-mask" title="Values are never shown">
                  ••••••
                </span>
                <button
                  class="button small"
                  aria-label={`Replace ${name}…`}
                  onClick={() => {
                    setStatus('');
                    setReplacing(name);
                  }}
                >
                  Replace…
                </button>
                <button
                  class="button small"
                  aria-label={`Remove ${name}`}
                  disabled={removing === name}
                  onClick={() => void remove(name)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {error && (
          <p class="error" role="alert" data-testid="env-error">
            {error}
          </p>
        )}
        <p class="muted env-status" role="status" data-testid="env-status">
          {status}
        </p>
        <EnvForm
          existing={names ?? []}
          replacing={replacing}
          onCancelReplace={() => setReplacing(null)}
          onSave={save}
        />
      </div>
    </div>
  );
}
