/** Short messages at the bottom of the screen: errors in a sentence, and notices. */
import { signal } from '@preact/signals';

interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

const TOAST_MS = 4000;
const toasts = signal<Toast[]>([]);
let nextId = 1;

export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = nextId++;
  // The same sentence twice in a row is shown once.
  if (toasts.value.some((t) => t.text === text)) return;
  toasts.value = [...toasts.value, { id, text, kind }];
  setTimeout(() => (toasts.value = toasts.value.filter((t) => t.id !== id)), TOAST_MS);
}

export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
