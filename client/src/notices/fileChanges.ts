/**
 * What each transaction did to the project's file list: the files it deleted
 * and the files it renamed or moved (a change of an entry's `path`).
 *
 * Read on `beforeObserverCalls`: the change is in the document but no observer
 * has run yet, so the room's signals still tell how things were before it (each
 * file's path, the file in front of this person). Once the observers have run,
 * a deleted file's path is gone and its tab already closed.
 */
import * as Y from 'yjs';
import { filesOf, foldersOf } from '../../../shared/schema/project.js';

export interface FileChange {
  deleted: { id: string; path: string }[];
  renamed: { id: string; from: string; to: string }[];
  /** The folder renamed or moved, when that is what every rename was. */
  folder: { from: string; to: string } | null;
  /** Made folders (`folders` keys) it removed and added: a folder rename moves them along. */
  folders: { removed: string[]; added: string[] };
  /** The deleted file that was open in this page, if one was. */
  openDeleted: string | null;
  transaction: Y.Transaction;
}

export interface BeforeChange {
  /** Display path of every file, by id. */
  paths: ReadonlyMap<string, string>;
  /** The file in front of this person. */
  open: string | null;
}

/** Calls `onChange` for every transaction that deleted or renamed a file; returns the stop. */
export function watchFileChanges(
  doc: Y.Doc,
  before: () => BeforeChange,
  onChange: (change: FileChange) => void,
): () => void {
  const files = filesOf(doc);
  const madeFolders = foldersOf(doc);
  const read = (transaction: Y.Transaction) => {
    // Typing changes one Y.Text: this loop is all a keystroke costs.
    let keys: Set<string | null> | undefined;
    let folderKeys: Set<string | null> | undefined;
    const movedEntries = new Set<unknown>();
    for (const [type, changed] of transaction.changed) {
      if ((type as unknown) === files) keys = changed;
      else if ((type as unknown) === madeFolders) folderKeys = changed;
      else if (type.parent === files && changed.has('path')) movedEntries.add(type);
    }
    if (!keys && movedEntries.size === 0) return;
    const { paths, open } = before();
    const deleted: FileChange['deleted'] = [];
    for (const id of keys ?? []) {
      const path = id === null ? undefined : paths.get(id);
      if (id !== null && path !== undefined && !files.has(id)) deleted.push({ id, path });
    }
    const renamed: FileChange['renamed'] = [];
    if (movedEntries.size > 0) {
      files.forEach((entry, id) => {
        if (!movedEntries.has(entry) || !(entry instanceof Y.Map)) return;
        const from = paths.get(id);
        const to: unknown = entry.get('path');
        if (from !== undefined && typeof to === 'string' && to !== from) renamed.push({ id, from, to });
      });
    }
    if (deleted.length === 0 && renamed.length === 0) return;
    const openDeleted = deleted.some((file) => file.id === open) ? open : null;
    const folder = renamed.length > 1 ? folderRenamed(renamed) : null;
    const folders: FileChange['folders'] = { removed: [], added: [] };
    for (const path of folderKeys ?? []) {
      if (path !== null) folders[madeFolders.has(path) ? 'added' : 'removed'].push(path);
    }
    onChange({ deleted, renamed, folder, folders, openDeleted, transaction });
  };
  doc.on('beforeObserverCalls', read);
  return () => doc.off('beforeObserverCalls', read);
}

/** The folder every file moved out of and into, when one folder was renamed or moved. */
function folderRenamed(renamed: FileChange['renamed']): FileChange['folder'] {
  const { from, to } = renamed[0]!;
  // The shortest folder that explains the first file, then checked against the rest.
  for (let slash = from.indexOf('/'); slash > 0; slash = from.indexOf('/', slash + 1)) {
    const rest = from.slice(slash);
    if (!to.endsWith(rest) || to.length === rest.length) continue;
    const folder = { from: from.slice(0, slash), to: to.slice(0, -rest.length) };
    const moved = (file: { from: string; to: string }) =>
      file.from.startsWith(`${folder.from}/`) && file.to === folder.to + file.from.slice(folder.from.length);
    if (renamed.every(moved)) return folder;
  }
  return null;
}
