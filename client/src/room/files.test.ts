import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, listFiles } from '../../../shared/schema/project.js';
import { createFile, deleteFolder, FileOpError, landingFile, renameFile, renameFolder } from './files.js';

const paths = (doc: Y.Doc) => listFiles(doc).map((f) => f.path);

describe('where someone joining lands', () => {
  const files = (...paths: string[]) => paths.map((path, i) => ({ id: `f${i}`, path }));
  it('on the entry file, else a usual starting file at the top, else the first file', () => {
    const project = files('lib/helpers.py', 'main.py', 'tests/test_main.py');
    expect(landingFile(project, 'tests/test_main.py')?.path).toBe('tests/test_main.py');
    expect(landingFile(project, undefined)?.path).toBe('main.py');
    expect(landingFile(project, 'gone.py')?.path).toBe('main.py');
    expect(landingFile(files('lib/a.py', 'lib/b.py'), null)?.path).toBe('lib/a.py');
    expect(landingFile([], 'main.py')).toBeUndefined();
  });
});

describe('file operations', () => {
  it('creates files and refuses a taken path or a file used as a folder', () => {
    const doc = new Y.Doc();
    createFile(doc, 'src/a.py');
    expect(() => createFile(doc, 'src/a.py')).toThrow(FileOpError);
    expect(() => createFile(doc, 'src')).toThrow(/is a folder/);
    expect(() => createFile(doc, 'src/a.py/b.py')).toThrow(/not a folder/);
    expect(() => createFile(doc, '../x')).toThrow(/Invalid name/);
  });

  it('renames a folder by rewriting paths only, so concurrent typing survives', () => {
    const alice = new Y.Doc();
    const id = addFile(alice, 'src/main.py', 'print(1)\n');
    addFile(alice, 'src/lib/util.py', '');
    addFile(alice, 'srcs.txt', '');
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));

    renameFolder(alice, 'src', 'app');
    ((bob.getMap('files').get(id) as Y.Map<unknown>).get('text') as Y.Text).insert(0, '# bob\n');
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob));

    expect(paths(alice)).toEqual(['app/lib/util.py', 'app/main.py', 'srcs.txt']);
    expect(paths(bob)).toEqual(paths(alice));
    const text = (alice.getMap('files').get(id) as Y.Map<unknown>).get('text') as Y.Text;
    expect(text.toString()).toBe('# bob\nprint(1)\n');
  });

  it('refuses to move a folder into itself or onto a taken path', () => {
    const doc = new Y.Doc();
    addFile(doc, 'a/x.txt', '');
    addFile(doc, 'b/y.txt', '');
    expect(() => renameFolder(doc, 'a', 'a/inner')).toThrow(/into itself/);
    expect(() => renameFolder(doc, 'a', 'b')).toThrow(/already exists/);
  });

  it('two concurrent renames of one file converge to one path', () => {
    const alice = new Y.Doc();
    const id = addFile(alice, 'main.py', '');
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    renameFile(alice, id, 'a.py');
    renameFile(bob, id, 'b.py');
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob));
    expect(paths(alice)).toEqual(paths(bob));
    expect(paths(alice)).toHaveLength(1);
  });

  it('keeps both files when two people create the same path at once', () => {
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    createFile(alice, 'notes.md', 'from alice');
    createFile(bob, 'notes.md', 'from bob');
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob));
    expect(paths(alice)).toHaveLength(2);
    expect(paths(alice)).toEqual(paths(bob));
  });

  it('deletes a folder and everything under it, nothing else', () => {
    const doc = new Y.Doc();
    addFile(doc, 'a/x.txt', '');
    addFile(doc, 'a/b/y.txt', '');
    addFile(doc, 'ab.txt', '');
    deleteFolder(doc, 'a');
    expect(paths(doc)).toEqual(['ab.txt']);
  });
});
