/**
 * Which languages can run now, from `GET /api/runners`: asked every 10 s while
 * this person can run, and at once when a run was refused as "language
 * unavailable". Unknown (never answered, or the request failed) counts as
 * available: the relay then answers a run with its reason.
 */
import { effect, signal, type ReadonlySignal } from '@preact/signals';
import type { RunnerLanguage } from '../lib/api.js';

export const AVAILABILITY_REFRESH_MS = 10_000;

export class LanguageAvailability {
  /** Language id -> can run now; null until the relay answered. */
  readonly byLanguage = signal<Map<string, boolean> | null>(null);

  constructor(private readonly fetchLanguages: () => Promise<RunnerLanguage[]>) {}

  isAvailable(language: string): boolean {
    return this.byLanguage.value?.get(language) ?? true;
  }

  async refresh(): Promise<void> {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    try {
      const languages = await this.fetchLanguages();
      this.byLanguage.value = new Map(languages.map((l) => [l.id, l.available === true]));
    } catch {
      this.byLanguage.value = null;
    }
  }

  /** Refreshes now and every AVAILABILITY_REFRESH_MS while `active` holds; returns the stop. */
  poll(active: ReadonlySignal<boolean>): () => void {
    return effect(() => {
      if (!active.value) return;
      void this.refresh();
      const timer = setInterval(() => void this.refresh(), AVAILABILITY_REFRESH_MS);
      return () => clearInterval(timer);
    });
  }
}
