import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { FileChange, FileOp } from '../../shared/protocol/table.js';
import { addFile, filesOf, snapshotFiles } from '../../shared/schema/project.js';
import { FileMirror, sha256 } from './FileMirror.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const limits = { filesMax: 100, hasRoomFor: () => true };

function setup(files: Record<string, string>) {
  const doc = new Y.Doc();
  for (const [path, text] of Object.entries(files)) addFile(doc, path, text);
  const sent: FileOp[][] = [];
  const mirror = new FileMirror(doc, (ops) => sent.push(ops), 1);
  mirror.start();
  return { doc, sent, mirror };
}

const put = (path: string, text: string, base = ''): FileChange => ({
  op: 'put',
  path,
  data: bytes(text),
  base,
  why: '',
});
const del = (path: string, base: string): FileChange => ({
  op: 'del',
  path,
  data: new Uint8Array(),
  base,
  why: '',
});

describe('FileMirror', () => {
  it('sends every file at start, then only what changed', () => {
    const { doc, sent, mirror } = setup({ 'a.py': 'a', 'b/c.py': 'c' });
    expect(sent[0]!.map((op) => [op.op, op.path])).toEqual([
      ['put', 'a.py'],
      ['put', 'b/c.py'],
    ]);
    (filesOf(doc).get([...filesOf(doc).keys()][0]!) as Y.Map<unknown>).get('text');
    addFile(doc, 'd.py', 'd');
    mirror.flush();
    expect(sent[1]!.map((op) => [op.op, op.path])).toEqual([['put', 'd.py']]);
    // Typing into one file: that file alone, with its new text.
    const cText = [...filesOf(doc).values()]
      .map((entry) => entry as Y.Map<unknown>)
      .find((entry) => entry.get('path') === 'b/c.py')!
      .get('text') as Y.Text;
    cText.insert(1, '!');
    mirror.flush();
    expect(sent[2]!.map((op) => [op.op, op.path, new TextDecoder().decode(op.data)])).toEqual([
      ['put', 'b/c.py', 'c!'],
    ]);
    mirror.stop();
  });

  it('a move in the container moves the room’s entry; deleting it afterwards deletes it', () => {
    const { doc, sent, mirror } = setup({ 'made.txt': 'x\n' });
    const [id] = [...filesOf(doc).keys()];
    mirror.apply(doc, [del('made.txt', sha256(bytes('x\n'))), put('moved.txt', 'x\n')], limits);
    expect((filesOf(doc).get(id!) as Y.Map<unknown>).get('path')).toBe('moved.txt');
    mirror.flush();
    expect(sent.slice(1)).toEqual([]);
    mirror.apply(doc, [del('moved.txt', sha256(bytes('x\n')))], limits);
    expect(snapshotFiles(doc)).toEqual({});
    mirror.flush();
    expect(sent.slice(1)).toEqual([]);
    mirror.stop();
  });

  it('a delete of a file the room edited since is not applied; the room’s version goes back', () => {
    const { doc, sent, mirror } = setup({ 'a.txt': 'one\n' });
    const [id] = [...filesOf(doc).keys()];
    ((filesOf(doc).get(id!) as Y.Map<unknown>).get('text') as Y.Text).insert(0, 'typed ');
    mirror.apply(doc, [del('a.txt', sha256(bytes('one\n')))], limits);
    expect(snapshotFiles(doc)).toEqual({ 'a.txt': 'typed one\n' });
    mirror.flush();
    expect(sent.at(-1)!.map((op) => [op.op, op.path, new TextDecoder().decode(op.data)])).toEqual([
      ['put', 'a.txt', 'typed one\n'],
    ]);
    mirror.stop();
  });

  it('merges a container change into typing the container has not seen', () => {
    const { doc, sent, mirror } = setup({ 'r.py': 'a = 1\nb = 2\n' });
    const [id] = [...filesOf(doc).keys()];
    ((filesOf(doc).get(id!) as Y.Map<unknown>).get('text') as Y.Text).insert(12, 'c = 3\n');
    mirror.apply(doc, [put('r.py', 'a = 100\nb = 2\n', sha256(bytes('a = 1\nb = 2\n')))], limits);
    expect(snapshotFiles(doc)).toEqual({ 'r.py': 'a = 100\nb = 2\nc = 3\n' });
    mirror.flush();
    expect(new TextDecoder().decode(sent.at(-1)![0]!.data)).toBe('a = 100\nb = 2\nc = 3\n');
    mirror.stop();
  });

  it('keeps ignored paths, paths a room cannot hold and files past the cap out, with notices', () => {
    const { doc, mirror } = setup({ '.gitignore': '*.log\n' });
    const notices = mirror.apply(
      doc,
      [
        put('x.log', '1'),
        put('node_modules/a/i.js', '2'),
        put('bad\u0000name', '3'),
        put('ok.txt', '4'),
        put('more.txt', '5'),
      ],
      { filesMax: 2, hasRoomFor: () => true },
    );
    expect(snapshotFiles(doc)).toEqual({ '.gitignore': '*.log\n', 'ok.txt': '4' });
    expect(notices.join('\n')).toMatch(/not a path a room can hold/);
    expect(notices.join('\n')).toMatch(/1 more file than a room keeps \(2\)/);
    mirror.stop();
  });
});
