/**
 * A room's document as storage holds it: its latest snapshot with the log
 * after it. Loading a room, compacting a shared one and resynchronising after
 * a bus outage all build it the same way.
 */
import * as Y from 'yjs';
import type { RoomState } from '../storage/Storage.js';

export interface StoredDoc {
  doc: Y.Doc;
  /** The last seq it holds (the snapshot's when the log after it is empty). */
  lastSeq: number;
  /** Log entries after the snapshot. */
  sinceSnapshot: number;
  /** Bytes of snapshot and log it was built from. */
  bytes: number;
}

/** The document from a snapshot and the log after it; throws (and frees it) if Yjs cannot apply them. */
export function buildStoredDoc(state: RoomState): StoredDoc {
  const doc = new Y.Doc();
  let bytes = state.snapshot?.byteLength ?? 0;
  try {
    doc.transact(() => {
      if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
      for (const update of state.tail) {
        Y.applyUpdate(doc, update.data);
        bytes += update.data.byteLength;
      }
    });
  } catch (error) {
    doc.destroy();
    throw error;
  }
  const lastSeq = state.tail.at(-1)?.seq ?? state.snapshotSeq;
  return { doc, lastSeq, sinceSnapshot: state.tail.length, bytes };
}
