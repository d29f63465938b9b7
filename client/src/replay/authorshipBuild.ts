/**
 * Authorship of a whole log, built in slices that yield to the page (a long
 * log decodes every update once, which takes a while), the way
 * ReplayEngine.buildAsync builds the engine. Entry i gets rank i, as
 * Authorship.fromEntries gives it.
 */
import { Authorship } from '../../../shared/replay/authorship.js';
import type { ReplayEntry } from '../../../shared/replay/bundle.js';

const SLICE_MS = 12;

export async function buildAuthorship(
  entries: readonly Pick<ReplayEntry, 'author' | 'at' | 'data'>[],
  options: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<Authorship> {
  const authorship = new Authorship();
  let done = 0;
  while (done < entries.length) {
    options.signal?.throwIfAborted();
    const sliceEnd = performance.now() + SLICE_MS;
    do {
      const entry = entries[done++]!;
      authorship.add(entry.data, entry.author, entry.at);
    } while (done < entries.length && performance.now() < sliceEnd);
    options.onProgress?.(done, entries.length);
    if (done < entries.length) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return authorship;
}
