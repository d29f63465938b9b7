import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, filesOf, foldersOf, snapshotFiles } from '../../../shared/schema/project.js';
import { createFolder, deleteFile, deleteFolder, renameFile, renameFolder } from '../room/files.js';
import { DeletionUndo, type DeletionKey } from './deletionUndo.js';
import { watchFileChanges, type FileChange } from './fileChanges.js';

const REMOTE = Symbol('remote');

/** Bob's changes reach Alice as the relay's would: one update, applied with the channel's origin. */
function send(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), REMOTE);
}

function pathsById(doc: Y.Doc): Map<string, string> {
  const paths = new Map<string, string>();
  filesOf(doc).forEach((entry, id) => paths.set(id, (entry as Y.Map<string>).get('path')!));
  return paths;
}

/** Alice's page: the file changes she sees, each deletion recorded for undo. */
function watchAlice(alice: Y.Doc, open: string | null) {
  const undo = new DeletionUndo([filesOf(alice), foldersOf(alice)], REMOTE);
  const seen: { change: FileChange; key: DeletionKey | null }[] = [];
  let paths = pathsById(alice);
  alice.on('afterTransaction', () => (paths = pathsById(alice)));
  watchFileChanges(
    alice,
    () => ({ paths, open }),
    (change) => {
      const remote = change.transaction.origin === REMOTE && change.deleted.length > 0;
      seen.push({ change, key: remote ? undo.record(change.transaction) : null });
    },
  );
  return { undo, seen };
}

function pair() {
  const alice = new Y.Doc();
  const bob = new Y.Doc();
  const main = addFile(alice, 'main.py', 'print("hi")\n');
  addFile(alice, 'src/a.py', 'a = 1\n');
  addFile(alice, 'src/lib/b.py', 'b = 2\n');
  createFolder(alice, 'src/empty');
  send(alice, bob);
  return { alice, bob, main };
}

describe('file changes and undoing a deletion', () => {
  it('reads what a transaction deleted and renamed, with the paths from before', () => {
    const { alice, bob, main } = pair();
    const { seen } = watchAlice(alice, main);
    deleteFile(bob, main);
    send(bob, alice);
    renameFolder(bob, 'src', 'app');
    send(bob, alice);
    renameFile(bob, filesOf(bob).keys().next().value!, 'moved.py');
    send(bob, alice);
    const [deleted, folder, file] = seen.map((s) => s.change);
    expect(deleted).toMatchObject({
      deleted: [{ id: main, path: 'main.py' }],
      renamed: [],
      openDeleted: main,
    });
    expect(folder).toMatchObject({
      deleted: [],
      folder: { from: 'src', to: 'app' },
      folders: { removed: ['src/empty'], added: ['app/empty'] },
      openDeleted: null,
    });
    expect(folder!.renamed.map(({ from, to }) => `${from} > ${to}`).sort()).toEqual([
      'src/a.py > app/a.py',
      'src/lib/b.py > app/lib/b.py',
    ]);
    // One file renamed is never taken for a folder.
    expect(file).toMatchObject({ renamed: [{ to: 'moved.py' }], folder: null });
  });

  it("brings back someone else's deletion, text and id, as an edit that syncs back", () => {
    const { alice, bob, main } = pair();
    const { undo, seen } = watchAlice(alice, main);
    // Typed before the deletion, and deleted in part: the file comes back as it last read.
    const text = (filesOf(bob).get(main) as Y.Map<Y.Text>).get('text')!;
    text.insert(0, '# greet\n');
    text.delete(0, 2);
    const before = snapshotFiles(bob)['main.py'];
    send(bob, alice);
    deleteFile(bob, main);
    send(bob, alice);
    deleteFolder(bob, 'src');
    send(bob, alice);
    const [first, second] = seen.filter((s) => s.key);

    // The older deletion alone: the folder stays deleted.
    expect(undo.undo(first!.key!)).toBe(true);
    send(alice, bob);
    expect(snapshotFiles(bob)).toEqual({ 'main.py': before });
    expect(filesOf(bob).has(main)).toBe(true);
    expect(undo.undo(first!.key!)).toBe(false);

    expect(undo.undo(second!.key!)).toBe(true);
    send(alice, bob);
    expect(Object.keys(snapshotFiles(bob)).sort()).toEqual(['main.py', 'src/a.py', 'src/lib/b.py']);
    // The empty folder came back with them.
    expect(foldersOf(bob).has('src/empty')).toBe(true);
  });
});
