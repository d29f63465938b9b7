/**
 * History through a real relay: a session typed by real providers comes back
 * from GET /history as a replay bundle that seeks to exactly what was typed at
 * each step; restore writes an earlier state over the live document as one new
 * log entry; fork-from-history starts an independent room; bad requests get
 * clear errors.
 */
import Database from 'better-sqlite3';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { Authorship, lineAuthors } from '../../shared/replay/authorship.js';
import { readReplayBundle, type ReplayBundle } from '../../shared/replay/bundle.js';
import { ReplayEngine } from '../../shared/replay/engine.js';
import { addFile, chatOf, filesOf, snapshotFiles } from '../../shared/schema/project.js';
import {
  claimsOf,
  connectSynced,
  isTandem,
  RawClient,
  yjsUrl,
  getFiles,
  getFileText,
  request,
  sleep,
  waitConverged,
  waitFor,
  type JsonResponse,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';

let relay: RelayProcess;
const peers: Peer[] = [];

async function join(roomId: string, token: string): Promise<Peer> {
  const peer = await connectSynced(relay.wsUrl, roomId, token);
  peers.push(peer);
  return peer;
}

function textAt(doc: Y.Doc, path: string): Y.Text {
  for (const entry of filesOf(doc).values()) {
    const map = entry as Y.Map<unknown>;
    if (map.get('path') === path) return map.get('text') as Y.Text;
  }
  throw new Error(`no file ${path}`);
}

function idOf(doc: Y.Doc, path: string): string {
  for (const [id, entry] of filesOf(doc)) if ((entry as Y.Map<unknown>).get('path') === path) return id;
  throw new Error(`no file ${path}`);
}

async function fetchHistory(roomId: string, token: string): Promise<ReplayBundle> {
  const response = await fetch(`${relay.url}/api/rooms/${roomId}/history`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return readReplayBundle(await response.text());
}

const post = (path: string, token: string | undefined, body: unknown): Promise<JsonResponse> =>
  request(`${relay.url}${path}`, { method: 'POST', token, body });

/** The seq of the room's first snapshot, read from the relay's database file once there is one. */
async function waitForSnapshot(roomId: string): Promise<number> {
  let seq: number | undefined;
  await waitFor(() => {
    const db = new Database(joinPath(relay.dataDir, 'tandem.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT min(seq) AS seq FROM snapshots WHERE room_id = ?').get(roomId) as {
        seq: number | null;
      };
      seq = row.seq ?? undefined;
    } finally {
      db.close();
    }
    return seq !== undefined;
  }, 'a snapshot stored');
  return seq!;
}

function errorOf(response: JsonResponse): { code: string; message: string } {
  return (response.body as { error: { code: string; message: string } }).error;
}

interface Step {
  /** A moment after the step was stored and before the next began. */
  at: number;
  files: Record<string, string>;
}

/** A recorded session: Ann and Ben edit, a viewer watches (it only gets what the relay stored). */
const session = {
  roomId: '',
  owner: '',
  ann: '',
  ben: '',
  viewer: '',
  steps: [] as Step[],
  annPeer: undefined as Peer | undefined,
  watcher: undefined as Peer | undefined,
};

beforeAll(async () => {
  relay = await startRelay();
  const room = await createRoom(relay.url, { name: 'Lesson' });
  session.roomId = room.roomId;
  session.owner = room.token;
  session.ann = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Ann' });
  session.ben = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Ben' });
  session.viewer = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer', name: 'Vi' });
  const ann = await join(room.roomId, session.ann);
  const ben = await join(room.roomId, session.ben);
  const watcher = await join(room.roomId, session.viewer);
  session.annPeer = ann;
  session.watcher = watcher;

  const step = async (peer: Peer, change: (doc: Y.Doc) => void) => {
    change(peer.doc);
    // The relay stores an update before it forwards it: once the viewer has it, it is in the log.
    await waitConverged([peer.doc, watcher.doc, ann.doc, ben.doc]);
    await sleep(5);
    session.steps.push({ at: Date.now(), files: snapshotFiles(peer.doc) });
    await sleep(5);
  };
  await step(ann, (doc) => addFile(doc, 'main.py', 'print("hello")\n'));
  for (const line of ['x = 1\n', 'y = x + 1\n']) {
    for (const char of line) {
      const text = textAt(ann.doc, 'main.py');
      text.insert(text.length, char);
      await sleep(2);
    }
    await step(ann, () => {});
  }
  await step(ann, (doc) => addFile(doc, 'util.py', 'def f():\n    return 1\n'));
  await step(ben, (doc) =>
    (filesOf(doc).get(idOf(doc, 'util.py')) as Y.Map<unknown>).set('path', 'lib/util.py'),
  );
  await step(ann, (doc) =>
    chatOf(doc).push([{ userId: claimsOf(session.ann).uid, name: 'Ann', text: 'done?', at: 1 }]),
  );
  await step(ben, (doc) => textAt(doc, 'main.py').insert(0, 'import lib.util\n'));
  await step(ann, (doc) => filesOf(doc).delete(idOf(doc, 'lib/util.py')));
});

afterAll(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

describe('GET /api/rooms/:roomId/history', () => {
  it('replays the session: seeking to each step gives exactly the files typed by then', async () => {
    const bundle = await fetchHistory(session.roomId, session.viewer);
    expect(bundle.room).toEqual({ id: session.roomId, name: 'Lesson' });
    const engine = ReplayEngine.build(bundle.entries, { checkpointEntries: 4 });
    for (const [i, step] of session.steps.entries()) {
      const index = engine.indexAt(step.at);
      expect(snapshotFiles(engine.seek(index)), `step ${i}`).toEqual(step.files);
    }
    // Before the first step: the room as created (the empty template).
    expect(snapshotFiles(engine.seek(engine.indexAt(session.steps[0]!.at) - 1))).toEqual({});
    // Typing character by character left one entry per flush, not one per step.
    expect(bundle.entries.length).toBeGreaterThan(session.steps.length + 5);
  });

  it('names who did what: timeline events, users and line authors', async () => {
    const bundle = await fetchHistory(session.roomId, session.ann);
    const ann = claimsOf(session.ann).uid;
    const ben = claimsOf(session.ben).uid;
    expect(bundle.users[ann]).toEqual({ name: 'Ann' });
    expect(bundle.users[ben]).toEqual({ name: 'Ben' });
    expect(bundle.users.system).toEqual({ name: 'system' });
    expect(bundle.entries[0]!.author).toBe('system');
    const engine = ReplayEngine.build(bundle.entries);
    const did = engine.events.flatMap((e) => [
      ...e.files.map(
        (f) => `${bundle.users[e.author]!.name} ${f.kind} ${f.path}${f.from ? ` from ${f.from}` : ''}`,
      ),
      ...e.chat.map((m) => `${bundle.users[e.author]!.name} chat ${m.name}: ${m.text}`),
    ]);
    expect(did.filter((line) => !line.includes(' edited '))).toEqual([
      'Ann created main.py',
      'Ann created util.py',
      'Ben renamed lib/util.py from util.py',
      'Ann chat Ann: done?',
      'Ann deleted lib/util.py',
    ]);
    expect(did).toContain('Ben edited main.py');
    const authorship = Authorship.fromEntries(bundle.entries);
    const doc = engine.seek(engine.length - 1);
    expect(
      lineAuthors(textAt(doc, 'main.py'), authorship).map((w) => w && bundle.users[w.author]!.name),
    ).toEqual(['Ben', 'Ann', 'Ann', 'Ann', null]);
  });

  it('refuses without a token of the room', async () => {
    const other = await createRoom(relay.url);
    const url = `${relay.url}/api/rooms/${session.roomId}/history`;
    expect((await request(url)).status).toBe(401);
    const wrong = await request(url, { token: other.token });
    expect(wrong.status).toBe(403);
    expect(errorOf(wrong).code).toBe('forbidden');
    expect((await request(`${relay.url}/api/rooms/nope/history`, { token: other.token })).status).toBe(403);
  });

  it('reads a long log page by page', async () => {
    const room = await createRoom(relay.url);
    const typist = await join(room.roomId, room.token);
    addFile(typist.doc, 'long.txt', '');
    const text = textAt(typist.doc, 'long.txt');
    for (let i = 0; i < 1300; i++) {
      text.insert(text.length, String.fromCharCode(97 + (i % 26)));
      await sleep(1);
    }
    await waitFor(
      async () => (await getFileText(relay.url, room.roomId, room.token, 'long.txt')) === text.toString(),
      'all typing stored',
    );
    const bundle = await fetchHistory(room.roomId, room.token);
    expect(bundle.entries.length).toBeGreaterThan(1000);
    const engine = ReplayEngine.build(bundle.entries);
    expect(snapshotFiles(engine.seek(engine.length - 1))).toEqual({ 'long.txt': text.toString() });

    // Past TANDEM_COMPACT_AFTER_UPDATES (1000) the relay stores a snapshot; going back to a
    // point at, just before or just after it starts from the snapshot or the log, and agrees.
    const snapshotSeq = await waitForSnapshot(room.roomId);
    for (const char of 'tail') {
      text.insert(text.length, char);
      await sleep(5);
    }
    await waitFor(
      async () => (await getFileText(relay.url, room.roomId, room.token, 'long.txt')) === text.toString(),
      'the tail stored',
    );
    const later = await fetchHistory(room.roomId, room.token);
    const replay = ReplayEngine.build(later.entries);
    const at = later.entries.findIndex((entry) => entry.seq === snapshotSeq);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(later.entries.length - 1);
    for (const index of [at - 1, at, at + 1, later.entries.length - 1]) {
      const seq = later.entries[index]!.seq;
      const fork = await post(`/api/rooms/${room.roomId}/history/fork`, room.token, { seq });
      expect(fork.status).toBe(201);
      const { roomId, token } = fork.body as { roomId: string; token: string };
      const expected = snapshotFiles(replay.seek(index))['long.txt'];
      expect(await getFileText(relay.url, roomId, token, 'long.txt')).toBe(expected);
    }
  }, 60_000);
});

describe('POST /api/rooms/:roomId/restore', () => {
  const path = () => `/api/rooms/${session.roomId}/restore`;

  it('writes an earlier state over the live files as one new entry; the log only grows', async () => {
    const before = await fetchHistory(session.roomId, session.viewer);
    const engine = ReplayEngine.build(before.entries);
    const target = session.steps[1]!;
    const seq = before.entries[engine.indexAt(target.at)]!.seq;

    // Someone with the room open is told who restored it and what changed.
    const told = await RawClient.connect(yjsUrl(relay.wsUrl, session.roomId, session.viewer));
    await told.hello();
    const response = await post(path(), session.ann, { seq });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ restoredTo: seq, files: 1 });
    const notice = await told.waitForFrame(isTandem(MessageType.Restored), 'the restore notice');
    const { created, deleted, changed } = response.body as {
      created: number;
      deleted: number;
      changed: number;
    };
    expect(notice.message).toEqual({
      type: MessageType.Restored,
      userId: claimsOf(session.ann).uid,
      name: claimsOf(session.ann).name,
      restoredTo: seq,
      created,
      deleted,
      changed,
    });
    const { annPeer, watcher } = session;
    await waitFor(
      () => JSON.stringify(snapshotFiles(watcher!.doc)) === JSON.stringify(target.files),
      'restored',
    );
    await waitFor(
      () => JSON.stringify(snapshotFiles(annPeer!.doc)) === JSON.stringify(target.files),
      'restored',
    );
    expect(chatOf(watcher!.doc).length).toBe(1); // chat is not history's to undo

    const after = await fetchHistory(session.roomId, session.viewer);
    expect(after.entries.slice(0, before.entries.length)).toEqual(before.entries);
    const added = after.entries.slice(before.entries.length);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      seq: (response.body as { seq: number }).seq,
      author: claimsOf(session.ann).uid,
    });
    const replayed = ReplayEngine.build(after.entries);
    expect(snapshotFiles(replayed.seek(replayed.length - 1))).toEqual(target.files);

    // Restoring to where the project already is changes and stores nothing.
    const again = await post(path(), session.ben, { seq });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ restoredTo: seq, seq: null, created: 0, deleted: 0, changed: 0 });
    expect((await fetchHistory(session.roomId, session.viewer)).entries).toHaveLength(after.entries.length);
    // A restore that changed nothing is not announced.
    await told.fence();
    expect(told.frames.filter(isTandem(MessageType.Restored))).toHaveLength(1);
    told.close();
  });

  it('refuses viewers, strangers and seqs that are not in the log', async () => {
    const bundle = await fetchHistory(session.roomId, session.viewer);
    const seq = bundle.entries[1]!.seq;
    const viewer = await post(path(), session.viewer, { seq });
    expect(viewer.status).toBe(403);
    expect(errorOf(viewer)).toEqual({
      code: 'read_only',
      message:
        'you cannot edit this room now (read-only: this link can view the room but not edit it), so you cannot restore it',
    });
    expect((await post(path(), undefined, { seq })).status).toBe(401);
    const other = await createRoom(relay.url);
    expect((await post(path(), other.token, { seq })).status).toBe(403);

    const head = bundle.entries.at(-1)!.seq;
    const otherSeq = (await fetchHistory(other.roomId, other.token)).entries[0]!.seq;
    const bad: [unknown, RegExp][] = [
      [{ seq: head + 1000 }, new RegExp(`seq ${head + 1000} is not an entry of this room's log`)],
      [{ seq: otherSeq }, /is not an entry of this room's log/],
      [{}, /"seq" is required/],
      [{ seq: '3' }, /"seq" must be a whole number/],
      [{ seq: 0 }, /"seq" must be a whole number from 1/],
      [{ seq: 2.5 }, /"seq" must be a whole number/],
      [[seq], /body must be a JSON object/],
    ];
    for (const [body, message] of bad) {
      const response = await post(path(), session.ann, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(response).message).toMatch(message);
    }
    const malformed = await request(`${relay.url}${path()}`, {
      method: 'POST',
      token: session.ann,
      rawBody: '{"seq":',
    });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).message).toBe('body is not valid JSON');
    expect((await fetchHistory(session.roomId, session.viewer)).entries).toHaveLength(bundle.entries.length);
  });
});

describe('POST /api/rooms/:roomId/history/fork', () => {
  const path = () => `/api/rooms/${session.roomId}/history/fork`;

  it('starts a room of the caller with the files as of that seq, independent afterwards', async () => {
    const bundle = await fetchHistory(session.roomId, session.viewer);
    const engine = ReplayEngine.build(bundle.entries);
    const target = session.steps[4]!; // util.py renamed into lib/
    const seq = bundle.entries[engine.indexAt(target.at)]!.seq;

    const told = await RawClient.connect(yjsUrl(relay.wsUrl, session.roomId, session.ann));
    await told.hello();
    const response = await post(path(), session.viewer, { seq, name: 'Before the delete' });
    expect(response.status).toBe(201);
    // The room is told who copied it, and from which entry.
    const notice = await told.waitForFrame(isTandem(MessageType.Forked), 'the fork notice');
    expect(notice.message).toMatchObject({ userId: claimsOf(session.viewer).uid, name: 'Vi', atSeq: seq });
    told.close();
    const fork = response.body as { roomId: string; token: string; links: { edit: string; view: string } };
    expect(claimsOf(fork.token)).toMatchObject({ room: fork.roomId, role: 'owner', name: 'Vi' });
    expect((await getFiles(relay.url, fork.roomId, fork.token)).map((f) => f.path)).toEqual(
      Object.keys(target.files).sort(),
    );
    for (const [file, text] of Object.entries(target.files))
      expect(await getFileText(relay.url, fork.roomId, fork.token, file)).toBe(text);
    const forkHistory = await fetchHistory(fork.roomId, fork.token);
    expect(forkHistory.room.name).toBe('Before the delete');
    expect(forkHistory.entries).toHaveLength(1);

    const student = await join(fork.roomId, fork.token);
    textAt(student.doc, 'lib/util.py').insert(0, '# only in the fork\n');
    await waitFor(
      async () => (await getFileText(relay.url, fork.roomId, fork.token, 'lib/util.py')).startsWith('# only'),
      'fork edit stored',
    );
    expect(Object.keys(snapshotFiles(session.watcher!.doc))).not.toContain('lib/util.py');
    const untouched = await fetchHistory(session.roomId, session.viewer);
    expect(untouched.entries).toHaveLength(bundle.entries.length);
  });

  it('names the fork after the room by default, and refuses bad requests', async () => {
    const seq = (await fetchHistory(session.roomId, session.viewer)).entries[0]!.seq;
    const unnamed = await post(path(), session.ann, { seq });
    expect(unnamed.status).toBe(201);
    const fork = unnamed.body as { roomId: string; token: string };
    expect((await fetchHistory(fork.roomId, fork.token)).room.name).toBe('Lesson (from history)');
    expect(await getFiles(relay.url, fork.roomId, fork.token)).toEqual([]);

    expect((await post(path(), undefined, { seq })).status).toBe(401);
    const missing = await post(path(), session.ann, { name: 'x' });
    expect(missing.status).toBe(400);
    expect(errorOf(missing).message).toMatch(/"seq" is required/);
    const far = await post(path(), session.ann, { seq: 10 ** 12 });
    expect(far.status).toBe(400);
    expect(errorOf(far).message).toMatch(/is not an entry of this room's log/);
    expect((await post(path(), session.ann, { seq, name: '' })).status).toBe(400);
  });
});
