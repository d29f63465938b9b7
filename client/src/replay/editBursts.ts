/**
 * The events list's edit rows, one per person and burst. `eventRows` groups a
 * person's edits only while nobody else's come between them, so two people
 * typing at once alternate row by row: dozens of "edited" rows for a few
 * seconds of work. Here each person's burst runs on through the others' edits,
 * until that person pauses (EDIT_GROUP_GAP_MS, the same quiet as there) or
 * does something else: a file change, a message, a run.
 */
import { EDIT_GROUP_GAP_MS, type EventRow } from './eventRows.js';

type EditRow = Extract<EventRow, { kind: 'edit' }>;

/**
 * `rows` (in order, as `eventRows` makes them) with each person's edits merged
 * into bursts; `timeOf` gives a log entry's time. A burst sits where it ends,
 * as a row of `eventRows` does. `rows` is left as it is.
 */
export function editBursts(rows: readonly EventRow[], timeOf: (index: number) => number): EventRow[] {
  const merged: EventRow[] = [];
  /** Each person's burst that is still open. */
  const open = new Map<string, EditRow>();
  for (const row of rows) {
    if (row.kind !== 'edit') {
      open.delete(row.author);
      merged.push(row);
      continue;
    }
    const burst = open.get(row.author);
    if (burst && timeOf(row.first) - burst.at <= EDIT_GROUP_GAP_MS) {
      burst.index = row.index;
      burst.at = row.at;
      burst.count += row.count;
      for (const path of row.paths) if (!burst.paths.includes(path)) burst.paths.push(path);
    } else {
      const start = { ...row, paths: [...row.paths] };
      open.set(row.author, start);
      merged.push(start);
    }
  }
  return merged.sort((a, b) => a.index - b.index || a.at - b.at);
}
