/**
 * Which side panels a room page shows. On a wide window each panel docks beside
 * the editor unless the person folded it away; that choice is kept per browser
 * (not per room), so a layout once set up follows them into every room. On a
 * narrow window (narrow.ts) no panel docks: at most one opens as a drawer over
 * the editor, and only until it is closed.
 */
import { signal } from '@preact/signals';
import { loadJson, saveJson } from '../lib/storage.js';
import { narrow } from './narrow.js';

export const PANEL_IDS = ['files', 'call', 'people', 'notes', 'chat'] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export const PANEL_LABELS: Record<PanelId, string> = {
  files: 'Files',
  call: 'Call',
  people: 'People',
  notes: 'Private notes',
  chat: 'Chat',
};

const HIDDEN_KEY = 'tandem.layout.hidden';

/** The folded panels from storage; anything else there (an old or edited value) is ignored. */
export function readHidden(stored: unknown): ReadonlySet<PanelId> {
  if (!Array.isArray(stored)) return new Set();
  return new Set(PANEL_IDS.filter((id) => stored.includes(id)));
}

/** The DOM ids that tie a toggle to its panel (aria-controls) and a drawer back to its toggle. */
export const panelDomId = (id: PanelId) => `panel-${id}`;
export const toggleDomId = (id: PanelId) => `panel-toggle-${id}`;

export class PanelLayout {
  /** Panels folded away on a wide window. */
  readonly hidden = signal(readHidden(loadJson(HIDDEN_KEY)));
  /** On a narrow window: the panel open as a drawer. */
  readonly drawer = signal<PanelId | null>(null);

  isOpen(id: PanelId): boolean {
    return narrow.value ? this.drawer.value === id : !this.hidden.value.has(id);
  }

  /** Whether a side with these panels shows at all. */
  anyOpen(ids: readonly PanelId[]): boolean {
    return ids.some((id) => this.isOpen(id));
  }

  toggle(id: PanelId): void {
    if (narrow.peek()) {
      this.drawer.value = this.drawer.peek() === id ? null : id;
      return;
    }
    const hidden = new Set(this.hidden.peek());
    if (!hidden.delete(id)) hidden.add(id);
    this.hidden.value = hidden;
    saveJson(HIDDEN_KEY, [...hidden]);
  }

  closeDrawer(): void {
    this.drawer.value = null;
  }

  /** The drawer open over the editor, if it is one of `ids` (a panel this page shows). */
  drawerIn(ids: readonly PanelId[]): PanelId | null {
    const open = narrow.value ? this.drawer.value : null;
    return open !== null && ids.includes(open) ? open : null;
  }
}
