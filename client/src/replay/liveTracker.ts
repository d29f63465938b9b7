/**
 * Who wrote what in a live room document: the room's recorded history read
 * once, then every update the document gets afterwards, credited to the user
 * whose awareness state has the update's client id (the relay stamps each
 * state with the sender's user id and name, so they can be trusted).
 *
 * Updates are watched from the start, before the history is read, and added
 * once it is: an update the log already holds changes nothing (its clocks keep
 * their first writer), so none is missed and none is counted twice. What this
 * browser holds that the relay never stored (edits made offline) is added
 * last, so every character has a writer.
 */
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { lineAuthors, type Authorship, type Write } from '../../../shared/replay/authorship.js';
import type { ReplayBundle } from '../../../shared/replay/bundle.js';
import { filesOf } from '../../../shared/schema/project.js';
import { readPeers } from '../presence/presence.js';
import { buildAuthorship } from './authorshipBuild.js';

/** The Y.Text of text file `fileId` in `doc`; null for a binary file or no file. */
export function fileText(doc: Y.Doc, fileId: string | null): Y.Text | null {
  const entry = fileId === null ? undefined : filesOf(doc).get(fileId);
  const text = entry instanceof Y.Map ? entry.get('text') : null;
  return text instanceof Y.Text ? text : null;
}

export class LiveAuthorshipTracker {
  /** Resolves once the history is read and every update so far is credited; rejects if it cannot be read. */
  readonly ready: Promise<void>;
  private authorship: Authorship | null = null;
  private pending: { update: Uint8Array; at: number }[] = [];
  private readonly names = new Map<string, string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly doc: Y.Doc,
    load: (signal: AbortSignal) => Promise<ReplayBundle>,
    private readonly options: { awareness?: Awareness; onChange?: () => void } = {},
  ) {
    doc.on('update', this.onUpdate);
    this.ready = this.start(load);
  }

  /** Who last wrote each line of `text` (a text of this document); null until ready. */
  lines(text: Y.Text): (Write | null)[] | null {
    return this.authorship ? lineAuthors(text, this.authorship) : null;
  }

  nameOf(userId: string): string {
    if (userId === 'system') return 'Tandem';
    return this.names.get(userId) ?? (userId === '' ? 'Someone' : userId);
  }

  dispose(): void {
    this.abort.abort();
    this.doc.off('update', this.onUpdate);
  }

  private async start(load: (signal: AbortSignal) => Promise<ReplayBundle>): Promise<void> {
    const bundle = await load(this.abort.signal);
    for (const [id, user] of Object.entries(bundle.users)) this.names.set(id, user.name);
    const built = await buildAuthorship(bundle.entries, { signal: this.abort.signal });
    for (const { update, at } of this.pending) built.addLive(update, at, this.authorOf);
    this.pending = [];
    built.addLive(Y.encodeStateAsUpdate(this.doc), Date.now(), this.authorOf);
    this.authorship = built;
    this.options.onChange?.();
  }

  private readonly authorOf = (client: number): string | undefined => {
    const { awareness } = this.options;
    const peer = awareness ? readPeers(awareness).find((p) => p.clientId === client) : undefined;
    if (peer) this.names.set(peer.userId, peer.name);
    return peer?.userId;
  };

  private readonly onUpdate = (update: Uint8Array): void => {
    if (!this.authorship) {
      this.pending.push({ update, at: Date.now() });
      return;
    }
    this.authorship.addLive(update, Date.now(), this.authorOf);
    this.options.onChange?.();
  };
}
