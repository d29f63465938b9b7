import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { addBinaryFile, listAllFiles } from '../schema/binary.js';
import { addFile, chatOf, filesOf, snapshotFiles } from '../schema/project.js';
import { ReplayEngine } from './engine.js';
import { SessionRecorder } from './testing.js';

function textOf(doc: Y.Doc, id: string): Y.Text {
  return (filesOf(doc).get(id) as Y.Map<unknown>).get('text') as Y.Text;
}

/** A two-person session; `expected[i]` is what every document held after entry i. */
function recordSession() {
  const session = new SessionRecorder();
  const expected: Record<string, string>[] = [];
  const files: string[] = [];
  const act = (user: string, change: (doc: Y.Doc) => void) => {
    const index = session.act(user, change);
    expect(index).toBe(expected.length);
    expected.push(snapshotFiles(session.doc(user)));
    return index;
  };
  let main = '';
  let util = '';
  act('alice', (doc) => (main = addFile(doc, 'main.py', 'print(1)\n')));
  act('alice', (doc) => textOf(doc, main).insert(9, 'x = 2\n'));
  act('bob', (doc) => (util = addFile(doc, 'util.py', 'def f():\n    pass\n')));
  act('bob', (doc) => (filesOf(doc).get(util) as Y.Map<unknown>).set('path', 'lib/util.py'));
  act('alice', (doc) => textOf(doc, main).delete(0, 9));
  act('alice', (doc) => chatOf(doc).push([{ userId: 'alice', name: 'Alice', text: 'look', at: 5 }]));
  act('bob', (doc) => {
    textOf(doc, util).insert(0, '# helpers\n');
    textOf(doc, main).insert(0, 'import lib.util\n');
  });
  act('bob', (doc) => filesOf(doc).delete(util));
  act('alice', (doc) => addBinaryFile(doc, 'logo.png', Uint8Array.of(137, 80, 78, 71)));
  for (let i = 0; i < 20; i++) act(i % 2 ? 'bob' : 'alice', (doc) => textOf(doc, main).insert(0, `${i}`));
  files.push(main, util);
  return { session, expected, main, util };
}

describe('ReplayEngine', () => {
  const { session, expected, main, util } = recordSession();

  it('seeks to the state after every entry, forwards, backwards and at random', () => {
    for (const options of [{}, { checkpointEntries: 3 }, { checkpointEntries: 1 }, { checkpointBytes: 50 }]) {
      const engine = ReplayEngine.build(session.entries, options);
      expect(engine.length).toBe(expected.length);
      expect(snapshotFiles(engine.seek(-1))).toEqual({});
      for (let i = 0; i < expected.length; i++) expect(snapshotFiles(engine.seek(i))).toEqual(expected[i]);
      for (let i = expected.length - 1; i >= -1; i--)
        expect(snapshotFiles(engine.seek(i))).toEqual(i < 0 ? {} : expected[i]);
      let seed = 7;
      for (let n = 0; n < 60; n++) {
        seed = (seed * 48271) % 2147483647;
        const i = (seed % (expected.length + 1)) - 1;
        expect(snapshotFiles(engine.seek(i))).toEqual(i < 0 ? {} : expected[i]);
        expect(engine.position).toBe(i);
      }
    }
  });

  it('keeps checkpoints as configured and bounds the entries a seek applies', () => {
    const engine = ReplayEngine.build(session.entries, { checkpointEntries: 4 });
    expect(engine.stats.checkpoints).toBe(Math.floor(expected.length / 4));
    expect(engine.maxEntriesPerSeek).toBeLessThanOrEqual(4);
    expect(engine.stats.checkpointBytes).toBeGreaterThan(0);
    const none = ReplayEngine.build(session.entries, {
      checkpointEntries: 10_000,
      checkpointBytes: 10_000_000,
    });
    expect(none.stats.checkpoints).toBe(0);
    expect(snapshotFiles(none.seek(expected.length - 1))).toEqual(expected.at(-1));
  });

  it('steps forward in place for playback, observers seeing each entry arrive', () => {
    const engine = ReplayEngine.build(session.entries);
    const doc = engine.seek(0);
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    for (let i = 1; i < expected.length; i++) {
      expect(engine.step()).toBe(doc);
      expect(snapshotFiles(doc)).toEqual(expected[i]);
    }
    expect(transactions).toBe(expected.length - 1);
    expect(engine.step()).toBe(doc); // at the end: nothing more
    expect(engine.position).toBe(expected.length - 1);
    // A short hop forward stays on the same document; going back makes a new one.
    expect(engine.seek(2)).not.toBe(doc);
    const back = engine.doc;
    expect(engine.seek(3)).toBe(back);
  });

  it('finds entries by time and by seq', () => {
    const engine = ReplayEngine.build(session.entries);
    const { entries } = session;
    expect(engine.indexAt(entries[0]!.at - 1)).toBe(-1);
    for (let i = 0; i < entries.length; i++) {
      expect(engine.indexAt(entries[i]!.at)).toBe(i);
      expect(engine.indexAt(entries[i]!.at + 999)).toBe(i);
      expect(engine.indexOfSeq(entries[i]!.seq)).toBe(i);
    }
    expect(engine.indexAt(Number.MAX_SAFE_INTEGER)).toBe(entries.length - 1);
    expect(engine.indexOfSeq(entries.at(-1)!.seq + 1)).toBe(-1);
  });

  it('refuses a seek outside the log', () => {
    const engine = ReplayEngine.build(session.entries);
    expect(() => engine.seek(-2)).toThrow(/from -1 to/);
    expect(() => engine.seek(expected.length)).toThrow(RangeError);
    expect(() => engine.seek(1.5)).toThrow(RangeError);
    expect(() => engine.step(-1)).toThrow(/count must be a whole number/);
    expect(() => engine.step(0.5)).toThrow(RangeError);
    expect(() => ReplayEngine.build(session.entries, { checkpointEntries: 0 })).toThrow(/checkpointEntries/);
  });

  it('lists what each entry did: files created, edited, renamed, deleted, and chat', () => {
    const engine = ReplayEngine.build(session.entries);
    const events = engine.events.map((e) => ({ author: e.author, files: e.files, chat: e.chat }));
    expect(events[0]).toEqual({
      author: 'alice',
      files: [{ kind: 'created', fileId: main, path: 'main.py' }],
      chat: [],
    });
    expect(events[1]!.files).toEqual([{ kind: 'edited', fileId: main, path: 'main.py' }]);
    expect(events[2]).toMatchObject({ author: 'bob', files: [{ kind: 'created', path: 'util.py' }] });
    expect(events[3]!.files).toEqual([
      { kind: 'renamed', fileId: util, path: 'lib/util.py', from: 'util.py' },
    ]);
    expect(events[5]).toEqual({
      author: 'alice',
      files: [],
      chat: [{ userId: 'alice', name: 'Alice', text: 'look', at: 5 }],
    });
    expect(new Set(events[6]!.files.map((f) => `${f.kind} ${f.path}`))).toEqual(
      new Set(['edited lib/util.py', 'edited main.py']),
    );
    expect(events[7]!.files).toEqual([{ kind: 'deleted', fileId: util, path: 'lib/util.py' }]);
    expect(events[8]!.files).toMatchObject([{ kind: 'created', path: 'logo.png' }]);
    expect(engine.events.map((e) => e.seq)).toEqual(session.entries.map((e) => e.seq));
    expect(engine.events.every((e, i) => e.index === i && e.at === session.entries[i]!.at)).toBe(true);
  });

  it('builds in slices with progress, the same as at once', async () => {
    const progress: number[] = [];
    const engine = await ReplayEngine.buildAsync(session.entries, {
      sliceMs: 0,
      onProgress: ({ done }) => progress.push(done),
    });
    expect(progress.at(-1)).toBe(expected.length);
    expect(engine.events).toEqual(ReplayEngine.build(session.entries).events);
    expect(listAllFiles(engine.seek(expected.length - 1)).map((f) => f.kind)).toEqual(['binary', 'text']);
    const aborted = new AbortController();
    aborted.abort(new Error('closed'));
    await expect(ReplayEngine.buildAsync(session.entries, { signal: aborted.signal })).rejects.toThrow(
      'closed',
    );
  });

  it('names the entry that cannot be applied', () => {
    const broken = session.entries.map((e, i) => (i === 3 ? { ...e, data: Uint8Array.of(1, 2, 200) } : e));
    expect(() => ReplayEngine.build(broken)).toThrow(/entry 3 \(seq \d+\)/);
  });
});
