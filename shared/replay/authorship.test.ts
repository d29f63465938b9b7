import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, filesOf } from '../schema/project.js';
import { Authorship, lineAuthors, UNKNOWN_AUTHOR } from './authorship.js';
import type { ReplayEntry } from './bundle.js';
import { ReplayEngine } from './engine.js';
import { SessionRecorder } from './testing.js';

function firstText(doc: Y.Doc): Y.Text {
  for (const entry of filesOf(doc).values()) return (entry as Y.Map<unknown>).get('text') as Y.Text;
  throw new Error('no file');
}

const authorsOf = (text: Y.Text, authorship: Authorship) =>
  lineAuthors(text, authorship).map((w) => w?.author ?? null);

describe('authorship', () => {
  it('gives a line to whoever wrote on it last, taking turns', () => {
    const session = new SessionRecorder();
    session.act('alice', (doc) => addFile(doc, 'a.txt', ''));
    const type = (user: string, at: number, s: string) =>
      session.act(user, (doc) => firstText(doc).insert(at, s));
    type('alice', 0, 'let x');
    type('bob', 5, ' = 1');
    const doc = session.doc('alice');
    expect(firstText(doc).toString()).toBe('let x = 1');
    expect(authorsOf(firstText(doc), Authorship.fromEntries(session.entries))).toEqual(['bob']);
    type('alice', 9, ';');
    expect(authorsOf(firstText(doc), Authorship.fromEntries(session.entries))).toEqual(['alice']);
    // Bob writes in the middle of the line: his is now the latest character on it.
    type('bob', 3, 'x');
    expect(firstText(doc).toString()).toBe('letx x = 1;');
    expect(authorsOf(firstText(doc), Authorship.fromEntries(session.entries))).toEqual(['bob']);
  });

  it('attributes each line on its own; an empty line goes to whoever wrote its newline', () => {
    const session = new SessionRecorder();
    session.act('alice', (doc) => addFile(doc, 'a.txt', 'one\ntwo\n'));
    session.act('bob', (doc) => firstText(doc).insert(8, '\nthree'));
    session.act('carol', (doc) => firstText(doc).insert(4, 'TWO '));
    const text = firstText(session.doc('alice'));
    expect(text.toString()).toBe('one\nTWO two\n\nthree');
    const authorship = Authorship.fromEntries(session.entries);
    expect(authorsOf(text, authorship)).toEqual(['alice', 'carol', 'bob', 'bob']);
    const lines = lineAuthors(text, authorship);
    expect(lines.map((w) => w?.rank)).toEqual([0, 2, 1, 1]);
    expect(lines[1]!.at).toBe(session.entries[2]!.at);
    // A text ending in a newline has an empty last line nobody wrote.
    session.act('alice', (doc) => firstText(doc).insert(text.length, '\n'));
    expect(lineAuthors(text, Authorship.fromEntries(session.entries)).at(-1)).toBeNull();
  });

  it('maps each client id to the user of the first entry carrying its structs', () => {
    const session = new SessionRecorder();
    session.act('alice', (doc) => addFile(doc, 'a.txt', 'a'));
    session.act('bob', (doc) => firstText(doc).insert(1, 'b'));
    const authorship = Authorship.fromEntries(session.entries);
    expect(authorship.clients).toEqual(
      new Map([
        [session.doc('alice').clientID, 'alice'],
        [session.doc('bob').clientID, 'bob'],
      ]),
    );
    expect(authorship.size).toBe(2);
    expect(authorship.writerOf(session.doc('bob').clientID, 0)).toMatchObject({ author: 'bob', rank: 1 });
    expect(authorship.writerOf(session.doc('bob').clientID, 1)).toBeNull();
    expect(authorship.writerOf(12345, 0)).toBeNull();
  });

  it('attributes update by update when one client id writes for several users (the relay restoring)', () => {
    const relay = new Y.Doc();
    const entries: ReplayEntry[] = [];
    let author = 'system';
    relay.on('update', (data: Uint8Array) =>
      entries.push({ seq: entries.length + 1, at: entries.length, author, data }),
    );
    addFile(relay, 'a.txt', 'seed\n');
    author = 'alice';
    firstText(relay).insert(5, 'restored by alice\n');
    author = 'bob';
    firstText(relay).insert(0, 'restored by bob\n');
    const authorship = Authorship.fromEntries(entries);
    expect(authorsOf(firstText(relay), authorship)).toEqual(['bob', 'system', 'alice', null]);
    expect(authorship.userOfClient(relay.clientID)).toBe('system');
  });

  it('keeps the first writer of clocks that arrive twice, and fills gaps that arrive late', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    addFile(doc, 'a.txt', '');
    firstText(doc).insert(0, 'aaa');
    firstText(doc).insert(3, 'bbb');
    firstText(doc).insert(6, 'ccc');
    // First the file, then a merge of the first and last typing (a gap where "bbb" was), then "bbb", then it all again.
    const withGap = Y.mergeUpdates([updates[1]!, updates[3]!]);
    expect(Y.decodeUpdate(withGap).structs.some((s) => s instanceof Y.Skip)).toBe(true);
    const authorship = new Authorship();
    authorship.add(updates[0]!, 'ann', 1);
    authorship.add(withGap, 'ann', 2);
    authorship.add(updates[2]!, 'ben', 3);
    authorship.add(Y.encodeStateAsUpdate(doc), 'cat', 4);
    const replayed = new Y.Doc();
    Y.applyUpdate(replayed, Y.encodeStateAsUpdate(doc));
    const text = firstText(replayed);
    const { client, clock } = (text._start as Y.Item).id;
    const writers = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => authorship.writerOf(client, clock + i)?.author);
    expect(writers).toEqual(['ann', 'ann', 'ann', 'ben', 'ben', 'ben', 'ann', 'ann', 'ann']);
    expect(authorsOf(text, authorship)).toEqual(['ben']);
    expect(authorship.latestIn(client, clock, clock + 3)?.rank).toBe(1);
  });

  it('takes live updates after the log, naming clients through a lookup (awareness)', () => {
    const session = new SessionRecorder();
    session.act('alice', (doc) => addFile(doc, 'a.txt', 'hello\nworld'));
    const viewer = session.doc('viewer');
    const authorship = Authorship.fromEntries(session.entries);
    const dave = new Y.Doc();
    Y.applyUpdate(dave, Y.encodeStateAsUpdate(viewer));
    const live: Uint8Array[] = [];
    dave.on('update', (u: Uint8Array) => live.push(u));
    firstText(dave).insert(11, '!');
    const awareness = new Map([[dave.clientID, 'dave']]);
    for (const update of live) {
      Y.applyUpdate(viewer, update);
      authorship.addLive(update, 99, (client) => awareness.get(client));
    }
    expect(authorsOf(firstText(viewer), authorship)).toEqual(['alice', 'dave']);
    expect(lineAuthors(firstText(viewer), authorship)[1]).toEqual({ author: 'dave', rank: 1, at: 99 });
    // Later updates of a named client need no lookup; an unnamed one is recorded as unknown.
    firstText(dave).insert(0, '>');
    const stranger = new Y.Doc();
    Y.applyUpdate(stranger, Y.encodeStateAsUpdate(dave));
    stranger.on('update', (u: Uint8Array) => live.push(u));
    firstText(stranger).insert(firstText(stranger).length, '?');
    for (const update of live.slice(1)) {
      Y.applyUpdate(viewer, update);
      authorship.addLive(update, 100);
    }
    expect(firstText(viewer).toString()).toBe('>hello\nworld!?');
    expect(authorsOf(firstText(viewer), authorship)).toEqual(['dave', UNKNOWN_AUTHOR]);
  });

  it('colours a replayed document from the whole log at every point', () => {
    const session = new SessionRecorder();
    session.act('alice', (doc) => addFile(doc, 'a.txt', 'x\ny'));
    session.act('bob', (doc) => firstText(doc).insert(1, 'b'));
    session.act('alice', (doc) => firstText(doc).insert(4, 'a'));
    const engine = ReplayEngine.build(session.entries, { checkpointEntries: 1 });
    const authorship = Authorship.fromEntries(session.entries);
    const at = (i: number) => authorsOf(firstText(engine.seek(i)), authorship);
    expect(at(0)).toEqual(['alice', 'alice']);
    expect(at(1)).toEqual(['bob', 'alice']);
    expect(at(2)).toEqual(['bob', 'alice']);
    expect(at(0)).toEqual(['alice', 'alice']);
  });

  it('refuses bytes that are not an update', () => {
    expect(() => new Authorship().add(Uint8Array.of(1, 2, 3), 'x', 0)).toThrow();
  });
});
