import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { PathError, isValidPath } from './paths.js';
import { addFile, filesOf, findFile, listFiles, newFileId, snapshotFiles } from './project.js';

const ID_A = '0000000000000aaa';
const ID_B = '0000000000000bbb';
const ID_C = '0000000000000ccc';

/** Sends every update of `from` that `to` lacks, both ways. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

function entry(path: unknown, text: unknown): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  map.set('path', path);
  map.set('text', text);
  return map;
}

describe('addFile', () => {
  it('stores a normalised path and the content; returns the id', () => {
    const doc = new Y.Doc();
    const id = addFile(doc, '  src/main.py ', 'print(1)\n');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    const stored = filesOf(doc).get(id) as Y.Map<unknown>;
    expect(stored.get('path')).toBe('src/main.py');
    expect((stored.get('text') as Y.Text).toString()).toBe('print(1)\n');
    expect(listFiles(doc)).toEqual([{ id, path: 'src/main.py', size: 9 }]);
  });

  it('uses the id it is given', () => {
    const doc = new Y.Doc();
    expect(addFile(doc, 'a.txt', '', ID_A)).toBe(ID_A);
    expect(listFiles(doc)).toEqual([{ id: ID_A, path: 'a.txt', size: 0 }]);
  });

  it('throws PathError for a bad path and leaves the document untouched', () => {
    const doc = new Y.Doc();
    for (const bad of ['', '/etc/passwd', '../x', 'a//b', 'a\\b']) {
      expect(() => addFile(doc, bad, 'x')).toThrow(PathError);
    }
    expect(filesOf(doc).size).toBe(0);
  });

  it('makes distinct random ids', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newFileId()));
    expect(ids.size).toBe(200);
  });
});

describe('listFiles', () => {
  it('gives sizes in UTF-8 bytes', () => {
    const doc = new Y.Doc();
    const cases: Record<string, [string, number]> = {
      'ascii.txt': ['hello', 5],
      'latin.txt': ['héllo', 6],
      'cjk.txt': ['中文', 6],
      'emoji.txt': ['a😀b', 6],
      'clef.txt': ['𝄞', 4],
      'family.txt': ['👨‍👩‍👧', 18],
      'empty.txt': ['', 0],
      'nul.txt': ['\u0000', 1],
    };
    for (const [path, [content]] of Object.entries(cases)) addFile(doc, path, content);
    for (const file of listFiles(doc)) {
      const [content, size] = cases[file.path]!;
      expect(file.size, file.path).toBe(size);
      expect(file.size, file.path).toBe(new TextEncoder().encode(content).length);
    }
  });

  it('counts a lone surrogate as the 3-byte replacement character, like TextEncoder', () => {
    const doc = new Y.Doc();
    for (const [path, content] of [
      ['high-then-e.txt', '\ud800é'],
      ['high-then-cjk.txt', '\ud83d中'],
      ['high-at-end.txt', 'a\ud83d'],
      ['low-alone.txt', '\ude00a'],
    ] as const) {
      addFile(doc, path, content);
      expect(listFiles(doc).find((f) => f.path === path)?.size, path).toBe(
        new TextEncoder().encode(content).length,
      );
    }
  });

  it('sorts by path in code-unit order', () => {
    const doc = new Y.Doc();
    const paths = ['src/z.ts', 'README.md', 'src/a.ts', 'a.txt', 'src.txt', 'B.txt', 'src/sub/x.ts'];
    for (const path of paths) addFile(doc, path);
    expect(listFiles(doc).map((f) => f.path)).toEqual([...paths].sort());
  });

  it('skips malformed entries instead of throwing', () => {
    const doc = new Y.Doc();
    const good = addFile(doc, 'good.txt', 'ok');
    const files = filesOf(doc);
    files.set('string', 'not a map');
    files.set('number', 42);
    files.set('null', null);
    files.set('array', new Y.Array());
    files.set('text-type', new Y.Text('x'));
    files.set('plain-object', { path: 'plain.txt', text: 'x' });
    files.set('no-text', entry('no-text.txt', undefined));
    files.set('text-string', entry('text-string.txt', 'plain string'));
    files.set('text-map', entry('text-map.txt', new Y.Map()));
    files.set('no-path', entry(undefined, new Y.Text('x')));
    files.set('path-number', entry(7, new Y.Text('x')));
    for (const [i, bad] of ['../up.txt', '/abs.txt', 'a//b', ' padded.txt', 'a\\b', 'nul\u0000'].entries()) {
      files.set(`bad-path-${i}`, entry(bad, new Y.Text('x')));
    }
    expect(listFiles(doc)).toEqual([{ id: good, path: 'good.txt', size: 2 }]);
    expect(snapshotFiles(doc)).toEqual({ 'good.txt': 'ok' });
    expect(findFile(doc, 'no-text.txt')).toBeNull();
    expect(findFile(doc, '../up.txt')).toBeNull();
  });
});

describe('two files on one path', () => {
  it('lists both; the smaller id keeps the path, the other is numbered', () => {
    const doc = new Y.Doc();
    addFile(doc, 'src/main.py', 'b', ID_B);
    addFile(doc, 'src/main.py', 'a', ID_A);
    expect(listFiles(doc)).toEqual([
      { id: ID_B, path: 'src/main (2).py', size: 1, storedPath: 'src/main.py' },
      { id: ID_A, path: 'src/main.py', size: 1 },
    ]);
    expect(snapshotFiles(doc)).toEqual({ 'src/main.py': 'a', 'src/main (2).py': 'b' });
    expect(findFile(doc, 'src/main.py')?.id).toBe(ID_A);
    expect(findFile(doc, 'src/main (2).py')?.id).toBe(ID_B);
  });

  it('never puts a writer-chosen id into a display path (ids can hold ../ or newlines)', () => {
    const doc = new Y.Doc();
    addFile(doc, 'main.py', 'real', '0');
    addFile(doc, 'main.py', 'evil', 'z/../../../../etc/passwd');
    addFile(doc, 'main.py', 'evil2', 'a\nb\\c');
    const paths = listFiles(doc).map((f) => f.path);
    expect(paths).toEqual(['main (2).py', 'main (3).py', 'main.py']);
    for (const path of Object.keys(snapshotFiles(doc))) expect(isValidPath(path)).toBe(true);
  });

  it('keeps a clash on a 255-character name a valid path', () => {
    const doc = new Y.Doc();
    const long = `${'x'.repeat(251)}.txt`;
    addFile(doc, long, '1', ID_A);
    addFile(doc, long, '2', ID_B);
    for (const path of Object.keys(snapshotFiles(doc))) expect(isValidPath(path)).toBe(true);
  });

  it('gives the same display paths whatever the insertion order', () => {
    const orders = [
      [ID_A, ID_B, ID_C],
      [ID_C, ID_B, ID_A],
      [ID_B, ID_C, ID_A],
    ];
    const results = orders.map((order) => {
      const doc = new Y.Doc();
      for (const id of order) addFile(doc, 'Makefile', id, id);
      return listFiles(doc);
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0]!.map((f) => f.path)).toEqual(['Makefile (2)', 'Makefile (3)', 'Makefile'].sort());
  });

  it('does not let a suffixed path collide with a real file of that name', () => {
    const doc = new Y.Doc();
    addFile(doc, 'a.txt', '1', ID_A);
    addFile(doc, 'a.txt', '2', ID_B);
    addFile(doc, 'a (2).txt', '3', ID_C);
    const paths = listFiles(doc).map((f) => f.path);
    expect(new Set(paths).size).toBe(3);
    expect(findFile(doc, 'a.txt')?.id).toBe(ID_A);
    expect(findFile(doc, 'a (2).txt')?.id).toBe(ID_C);
    expect(Object.values(snapshotFiles(doc)).sort()).toEqual(['1', '2', '3']);
  });

  it('converges on the same listing when two docs create one path concurrently', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    addFile(a, 'main.py', 'from a');
    addFile(b, 'main.py', 'from b');
    sync(a, b);
    const listing = listFiles(a);
    expect(listing).toHaveLength(2);
    expect(listFiles(b)).toEqual(listing);
    expect(snapshotFiles(b)).toEqual(snapshotFiles(a));
    expect(new Set(listing.map((f) => f.path)).size).toBe(2);
    expect(listing.map((f) => f.path)).toContain('main.py');
  });

  it('keeps every display path a valid path even when a writer picks hostile file ids', () => {
    // Any client can write any key into `files`; display paths end up in snapshots the
    // runner writes to disk, so they must stay inside the project.
    const doc = new Y.Doc();
    addFile(doc, 'main.py', 'ok', ID_A);
    for (const hostile of ['z/../../../../etc/passwd', 'z\\..\\..\\x', 'z\nnewline', 'z/', 'z//']) {
      filesOf(doc).set(hostile, entry('main.py', new Y.Text('evil')));
    }
    expect(snapshotFiles(doc)['main.py']).toBe('ok');
    expect(listFiles(doc).filter((file) => !isValidPath(file.path))).toEqual([]);
    expect(Object.keys(snapshotFiles(doc)).filter((path) => !isValidPath(path))).toEqual([]);
  });

  it('keeps display paths valid when the clashing path is already at the length limit', () => {
    const doc = new Y.Doc();
    const longSegment = `${'x'.repeat(250)}.py`;
    addFile(doc, longSegment, '', ID_A);
    addFile(doc, longSegment, '', ID_B);
    expect(listFiles(doc).filter((file) => !isValidPath(file.path))).toEqual([]);
  });
});

describe('a file that is also a folder', () => {
  it('numbers the file, so the whole project can still be written to disk', () => {
    const doc = new Y.Doc();
    addFile(doc, 'same', 'plain file', ID_A);
    addFile(doc, 'same/child.py', 'print(1)', ID_B);
    expect(snapshotFiles(doc)).toEqual({ 'same (2)': 'plain file', 'same/child.py': 'print(1)' });
    expect(listFiles(doc).map((f) => f.path)).toEqual(['same (2)', 'same/child.py']);
    expect(findFile(doc, 'same (2)')?.id).toBe(ID_A);
  });

  it('numbers past a name that is taken already', () => {
    const doc = new Y.Doc();
    addFile(doc, 'a', '1', ID_A);
    addFile(doc, 'a/x', '2', ID_B);
    addFile(doc, 'a (2)', '3', 'c'.repeat(16));
    expect(Object.keys(snapshotFiles(doc)).sort()).toEqual(['a (2)', 'a (3)', 'a/x']);
    expect(snapshotFiles(doc)['a (3)']).toBe('1');
  });
});

describe('stored paths with invisible characters', () => {
  it('stay visible, with the characters spelled out', () => {
    const doc = new Y.Doc();
    // Written the way a writer older than the rule could: straight into the map.
    filesOf(doc).set(ID_A, entry('main.py\u202eyp.exe', new Y.Text('x')));
    expect(listFiles(doc).map((f) => f.path)).toEqual(['main.py[U+202E]yp.exe']);
  });
});

describe('rename', () => {
  it('changing the path keeps concurrent text edits', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const id = addFile(a, 'old.py', 'print(1)\n');
    sync(a, b);

    (filesOf(a).get(id) as Y.Map<unknown>).set('path', 'src/new.py');
    findFile(b, 'old.py')!.text.insert(0, '# typed while renamed\n');
    sync(a, b);

    for (const doc of [a, b]) {
      expect(listFiles(doc).map((f) => f.path)).toEqual(['src/new.py']);
      expect(snapshotFiles(doc)).toEqual({ 'src/new.py': '# typed while renamed\nprint(1)\n' });
      expect(findFile(doc, 'old.py')).toBeNull();
    }
  });
});

describe('findFile and snapshotFiles', () => {
  it('find a file by path and snapshot every text', () => {
    const doc = new Y.Doc();
    const id = addFile(doc, 'src/app.ts', 'let x = 1;');
    addFile(doc, 'README.md', '# hi');
    const found = findFile(doc, 'src/app.ts');
    expect(found?.id).toBe(id);
    found!.text.insert(0, '// ');
    expect(snapshotFiles(doc)).toEqual({ 'README.md': '# hi', 'src/app.ts': '// let x = 1;' });
    expect(findFile(doc, 'missing.ts')).toBeNull();
  });

  it('snapshot of an empty project is empty', () => {
    expect(snapshotFiles(new Y.Doc())).toEqual({});
    expect(listFiles(new Y.Doc())).toEqual([]);
  });
});
