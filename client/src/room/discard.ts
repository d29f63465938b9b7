/**
 * Edits made without the edit right are refused by the relay and would never be
 * accepted; kept in this page (or in IndexedDB) they would go out again in the
 * next sync, say once the right comes back. So the page drops its copy and loads
 * the relay's, then tells the person how many of their edits did not make it:
 * each unconfirmed update is replayed, in order, onto a copy of the relay's
 * document, and those that still change something are the lost ones.
 */
import * as Y from 'yjs';

/** What a page gave up when it lost the edit right with edits the relay had not confirmed. */
export interface Discarded {
  /** This page's unconfirmed updates, oldest first. */
  updates: Uint8Array[];
  /** Unconfirmed edits whose bytes this page does not hold (from an earlier load). */
  unknown: number;
  /** The relay's reason for taking the right away (or for refusing the edits). */
  reason: string;
  /** Why they went: the edit right was taken away (default), or the room is full. */
  cause?: 'revoked' | 'too-large';
}

/** How many of `updates` the relay's document (`relay`) lacks. */
export function countMissing(relay: Y.Doc, updates: Uint8Array[]): number {
  const probe = new Y.Doc();
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(relay));
  let changes = 0;
  probe.on('update', () => changes++);
  let missing = 0;
  for (const update of updates) {
    const before = changes;
    try {
      Y.applyUpdate(probe, update);
    } catch {
      missing++; // unreadable: certainly not in the relay's copy
      continue;
    }
    if (changes > before) missing++;
  }
  probe.destroy();
  return missing;
}

/** The sentence shown once the relay's copy is back. */
export function discardSentence(lost: number, reason: string, cause: Discarded['cause'] = 'revoked'): string {
  const edits = lost === 1 ? 'unsaved edit was' : 'unsaved edits were';
  const because = cause === 'too-large' ? 'the relay refused them' : 'your edit right was revoked';
  return `Your last ${lost} ${edits} discarded because ${because} (${reason}).`;
}
