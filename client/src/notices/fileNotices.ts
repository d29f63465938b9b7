/**
 * Notices for files someone else deleted, renamed or moved: one per change (a
 * folder is one change), naming who made it (see announce.ts), with an Undo
 * for people who may edit. A deletion is undone by DeletionUndo, a rename by
 * renaming back; either is a local edit that everyone gets.
 *
 * This page's own changes are announced here, never noticed. A change that
 * arrives while this page catches up with the relay (the first sync, after a
 * reconnect) is old news and passes silently.
 */
import { filesOf, foldersOf } from '../../../shared/schema/project.js';
import type { Peer } from '../presence/presence.js';
import { FileOpError, renameFile } from '../room/files.js';
import type { RoomState } from '../room/roomState.js';
import { toast, type ToastOptions } from '../ui/toast.js';
import { Announcements, announceFileChange } from './announce.js';
import { DeletionUndo, type DeletionKey } from './deletionUndo.js';
import { watchFileChanges, type FileChange } from './fileChanges.js';
import { fileChangeSentence } from './sentences.js';

/** How long a change waits for the announcement that names who made it (it mostly comes first). */
const NAME_WAIT_MS = 3000;

export type Say = (text: string, options?: ToastOptions) => void;

interface Waiting {
  change: FileChange;
  undo: DeletionKey | null;
  timer: ReturnType<typeof setTimeout>;
}

export function watchFileNotices(room: RoomState, say: Say): () => void {
  const { conn } = room;
  const files = filesOf(conn.doc);
  const deletions = new DeletionUndo([files, foldersOf(conn.doc)], conn.channel);
  const announcements = new Announcements(conn.awareness);
  const waiting = new Set<Waiting>();
  const idsOf = (change: FileChange) => [...change.deleted, ...change.renamed].map((file) => file.id);

  const show = (change: FileChange, undo: DeletionKey | null, who: Peer | null) => {
    const release = () => undo && deletions.release(undo);
    // Yourself, in another tab.
    if (who?.userId === conn.me.peek().userId) return release();
    const undoable = (undo !== null || change.renamed.length > 0) && conn.policy.editable.peek();
    say(fileChangeSentence(who?.name ?? null, change), {
      action: undoable ? { label: 'Undo', run: () => undoChange(change, undo) } : undefined,
      onClose: release,
    });
  };

  const undoChange = (change: FileChange, undo: DeletionKey | null) => {
    if (undo && !deletions.undo(undo)) toast('Those files could not be brought back.', 'error');
    const stuck = renameBack(change);
    if (stuck) toast(stuck, 'error');
    if (change.openDeleted && files.has(change.openDeleted)) {
      room.open(change.openDeleted);
      room.focusEditor();
    }
  };

  /** Puts renamed files (and made folders) back where they were; a sentence for the first that could not go. */
  const renameBack = ({ renamed, folders }: FileChange): string | null => {
    if (renamed.length === 0) return null;
    let stuck: string | null = null;
    const made = foldersOf(conn.doc);
    conn.doc.transact(() => {
      for (const path of folders.added) made.delete(path);
      for (const path of folders.removed) made.set(path, true);
      for (const { id, from, to } of renamed) {
        try {
          // Renamed again since: that later name stays.
          if (room.pathById.peek().get(id) === to) renameFile(conn.doc, id, from);
        } catch (error) {
          stuck ??= error instanceof FileOpError ? error.message : String(error);
        }
      }
    });
    return stuck;
  };

  const attribute = () => {
    for (const entry of waiting) {
      const who = announcements.whoChanged(idsOf(entry.change));
      if (!who) continue;
      clearTimeout(entry.timer);
      waiting.delete(entry);
      show(entry.change, entry.undo, who);
    }
  };

  const onChange = (change: FileChange) => {
    const { transaction } = change;
    // Now, before Yjs emits the update: the announcement then leaves first, and
    // the others mostly know who it was by the time the change reaches them.
    if (transaction.local) return announceFileChange(conn.awareness, idsOf(change));
    if (transaction.origin !== conn.channel || !conn.synced.peek()) return;
    const undo = change.deleted.length > 0 ? deletions.record(transaction) : null;
    const who = announcements.whoChanged(idsOf(change));
    if (who) return show(change, undo, who);
    const entry: Waiting = {
      change,
      undo,
      timer: setTimeout(() => {
        waiting.delete(entry);
        show(change, undo, null);
      }, NAME_WAIT_MS),
    };
    waiting.add(entry);
  };

  const stops = [
    watchFileChanges(conn.doc, () => ({ paths: room.pathById.peek(), open: room.active.peek() }), onChange),
    announcements.onAnnounce(attribute),
  ];
  return () => {
    for (const stop of stops) stop();
    for (const entry of waiting) clearTimeout(entry.timer);
    announcements.stop();
    deletions.destroy();
  };
}
