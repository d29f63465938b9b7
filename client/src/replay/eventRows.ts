/**
 * The replay's events list: who did what when. A log has an entry per burst of
 * keystrokes, far too many to list, so one person's edits close together in
 * time become one row; creating, renaming and deleting a file, a chat message
 * and a run each get a row of their own.
 */
import type { ReplayRun } from '../../../shared/replay/bundle.js';
import type { ChatPost, FileChange, TimelineEvent } from '../../../shared/replay/timeline.js';

/** Edits by one person with less quiet than this between them make one row. */
export const EDIT_GROUP_GAP_MS = 20_000;

interface RowBase {
  /** The entry to jump to (the state after it is what the row shows). */
  index: number;
  at: number;
  /** User id. */
  author: string;
}

export type EventRow =
  | (RowBase & { kind: 'edit'; first: number; count: number; paths: string[] })
  | (RowBase & { kind: 'file'; change: FileChange })
  | (RowBase & { kind: 'chat'; post: ChatPost })
  | (RowBase & { kind: 'run'; run: ReplayRun });

export function eventRows(
  events: readonly TimelineEvent[],
  runs: readonly ReplayRun[],
  /** The last entry at or before a time (ReplayEngine.indexAt). */
  indexAt: (timeMs: number) => number,
): EventRow[] {
  const rows: EventRow[] = [];
  let group: Extract<EventRow, { kind: 'edit' }> | null = null;
  for (const event of events) {
    const { index, at, author } = event;
    const edited = event.files.filter((c) => c.kind === 'edited').map((c) => c.path);
    const others = event.files.filter((c) => c.kind !== 'edited');
    for (const change of others) rows.push({ kind: 'file', index, at, author, change });
    for (const post of event.chat) rows.push({ kind: 'chat', index, at, author, post });
    if (others.length > 0 || event.chat.length > 0) group = null;
    if (edited.length === 0) continue;
    if (group && group.author === author && at - group.at <= EDIT_GROUP_GAP_MS) {
      group.index = index;
      group.at = at;
      group.count++;
      for (const path of edited) if (!group.paths.includes(path)) group.paths.push(path);
    } else {
      group = { kind: 'edit', index, first: index, at, author, count: 1, paths: edited };
      rows.push(group);
    }
  }
  for (const run of runs) {
    rows.push({ kind: 'run', index: indexAt(run.startedAt), at: run.startedAt, author: run.userId, run });
  }
  // Stable: rows of one moment keep the order they were made in.
  return rows.sort((a, b) => a.index - b.index || a.at - b.at);
}

/** The row shown as current at `position`: the last one at or before it. */
export function currentRow(rows: readonly EventRow[], position: number): number {
  let low = 0;
  let high = rows.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (rows[mid]!.index <= position) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** The entry index one row on (`direction` 1) or back (-1) from `position`; null at either end. */
export function stepRow(rows: readonly EventRow[], position: number, direction: 1 | -1): number | null {
  if (direction > 0) return rows.find((row) => row.index > position)?.index ?? null;
  return rows.findLast((row) => row.index < position)?.index ?? null;
}

/** A row in words, without the author: "edited main.py", "renamed a.py to b.py". */
export function describeRow(row: EventRow): string {
  switch (row.kind) {
    case 'edit': {
      const [first, ...rest] = row.paths;
      const more = rest.length > 0 ? ` and ${rest.length} more file${rest.length > 1 ? 's' : ''}` : '';
      return `edited ${first}${more}`;
    }
    case 'file': {
      const { change } = row;
      if (change.kind === 'renamed') return `renamed ${change.from} to ${change.path}`;
      return `${change.kind} ${change.path}`;
    }
    case 'chat':
      return `said “${row.post.text}”`;
    case 'run':
      return `ran ${row.run.entry || 'the project'}`;
  }
}
