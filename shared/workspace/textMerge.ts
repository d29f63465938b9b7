/**
 * Text changes from a workspace, made into edits a room can take: a three-way
 * merge (the version both sides last agreed on, the container's, the room's
 * now) as differential synchronisation does it, with diff-match-patch's fuzzy
 * patches, and the smallest Y.Text edits that turn one text into another, so
 * someone typing in the same file keeps their cursor and their characters.
 */
import DiffMatchPatch from 'diff-match-patch';
import type * as Y from 'yjs';

const DIFF_DELETE = -1;
const DIFF_INSERT = 1;
const engine = new DiffMatchPatch();
// A diff of a large rewrite must not stall the relay: past this it gives a coarser answer.
engine.Diff_Timeout = 0.2;

/**
 * `base` changed to `disk` in the container while the room changed it to
 * `room`: the container's change applied over the room's text. Where a patch no
 * longer finds its place, the room's text there stays (its typing wins).
 */
export function mergeText(base: string, disk: string, room: string): string {
  if (room === base) return disk;
  if (disk === base) return room;
  const patches = engine.patch_make(base, disk);
  const [merged] = engine.patch_apply(patches, room);
  return merged;
}

/** Edits `text` into `next` with the fewest inserts and deletes the diff finds. Returns whether it changed. */
export function applyTextDiff(text: Y.Text, next: string): boolean {
  const current = text.toString();
  if (current === next) return false;
  const diffs = engine.diff_main(current, next);
  engine.diff_cleanupEfficiency(diffs);
  let index = 0;
  for (const [op, chunk] of diffs) {
    if (op === DIFF_DELETE) text.delete(index, chunk.length);
    else if (op === DIFF_INSERT) {
      text.insert(index, chunk);
      index += chunk.length;
    } else index += chunk.length;
  }
  return true;
}
