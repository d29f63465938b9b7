/**
 * Which languages can run now, from `GET /api/runners`: asked every 10 s while
 * this person can run, and at once when a run was refused as "language
 * unavailable". Unknown (never answered, or the request failed) counts as
 * available: the relay then answers a run with its reason.
 */
import { effect, signal, type ReadonlySignal } from '@preact/signals';
import type { RunnerLanguage } from '../lib/api.js';

export const AVAILABILITY_REFRESH_MS = 10_000;
export const PREPARING_REFRESH_MS = 2_000;

export class LanguageAvailability {
  /** Language id -> what the relay said of it; null until the relay answered. */
  readonly byLanguage = signal<Map<string, RunnerLanguage> | null>(null);

  constructor(private readonly fetchLanguages: () => Promise<RunnerLanguage[]>) {}

  isAvailable(language: string): boolean {
    return this.byLanguage.value?.get(language)?.available ?? true;
  }

  /** How far a runner is with the image of a language that cannot run yet, or null. */
  preparing(language: string): RunnerLanguage['preparing'] {
    return this.byLanguage.value?.get(language)?.preparing ?? null;
  }

  async refresh(): Promise<void> {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    try {
      const languages = await this.fetchLanguages();
      this.byLanguage.value = new Map(languages.map((l) => [l.id, l]));
    } catch {
      this.byLanguage.value = null;
    }
  }

  /**
   * Refreshes now and every AVAILABILITY_REFRESH_MS while `active` holds (every
   * PREPARING_REFRESH_MS while an image is being built, so its progress moves);
   * returns the stop.
   */
  poll(active: ReadonlySignal<boolean>): () => void {
    return effect(() => {
      if (!active.value) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let stopped = false;
      const next = async () => {
        await this.refresh();
        if (stopped) return;
        const building = [...(this.byLanguage.peek()?.values() ?? [])].some(
          (l) => l.preparing !== null && !l.preparing.problem,
        );
        timer = setTimeout(() => void next(), building ? PREPARING_REFRESH_MS : AVAILABILITY_REFRESH_MS);
      };
      void next();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }
}
