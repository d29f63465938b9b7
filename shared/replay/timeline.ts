/**
 * What each log entry did, seen by watching a document while the entries are
 * applied to it one by one: files created, edited, renamed and deleted, chat
 * messages posted. It reads the transaction's own record of changed types
 * (`transaction.changed`), so it costs nothing per character and never asks Yjs
 * to compute a delta for a text.
 *
 * Entries of the wrong shape (a writer can put anything in a document) are
 * skipped, as every reader in shared/schema skips them.
 */
import * as Y from 'yjs';
import { isValidPath } from '../schema/paths.js';
import { chatOf, filesOf } from '../schema/project.js';

export type FileChangeKind = 'created' | 'edited' | 'renamed' | 'deleted';

export interface FileChange {
  kind: FileChangeKind;
  fileId: string;
  /** The path after the entry; for a deleted file, the path it had. */
  path: string;
  /** A renamed file's previous path. */
  from?: string;
}

export interface ChatPost {
  userId: string;
  name: string;
  text: string;
  at: number;
}

export interface TimelineEvent {
  /** Position in the entries (0-based). */
  index: number;
  seq: number;
  at: number;
  author: string;
  /** One change per file and kind, in the order they were seen. */
  files: readonly FileChange[];
  chat: readonly ChatPost[];
}

interface KnownFile {
  entry: Y.Map<unknown>;
  path: string;
}

const NO_FILES: readonly FileChange[] = Object.freeze([]);
const NO_POSTS: readonly ChatPost[] = Object.freeze([]);

/**
 * Watches `doc`; `take()` returns (and forgets) what changed since the last call.
 * A long log is mostly one file edited again and again, so equal changes (and
 * lists of one change) are shared, not copied: keep them read-only.
 */
export class ChangeWatcher {
  private readonly files: Y.Map<unknown>;
  private readonly chat: Y.Array<unknown>;
  private readonly known = new Map<string, KnownFile>();
  private changes: FileChange[] = [];
  private posts: ChatPost[] = [];
  private readonly shared = new Map<string, readonly FileChange[]>();

  constructor(private readonly doc: Y.Doc) {
    this.files = filesOf(doc);
    this.chat = chatOf(doc);
    this.files.forEach((_, id) => this.remember(id));
    doc.on('afterTransaction', this.onTransaction);
    this.chat.observe(this.onChat);
  }

  take(): { files: readonly FileChange[]; chat: readonly ChatPost[] } {
    const taken = { files: this.sharedChanges(), chat: this.posts.length > 0 ? this.posts : NO_POSTS };
    this.changes = [];
    this.posts = [];
    return taken;
  }

  private sharedChanges(): readonly FileChange[] {
    if (this.changes.length === 0) return NO_FILES;
    if (this.changes.length > 1) return this.changes;
    const { kind, fileId, path, from } = this.changes[0]!;
    const key = JSON.stringify([kind, fileId, path, from]);
    let shared = this.shared.get(key);
    if (!shared) this.shared.set(key, (shared = Object.freeze([Object.freeze(this.changes[0]!)])));
    return shared;
  }

  stop(): void {
    this.doc.off('afterTransaction', this.onTransaction);
    this.chat.unobserve(this.onChat);
  }

  private readonly onTransaction = (transaction: Y.Transaction): void => {
    const edited = new Set<string>();
    const renamed = new Set<string>();
    for (const [changed, keys] of transaction.changed) {
      const type: unknown = changed;
      if (type === this.files) {
        for (const key of keys) if (key !== null) this.fileKeyChanged(key);
        continue;
      }
      const fileId = this.fileIdOf(type);
      if (fileId === null) continue;
      if (type instanceof Y.Map && keys.has('path')) renamed.add(fileId);
      if (!(type instanceof Y.Map) || keys.has('text') || keys.has('bytes')) edited.add(fileId);
    }
    for (const fileId of renamed) {
      const known = this.known.get(fileId);
      const before = known?.path;
      if (!this.remember(fileId) || before === undefined) continue;
      const path = this.known.get(fileId)!.path;
      if (path !== before) this.add({ kind: 'renamed', fileId, path, from: before });
    }
    for (const fileId of edited) {
      const known = this.known.get(fileId);
      if (known) this.add({ kind: 'edited', fileId, path: known.path });
    }
  };

  private readonly onChat = (event: Y.YArrayEvent<unknown>): void => {
    for (const change of event.changes.delta) {
      for (const value of change.insert ?? []) {
        const post = readPost(value);
        if (post) this.posts.push(post);
      }
    }
  };

  /** A key of `files` was set or deleted: a file appeared, went, or was replaced. */
  private fileKeyChanged(fileId: string): void {
    const before = this.known.get(fileId);
    const present = this.remember(fileId);
    const after = this.known.get(fileId);
    if (!before && present) this.add({ kind: 'created', fileId, path: after!.path });
    else if (before && !present) this.add({ kind: 'deleted', fileId, path: before.path });
    else if (before && after && before.entry !== after.entry) {
      this.add({ kind: 'created', fileId, path: after.path });
    }
  }

  /** Refreshes what is known of one file; false if it is absent or not a valid file now. */
  private remember(fileId: string): boolean {
    const entry = this.files.get(fileId);
    const path: unknown = entry instanceof Y.Map ? entry.get('path') : undefined;
    if (!(entry instanceof Y.Map) || typeof path !== 'string' || !isValidPath(path)) {
      this.known.delete(fileId);
      return false;
    }
    this.known.set(fileId, { entry, path });
    return true;
  }

  /** The id of the file a changed type belongs to (its entry map or its text), or null. */
  private fileIdOf(type: unknown): string | null {
    let entry: unknown = type;
    if (!(type instanceof Y.Map)) {
      if (!(type instanceof Y.AbstractType)) return null;
      entry = type._item?.parent;
    }
    if (!(entry instanceof Y.Map)) return null;
    const item = entry._item;
    if (!item || item.parent !== this.files || typeof item.parentSub !== 'string') return null;
    return this.files.get(item.parentSub) === entry ? item.parentSub : null;
  }

  private add(change: FileChange): void {
    const duplicate = this.changes.some((c) => c.fileId === change.fileId && c.kind === change.kind);
    if (duplicate) return;
    // A file created in this entry is not also "edited" or "renamed" by it.
    const created = this.changes.some((c) => c.fileId === change.fileId && c.kind === 'created');
    if (created && (change.kind === 'edited' || change.kind === 'renamed')) return;
    this.changes.push(change);
  }
}

function readPost(value: unknown): ChatPost | null {
  if (typeof value !== 'object' || value === null) return null;
  const { userId, name, text, at } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof name !== 'string' || typeof text !== 'string') return null;
  if (typeof at !== 'number' || !Number.isFinite(at)) return null;
  return { userId, name, text, at };
}
