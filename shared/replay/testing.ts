/**
 * For tests: records what several users do to their own documents as a log,
 * the way the relay would store it (one entry per transaction, each user's
 * updates delivered to the others at once), so replay can be checked against
 * what the documents held at every step.
 */
import * as Y from 'yjs';
import type { ReplayEntry } from './bundle.js';

export class SessionRecorder {
  readonly entries: ReplayEntry[] = [];
  readonly docs = new Map<string, Y.Doc>();
  private seq = 0;
  private clock = 1_700_000_000_000;

  /** The document of `user` (created on first use, synced with the others). */
  doc(user: string): Y.Doc {
    let doc = this.docs.get(user);
    if (doc) return doc;
    doc = new Y.Doc();
    for (const other of this.docs.values()) Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), 'sync');
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'sync') return;
      this.seq += 1 + (this.seq % 3); // seqs have gaps: they count across rooms
      this.entries.push({ seq: this.seq, at: this.clock, author: user, data: update });
      for (const [name, other] of this.docs) if (name !== user) Y.applyUpdate(other, update, 'sync');
    });
    this.docs.set(user, doc);
    return doc;
  }

  /** `user` changes their document in one transaction; returns the index of the entry it made. */
  act(user: string, change: (doc: Y.Doc) => void): number {
    this.clock += 1000;
    const doc = this.doc(user);
    doc.transact(() => change(doc));
    return this.entries.length - 1;
  }

  /** The time the next action will be stamped with, minus a little. */
  get now(): number {
    return this.clock;
  }
}
