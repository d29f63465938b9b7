/**
 * Short messages at the bottom of the screen: errors and other sentences about
 * what you did, centred; notices of what others did (see notices/), stacked in
 * a corner, each with an action such as Undo where there is one. None takes the
 * focus; a notice waits while the pointer or the focus is on it, so its action
 * can be reached.
 */
import { signal } from '@preact/signals';
import { CloseIcon } from './icons.js';

export type ToastKind = 'info' | 'error' | 'notice';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface ToastOptions {
  action?: ToastAction;
  /** Called once the toast is gone, however it went. */
  onClose?: () => void;
}

interface Toast extends ToastOptions {
  id: number;
  text: string;
  kind: ToastKind;
}

const TOAST_MS = 4000;
/** Long enough to read a name and reach for Undo. */
const NOTICE_MS = 8000;
/** Past this many stacked notices the oldest goes. */
const NOTICES_MAX = 4;

const toasts = signal<Toast[]>([]);
const timers = new Map<number, ReturnType<typeof setTimeout>>();
let nextId = 1;

/** Shows `text`; returns its id for `dismissToast`, or null when the same sentence is already up. */
export function toast(text: string, kind: ToastKind = 'info', options: ToastOptions = {}): number | null {
  // The same sentence twice in a row is shown once (one with an action is its own).
  if (!options.action && toasts.peek().some((t) => t.text === text && !t.action)) return null;
  const id = nextId++;
  const added: Toast = { id, text, kind, ...options };
  toasts.value = [...toasts.peek(), added];
  arm(added);
  if (kind === 'notice') {
    const notices = toasts.peek().filter((t) => t.kind === 'notice');
    for (const old of notices.slice(0, -NOTICES_MAX)) dismissToast(old.id);
  }
  return id;
}

export function dismissToast(id: number): void {
  const gone = toasts.peek().find((t) => t.id === id);
  if (!gone) return;
  hold(id);
  toasts.value = toasts.peek().filter((t) => t.id !== id);
  gone.onClose?.();
}

function arm(t: Toast): void {
  hold(t.id);
  // A focusout can come from a notice that is already gone.
  if (!toasts.peek().some((shown) => shown.id === t.id)) return;
  timers.set(
    t.id,
    setTimeout(() => dismissToast(t.id), t.kind === 'notice' ? NOTICE_MS : TOAST_MS),
  );
}

function hold(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
}

export function Toasts() {
  const all = toasts.value;
  return (
    <>
      <div class="toasts" role="status" aria-live="polite">
        {all
          .filter((t) => t.kind !== 'notice')
          .map((t) => (
            <div key={t.id} class={`toast toast-${t.kind}`}>
              {t.text}
            </div>
          ))}
      </div>
      {/* A log, not a status: a new notice is read out alone, not with the whole stack. */}
      <div class="notices" role="log" aria-live="polite" aria-label="What others did">
        {all
          .filter((t) => t.kind === 'notice')
          .map((t) => (
            <Notice key={t.id} notice={t} />
          ))}
      </div>
    </>
  );
}

function Notice(props: { notice: Toast }) {
  const { notice } = props;
  const { action } = notice;
  return (
    <div
      class="toast toast-notice"
      data-testid="notice"
      onMouseEnter={() => hold(notice.id)}
      onMouseLeave={() => arm(notice)}
      onFocusIn={() => hold(notice.id)}
      onFocusOut={() => arm(notice)}
    >
      <span class="toast-text">{notice.text}</span>
      {action && (
        <button
          class="toast-action"
          onClick={() => {
            // Before dismissing: closing may release what the action needs.
            action.run();
            dismissToast(notice.id);
          }}
        >
          {action.label}
        </button>
      )}
      <button class="icon-button tiny" aria-label="Dismiss" onClick={() => dismissToast(notice.id)}>
        <CloseIcon size={12} />
      </button>
    </div>
  );
}
