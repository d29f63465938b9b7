import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addBinaryFile, listAllFiles, readBinary } from './binary.js';
import { addFile, chatOf, filesOf, snapshotFiles } from './project.js';
import { replaceText, restoreProject } from './restore.js';

function textOf(doc: Y.Doc, id: string): Y.Text {
  return (filesOf(doc).get(id) as Y.Map<unknown>).get('text') as Y.Text;
}

function copy(doc: Y.Doc): Y.Doc {
  const other = new Y.Doc();
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
  return other;
}

/** Every file with its kind and content, by id. */
function contents(doc: Y.Doc) {
  return listAllFiles(doc).map((f) => ({
    ...f,
    content: f.kind === 'text' ? textOf(doc, f.id).toString() : Array.from(readBinary(doc, f.id)!),
  }));
}

/** A project, its state at `past`, and a present that moved on: edits, a rename, a deletion, new files. */
function history() {
  const doc = new Y.Doc();
  const main = addFile(doc, 'main.py', 'def add(a, b):\n    return a + b\n');
  const util = addFile(doc, 'util.py', 'X = 1\n');
  const logo = addBinaryFile(doc, 'logo.png', Uint8Array.of(1, 2, 3));
  chatOf(doc).push(['before']);
  const past = copy(doc);
  textOf(doc, main).insert(15, '    """Adds."""\n');
  textOf(doc, main).delete(4, 3);
  (filesOf(doc).get(main) as Y.Map<unknown>).set('path', 'src/main.py');
  filesOf(doc).delete(util);
  addFile(doc, 'new.py', 'print()\n');
  (filesOf(doc).get(logo) as Y.Map<unknown>).set('bytes', Uint8Array.of(9));
  chatOf(doc).push(['after']);
  return { doc, past, main, util, logo };
}

describe('restoreProject', () => {
  it('makes the files equal to the past, by id, leaving chat alone', () => {
    const { doc, past, main, util } = history();
    const summary = restoreProject(doc, past);
    expect(contents(doc)).toEqual(contents(past));
    expect(snapshotFiles(doc)).toEqual(snapshotFiles(past));
    expect(summary).toEqual({ files: 3, created: 1, deleted: 1, changed: 2 });
    expect(filesOf(doc).has(main) && filesOf(doc).has(util)).toBe(true);
    expect(chatOf(doc).toArray()).toEqual(['before', 'after']);
    expect(restoreProject(doc, past)).toEqual({ files: 3, created: 0, deleted: 0, changed: 0 });
  });

  it('is one update another replica can merge: it then holds the past files too', () => {
    const { doc, past } = history();
    const third = copy(doc);
    const before = Y.encodeStateVector(doc);
    restoreProject(doc, past);
    Y.applyUpdate(third, Y.encodeStateAsUpdate(doc, before));
    expect(contents(third)).toEqual(contents(past));
  });

  it('merges with an edit made concurrently elsewhere, without losing it', () => {
    const { doc, past, main } = history();
    const other = copy(doc);
    textOf(other, main).insert(0, '# concurrent\n');
    restoreProject(doc, past);
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other)));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)));
    expect(snapshotFiles(doc)).toEqual(snapshotFiles(other));
    expect(snapshotFiles(doc)['main.py']).toBe(`# concurrent\n${snapshotFiles(past)['main.py']}`);
  });

  it('keeps the characters that did not change (their ids and authors)', () => {
    const { doc, past, main } = history();
    const text = textOf(doc, main);
    const firstItem = text._start!;
    restoreProject(doc, past);
    expect(text._start).toBe(firstItem);
    expect(firstItem.deleted).toBe(false);
  });

  it('re-creates a file whose kind changed, and drops entries of the wrong shape', () => {
    const doc = new Y.Doc();
    const id = addFile(doc, 'a.txt', 'text');
    filesOf(doc).set('junk', 42);
    const past = new Y.Doc();
    addBinaryFile(past, 'a.txt', Uint8Array.of(7), id);
    filesOf(past).set('junk2', 'not a file');
    expect(restoreProject(doc, past)).toEqual({ files: 1, created: 0, deleted: 1, changed: 1 });
    expect(contents(doc)).toEqual(contents(past));
    expect([...filesOf(doc).keys()]).toEqual([id]);
  });

  it('restores an empty project by deleting every file', () => {
    const { doc } = history();
    restoreProject(doc, new Y.Doc());
    expect(filesOf(doc).size).toBe(0);
    expect(chatOf(doc).length).toBe(2);
  });
});

describe('replaceText', () => {
  const cases: [string, string][] = [
    ['hello world', 'hello there world'],
    ['abc', ''],
    ['', 'abc'],
    ['aaaa', 'aa'],
    ['same', 'same'],
    ['x😀y', 'x😁y'],
    ['😀😀', '😀'],
    ['a😀', 'a😁'],
    ['x😀!', 'x\u{10600}!'],
    ['line1\nline2\n', 'line1\nchanged\nline2\n'],
  ];
  it.each(cases)('turns %j into %j touching only the middle', (from, to) => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    text.insert(0, from);
    let deltas = 0;
    text.observe((event) => (deltas += event.delta.length));
    expect(replaceText(text, to)).toBe(from !== to);
    expect(text.toString()).toBe(to);
    expect(text.toString()).not.toContain('\ufffd');
    if (from === to) expect(deltas).toBe(0);
  });
});
