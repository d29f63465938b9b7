/**
 * Room policy, enforced by the relay on live connections: classroom mode (the
 * owner grants and revokes editing), removing a participant, ending the room,
 * renaming it, and the driver/navigator timer. Every change reaches each
 * connection as `roomState` and applies to the very next message it sends.
 */
import Database from 'better-sqlite3';
import { AppendJournal } from '../storage/AppendJournal.js';
import { join, join as joinPath } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { addFile, chatOf, findFile, metaOf } from '../../shared/schema/project.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import {
  attemptUpgrade,
  claimsOf,
  connectSynced,
  frameSyncStep2,
  frameTandem,
  frameUpdate,
  getFileText,
  isAuthDenied,
  isRoomState,
  isTandem,
  RawClient,
  request,
  sleep,
  tokenFromLink,
  waitFor,
  yjsUrl,
  type Frame,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';

const TYPING_INTERVAL_MS = 3;
const TYPING_AFTER_NOTICE_MS = 300;

let relay: RelayProcess;
const peers: Peer[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
});

afterEach(() => {
  for (const peer of peers.splice(0)) peer.destroy();
  for (const raw of raws.splice(0)) raw.terminate();
});

afterAll(async () => {
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

/** The room as its update log in the relay's database file says, read directly. */
/** What the relay has stored of a room: SQLite's log and what its append journal holds yet. */
function storedDoc(roomId: string): Y.Doc {
  const file = join(relay.dataDir, 'tandem.sqlite');
  const db = new Database(file, { readonly: true });
  try {
    const doc = new Y.Doc();
    const rows = db.prepare('SELECT data FROM updates WHERE room_id = ? ORDER BY seq').all(roomId) as {
      data: Buffer;
    }[];
    for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
    for (const record of AppendJournal.read(`${file}.appendlog`))
      if (record.roomId === roomId) Y.applyUpdate(doc, record.data);
    return doc;
  } finally {
    db.close();
  }
}

/**
 * A Tandem client with a document of its own: said hello, synced, and sends every
 * local change as an update (as a browser tab would, without the UI).
 */
async function typist(room: CreatedRoom, token: string): Promise<{ raw: RawClient; doc: Y.Doc }> {
  const raw = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, token));
  raws.push(raw);
  await raw.helloAndSync();
  raw.doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== 'relay') raw.send(frameUpdate(update));
  });
  return { raw, doc: raw.doc };
}

function states(raw: RawClient, from = 0) {
  return raw.frames
    .slice(from)
    .filter(isRoomState)
    .map((f) => f.message);
}

async function latestState(
  raw: RawClient,
  check: (s: ReturnType<typeof states>[number]) => boolean,
  what: string,
) {
  await raw.until(() => {
    const last = states(raw).at(-1);
    return last !== undefined && check(last);
  }, what);
  return states(raw).at(-1)!;
}

const api = (room: CreatedRoom, path = '') => `${relay.url}/api/rooms/${room.roomId}${path}`;

async function setup(kind: 'pair' | 'interview' = 'pair') {
  const room = await createRoom(relay.url, { name: 'policy', kind });
  const studentToken = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Stu' });
  const owner = await connectSynced(relay.wsUrl, room.roomId, room.token);
  peers.push(owner);
  const fileId = addFile(owner.doc, 'main.py', '');
  await waitFor(() => findFile(owner.doc, 'main.py') !== null, 'file created');
  return { room, studentToken, owner, fileId, student: claimsOf(studentToken).uid };
}

describe('classroom mode', () => {
  it('tells each connection the settings and its own edit right after hello', async () => {
    const { room, studentToken } = await setup();
    const { raw } = await typist(room, studentToken);
    const state = await latestState(raw, () => true, 'first roomState');
    expect(state.settings).toMatchObject({ name: 'policy', kind: 'pair', mode: 'open', endedAt: null });
    expect(state).toMatchObject({ canEdit: true, reason: null, notes: false });
  });

  it('a revoked editor typing nonstop: nothing typed after the notice reaches anyone or the database', async () => {
    const { room, studentToken, owner, fileId, student } = await setup();
    expect(
      (await request(api(room), { method: 'PATCH', token: room.token, body: { mode: 'classroom' } })).status,
    ).toBe(200);
    expect(
      (await request(api(room, `/editors/${student}`), { method: 'PUT', token: room.token })).status,
    ).toBe(200);
    const { raw, doc } = await typist(room, studentToken);
    const watcher = await typist(room, room.token);
    await latestState(raw, (s) => s.canEdit, 'edit right granted');
    const text = () => (doc.getMap('files').get(fileId) as Y.Map<unknown>).get('text') as Y.Text;
    await waitFor(() => doc.getMap('files').has(fileId), 'student has the file');

    let typed = 0;
    let typedAtNotice: number | null = null;
    const timer = setInterval(() => {
      text().insert(text().length, typedAtNotice === null ? 'a' : 'Z');
      typed++;
    }, TYPING_INTERVAL_MS);
    try {
      await waitFor(() => owner.doc.getMap('files').size > 0 && typed > 30, 'some typing');
      const revoked = await request(api(room, `/editors/${student}`), {
        method: 'DELETE',
        token: room.token,
      });
      expect(revoked.status).toBe(200);
      const notice = await latestState(raw, (s) => !s.canEdit, 'revocation notice');
      typedAtNotice = typed;
      expect(notice.reason).toMatch(/classroom/);
      await sleep(TYPING_AFTER_NOTICE_MS);
    } finally {
      clearInterval(timer);
    }
    expect(typed).toBeGreaterThan(typedAtNotice!);
    await raw.waitForFrame(isAuthDenied, 'permission denied');
    const refusal = await raw.waitForFrame(isTandem(MessageType.Error), 'read_only error');
    expect(refusal.message.code).toBe(ErrorCode.ReadOnly);

    // Whatever the relay kept is a prefix typed before the notice, never a 'Z'.
    const typedText = text().toString();
    expect(typedText).toContain('Z');
    const ownerText = () => findFile(owner.doc, 'main.py')?.text.toString() ?? '';
    const watched = () => findFile(watcher.doc, 'main.py')?.text.toString() ?? '';
    // The watcher's socket is fenced: anything the relay passed on has arrived there.
    await watcher.raw.fence();
    expect(watched()).not.toContain('Z');
    expect(typedText.startsWith(watched())).toBe(true);
    await waitFor(() => ownerText() === watched(), 'the owner has what the watcher has');
    expect(ownerText()).not.toContain('Z');
    expect(ownerText().length).toBeLessThanOrEqual(typedAtNotice!);
    expect(typedText.startsWith(ownerText())).toBe(true);
    const served = await getFileText(relay.url, room.roomId, room.token, 'main.py');
    expect(served).toBe(ownerText());
    expect(findFile(storedDoc(room.roomId), 'main.py')?.text.toString()).toBe(ownerText());
  });

  it('granting again asks the editor for its state; a client that discarded its refused edits syncs', async () => {
    const { room, studentToken, owner, student } = await setup();
    await request(api(room), { method: 'PATCH', token: room.token, body: { mode: 'classroom' } });
    const { raw, doc } = await typist(room, studentToken);
    await latestState(raw, (s) => !s.canEdit && s.settings.mode === 'classroom', 'read-only in classroom');
    addFile(doc, 'refused.txt', 'refused');
    await raw.waitForFrame(isAuthDenied, 'refused while not granted');
    // What the browser does on a refusal: drop its local copy and start again from the relay's.
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(owner.doc));
    const from = raw.frames.length;
    await request(api(room, `/editors/${student}`), { method: 'PUT', token: room.token });
    await latestState(raw, (s) => s.canEdit && s.settings.editors.includes(student), 'granted');
    const step1 = await raw.waitForFrame(
      (f: Frame): f is Extract<Frame, { kind: 'sync' }> => f.kind === 'sync' && f.step === 0,
      'sync step 1 from the relay',
      { from },
    );
    addFile(fresh, 'granted.txt', 'ok');
    raw.send(frameSyncStep2(Y.encodeStateAsUpdate(fresh, step1.payload)));
    await waitFor(() => findFile(owner.doc, 'granted.txt') !== null, 'granted edit reached the owner');
    expect(findFile(owner.doc, 'refused.txt')).toBeNull();
    expect(findFile(storedDoc(room.roomId), 'refused.txt')).toBeNull();
  });

  it('only the owner changes the mode; bad modes are refused', async () => {
    const { room, studentToken } = await setup();
    const asStudent = await request(api(room), {
      method: 'PATCH',
      token: studentToken,
      body: { mode: 'open' },
    });
    expect(asStudent.status).toBe(403);
    const bad = await request(api(room), { method: 'PATCH', token: room.token, body: { mode: 'lecture' } });
    expect(bad.status).toBe(400);
    const empty = await request(api(room), { method: 'PATCH', token: room.token, body: {} });
    expect(empty.status).toBe(400);
    const badUser = await request(api(room, `/editors/${'x'.repeat(65)}`), {
      method: 'PUT',
      token: room.token,
    });
    expect(badUser.status).toBe(400);
  });
});

describe('owner controls', () => {
  it('lists participants with role, presence and edit right', async () => {
    const { room, studentToken, student } = await setup();
    const viewerToken = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer', name: 'Vi' });
    const { raw } = await typist(room, studentToken);
    await latestState(raw, () => true, 'joined');
    const viewer = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, viewerToken));
    raws.push(viewer);
    viewer.close();
    await viewer.waitClosed();
    const info = await request(api(room), { token: studentToken });
    expect(info.status).toBe(200);
    const body = info.body as {
      you: { userId: string; canEdit: boolean };
      participants: { userId: string; name: string; role: string; online: boolean; canEdit: boolean }[];
    };
    expect(body.you).toMatchObject({ userId: student, canEdit: true });
    const byName = Object.fromEntries(body.participants.map((p) => [p.name, p]));
    expect(byName.Owner).toMatchObject({ role: 'owner', online: true, canEdit: true });
    expect(byName.Stu).toMatchObject({ role: 'editor', online: true, canEdit: true });
    await waitFor(async () => {
      const again = (await request(api(room), { token: room.token })).body as typeof body;
      return again.participants.find((p) => p.name === 'Vi')?.online === false;
    }, 'viewer listed offline');
  });

  it('renames the room: stored, announced live, and copied into the document', async () => {
    const { room, studentToken, owner } = await setup();
    const { raw } = await typist(room, studentToken);
    const renamed = await request(api(room), {
      method: 'PATCH',
      token: room.token,
      body: { name: 'Lesson 3' },
    });
    expect(renamed.status).toBe(200);
    await latestState(raw, (s) => s.settings.name === 'Lesson 3', 'new name announced');
    await waitFor(() => metaOf(owner.doc).get('name') === 'Lesson 3', 'name in the document');
    const info = (await request(api(room), { token: room.token })).body as { settings: { name: string } };
    expect(info.settings.name).toBe('Lesson 3');
  });

  it('removes a participant: their sockets close with 4410, their token no longer joins or reads', async () => {
    const { room, studentToken, student } = await setup();
    const { raw } = await typist(room, studentToken);
    const kicked = await request(api(room, '/kick'), {
      method: 'POST',
      token: room.token,
      body: { userId: student },
    });
    expect(kicked).toMatchObject({ status: 200, body: { closed: 1 } });
    const closed = await raw.waitClosed();
    expect(closed.code).toBe(CloseCode.Removed);
    const again = await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, studentToken));
    expect(again).toMatchObject({ status: 403, opened: false, body: { error: { code: ErrorCode.Removed } } });
    const files = await request(api(room, '/files'), { token: studentToken });
    expect(files.status).toBe(403);
    const info = await request(api(room), { token: studentToken });
    expect(info.status).toBe(403);
    const listed = (await request(api(room), { token: room.token })).body as {
      participants: { userId: string }[];
    };
    expect(listed.participants.map((p) => p.userId)).not.toContain(student);
  });

  it('refuses removing the owner, a bad user id, and anyone but the owner doing it', async () => {
    const { room, studentToken } = await setup();
    const self = await request(api(room, '/kick'), {
      method: 'POST',
      token: room.token,
      body: { userId: claimsOf(room.token).uid },
    });
    expect(self.status).toBe(400);
    expect(
      (await request(api(room, '/kick'), { method: 'POST', token: room.token, body: { userId: 7 } })).status,
    ).toBe(400);
    const byStudent = await request(api(room, '/kick'), {
      method: 'POST',
      token: studentToken,
      body: { userId: claimsOf(room.token).uid },
    });
    expect(byStudent.status).toBe(403);
  });

  it('ending the room makes it read-only for everyone, owner included; fork still works', async () => {
    const { room, studentToken, owner } = await setup();
    const { raw, doc } = await typist(room, studentToken);
    const ownerRaw = await typist(room, room.token);
    const ended = await request(api(room, '/end'), { method: 'POST', token: room.token });
    expect(ended.status).toBe(200);
    for (const client of [raw, ownerRaw.raw]) {
      const state = await latestState(client, (s) => s.settings.endedAt !== null, 'end announced');
      expect(state).toMatchObject({ canEdit: false, reason: expect.stringMatching(/ended/) });
    }
    addFile(doc, 'late.txt', 'too late');
    addFile(ownerRaw.doc, 'owner-late.txt', 'too late');
    await raw.waitForFrame(isAuthDenied, 'student refused');
    await ownerRaw.raw.waitForFrame(isAuthDenied, 'owner refused');
    // Fenced: had the relay passed either on, the other's socket would have it now.
    await ownerRaw.raw.fence();
    await raw.fence();
    expect(findFile(ownerRaw.doc, 'late.txt')).toBeNull();
    expect(findFile(doc, 'owner-late.txt')).toBeNull();
    expect(findFile(owner.doc, 'late.txt')).toBeNull();
    expect(findFile(owner.doc, 'owner-late.txt')).toBeNull();
    const run = await request(api(room, '/runs'), {
      method: 'POST',
      token: room.token,
      body: { language: 'python' },
    });
    expect(run.status).toBe(403);
    const fork = await request(api(room, '/fork'), { method: 'POST', token: studentToken });
    expect(fork.status).toBe(201);
  });
});

describe('driver and navigator', () => {
  it('only the driver edits while the timer holds; stopping it gives the keyboard back', async () => {
    const { room, studentToken, student, owner } = await setup();
    const partnerToken = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Pat' });
    const partner = claimsOf(partnerToken).uid;
    const driver = await typist(room, studentToken);
    const navigator = await typist(room, partnerToken);
    const started = await request(api(room, '/driver'), {
      method: 'PUT',
      token: room.token,
      body: { userIds: [student, partner], minutes: 10 },
    });
    expect(started.status).toBe(200);
    const seen = await latestState(navigator.raw, (s) => s.settings.driver !== null, 'timer announced');
    expect(seen).toMatchObject({ canEdit: false, reason: expect.stringMatching(/navigating/) });
    expect(seen.settings.driver).toMatchObject({ userIds: [student, partner], periodMs: 600_000 });
    await latestState(driver.raw, (s) => s.canEdit && s.settings.driver !== null, 'driver may edit');

    addFile(navigator.doc, 'navigator.txt', 'no');
    addFile(driver.doc, 'driver.txt', 'yes');
    await navigator.raw.waitForFrame(isAuthDenied, 'navigator refused');
    await waitFor(() => findFile(owner.doc, 'driver.txt') !== null, 'driver edit arrives');
    expect(findFile(owner.doc, 'navigator.txt')).toBeNull();

    expect((await request(api(room, '/driver'), { method: 'DELETE', token: room.token })).status).toBe(200);
    await latestState(navigator.raw, (s) => s.canEdit && s.settings.driver === null, 'timer stopped');
    // The navigator's refused edit stays refused: its page starts again from the relay's copy.
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(owner.doc));
    const before = Y.encodeStateVector(fresh);
    addFile(fresh, 'after.txt', 'now yes');
    navigator.raw.send(frameUpdate(Y.encodeStateAsUpdate(fresh, before)));
    await waitFor(() => findFile(owner.doc, 'after.txt') !== null, 'navigator edits after the timer');
    expect(findFile(owner.doc, 'navigator.txt')).toBeNull();
  });

  it('validates the pair and the period', async () => {
    const { room, student } = await setup();
    const owner = claimsOf(room.token).uid;
    const put = (body: unknown) => request(api(room, '/driver'), { method: 'PUT', token: room.token, body });
    expect((await put({ userIds: [student, student], minutes: 5 })).status).toBe(400);
    expect((await put({ userIds: [student], minutes: 5 })).status).toBe(400);
    expect((await put({ userIds: [student, owner], minutes: 0.1 })).status).toBe(400);
    expect((await put({ userIds: [student, owner], minutes: 'ten' })).status).toBe(400);
    expect((await put({ userIds: [student, owner], minutes: 60 * 24 })).status).toBe(400);
    expect((await put({ userIds: [student, owner], minutes: 0.5 })).status).toBe(200);
  });
});

describe('share links', () => {
  const join = (room: CreatedRoom, linkToken: string) =>
    request(api(room, '/join'), { method: 'POST', token: linkToken, body: { name: 'Guest' } });

  it('resetting retires every earlier link; people already in keep their personal tokens', async () => {
    const room = await createRoom(relay.url, { name: 'links' });
    const oldLink = tokenFromLink(room.links.edit);
    expect(claimsOf(oldLink).link).toBe(0);
    const joined = await join(room, oldLink);
    expect(joined.status).toBe(201);
    const personal = (joined.body as { token: string }).token;
    expect(claimsOf(personal).link).toBeUndefined();
    const student = await typist(room, personal);
    const onOldLink = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, oldLink));
    raws.push(onOldLink);

    const byStudent = await request(api(room, '/links/reset'), { method: 'POST', token: personal });
    expect(byStudent.status).toBe(403);
    const reset = await request(api(room, '/links/reset'), { method: 'POST', token: room.token });
    expect(reset).toMatchObject({ status: 200, body: { linkGeneration: 1, closed: 1 } });
    expect((await onOldLink.waitClosed()).code).toBe(CloseCode.Forbidden);

    const again = await join(room, oldLink);
    expect(again).toMatchObject({ status: 403, body: { error: { code: ErrorCode.LinkReplaced } } });
    const upgrade = await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, oldLink));
    expect(upgrade).toMatchObject({
      status: 403,
      opened: false,
      body: { error: { code: ErrorCode.LinkReplaced } },
    });

    // The student who joined through it is still in, and still edits.
    expect(student.raw.isOpen).toBe(true);
    expect((await request(api(room, '/files'), { token: personal })).status).toBe(200);

    const minted = await request(api(room, '/tokens'), {
      method: 'POST',
      token: room.token,
      body: { role: 'editor', link: true },
    });
    const newLink = (minted.body as { token: string }).token;
    expect(claimsOf(newLink).link).toBe(1);
    expect((await join(room, newLink)).status).toBe(201);
    const bad = await request(api(room, '/tokens'), {
      method: 'POST',
      token: room.token,
      body: { role: 'editor', link: 'yes' },
    });
    expect(bad.status).toBe(400);
  });

  it('a removed guest cannot come back through the old link once it is reset', async () => {
    const room = await createRoom(relay.url, { name: 'links' });
    const link = tokenFromLink(room.links.edit);
    const personal = ((await join(room, link)).body as { token: string }).token;
    const uid = claimsOf(personal).uid;
    await request(api(room, '/kick'), { method: 'POST', token: room.token, body: { userId: uid } });
    // Before the reset the link still works, as a new guest: what README warns about.
    expect((await join(room, link)).status).toBe(201);
    await request(api(room, '/links/reset'), { method: 'POST', token: room.token });
    expect((await join(room, link)).status).toBe(403);
  });

  const shortLink = async (room: CreatedRoom, role: string, token = room.token) =>
    request(api(room, '/links'), { method: 'POST', token, body: { role } });
  /** Opens a short link as a browser would, without following the redirect. */
  const open = (url: string) => fetch(url, { redirect: 'manual' });

  it('a short link opens the room with a fresh guest token, until the links are reset', async () => {
    const room = await createRoom(relay.url, { name: 'short' });
    const made = await shortLink(room, 'editor');
    expect(made.status).toBe(201);
    const { code, url } = made.body as { code: string; url: string };
    expect(url).toBe(`${relay.url}/j/${code}`);
    expect(url.length).toBeLessThan(50);
    // The same role gives the same code; another role another.
    expect(((await shortLink(room, 'editor')).body as { code: string }).code).toBe(code);
    const view = ((await shortLink(room, 'viewer')).body as { code: string }).code;
    expect(view).not.toBe(code);

    const opened = await open(url);
    expect(opened.status).toBe(302);
    expect(opened.headers.get('cache-control')).toBe('no-store');
    const location = opened.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/r/${room.roomId}#token=`));
    const linkToken = decodeURIComponent(location.split('#token=')[1]!);
    expect(claimsOf(linkToken)).toMatchObject({ room: room.roomId, role: 'editor', link: 0 });
    // Each opening is a new guest, as with a long link.
    const again = decodeURIComponent((await open(url)).headers.get('location')!.split('#token=')[1]!);
    expect(claimsOf(again).uid).not.toBe(claimsOf(linkToken).uid);
    const personal = await join(room, linkToken);
    expect(personal.status).toBe(201);
    const viewToken = decodeURIComponent(
      (await open(`${relay.url}/j/${view}`)).headers.get('location')!.split('#token=')[1]!,
    );
    expect(claimsOf(viewToken).role).toBe('viewer');

    await request(api(room, '/links/reset'), { method: 'POST', token: room.token });
    // A retired code still leads to the room, whose gate then says the link was replaced.
    const retired = decodeURIComponent((await open(url)).headers.get('location')!.split('#token=')[1]!);
    const refused = await join(room, retired);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toMatch(/replaced/);
    // The long form keeps working, and new short links are new codes.
    const fresh = ((await shortLink(room, 'editor')).body as { code: string }).code;
    expect(fresh).not.toBe(code);
    expect((await open(`${relay.url}/j/${fresh}`)).status).toBe(302);
  });

  it('only the owner makes short links, for share roles only; a made-up code is a plain 404', async () => {
    const room = await createRoom(relay.url, { name: 'short' });
    const personal = ((await join(room, tokenFromLink(room.links.edit))).body as { token: string }).token;
    expect((await shortLink(room, 'editor', personal)).status).toBe(403);
    expect((await shortLink(room, 'owner')).status).toBe(400);
    expect((await shortLink(room, 'interviewer')).status).toBe(400);
    expect((await open(`${relay.url}/j/AAAAAAAAAAA`)).status).toBe(404);
    expect((await open(`${relay.url}/j/${'x'.repeat(500)}`)).status).toBe(404);
    expect((await open(`${relay.url}/j/%3Cscript%3E`)).status).toBe(404);
  });

  it('a stored code whose role was altered in the database opens nothing', async () => {
    const room = await createRoom(relay.url, { name: 'altered' });
    const { code } = (await shortLink(room, 'viewer')).body as { code: string };
    expect((await open(`${relay.url}/j/${code}`)).status).toBe(302);
    const db = new Database(joinPath(relay.dataDir, 'tandem.sqlite'));
    try {
      db.prepare('UPDATE short_links SET role = ? WHERE code = ?').run('owner', code);
    } finally {
      db.close();
    }
    const opened = await open(`${relay.url}/j/${code}`);
    expect(opened.status).toBe(404);
    expect(opened.headers.get('location')).toBeNull();
  });
});

describe('interviews: history and fork, and a muted chat', () => {
  it('only the owner and interviewers see the history and fork, until the owner opens it to everyone', async () => {
    const room = await createRoom(relay.url, { name: 'interview', kind: 'interview' });
    const join = async (link: string) =>
      (
        (
          await request(api(room, '/join'), {
            method: 'POST',
            token: tokenFromLink(link),
            body: { name: 'x' },
          })
        ).body as { token: string }
      ).token;
    const candidate = await join(room.links.edit);
    const observer = await join(room.links.view);
    const interviewer = await join(room.links.interviewer!);
    const history = await request(api(room, '/history'), { token: room.token });
    const seq = (history.body as { entries: { seq: number }[] }).entries.at(-1)!.seq;
    const tries = (token: string) =>
      Promise.all([
        request(api(room, '/history'), { token }).then((a) => a.status),
        request(api(room, '/fork'), { method: 'POST', token, body: {} }).then((a) => a.status),
        request(api(room, '/history/fork'), { method: 'POST', token, body: { seq } }).then((a) => a.status),
      ]);
    for (const token of [candidate, observer]) expect(await tries(token)).toEqual([403, 403, 403]);
    const refused = await request(api(room, '/history'), { token: candidate });
    expect(JSON.stringify(refused.body)).toMatch(/only the owner and interviewers may see its history/);
    // Reading the files is still everyone's.
    expect((await request(api(room, '/files'), { token: candidate })).status).toBe(200);
    for (const token of [room.token, interviewer]) expect(await tries(token)).toEqual([200, 201, 201]);

    const opened = await request(api(room), {
      method: 'PATCH',
      token: room.token,
      body: { historyForAll: true },
    });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ settings: { historyForAll: true, chatMuted: false, mode: 'open' } });
    expect(await tries(candidate)).toEqual([200, 201, 201]);
    expect(
      (await request(api(room), { method: 'PATCH', token: candidate, body: { historyForAll: true } })).status,
    ).toBe(403);
    expect(
      (await request(api(room), { method: 'PATCH', token: room.token, body: { chatMuted: 'yes' } })).status,
    ).toBe(400);
  });

  it('presenting (followOwner) is the owner’s setting, told to everyone in the room state', async () => {
    const { room } = await setup('pair');
    const editor = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Ed' });
    const ed = await typist(room, editor);
    await latestState(ed.raw, (s) => s.settings.followOwner === false, 'off at first');
    const refused = await request(api(room), { method: 'PATCH', token: editor, body: { followOwner: true } });
    expect(refused.status).toBe(403);
    const bad = await request(api(room), {
      method: 'PATCH',
      token: room.token,
      body: { followOwner: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'bad_request', message: '"followOwner" must be true or false' },
    });
    const on = await request(api(room), { method: 'PATCH', token: room.token, body: { followOwner: true } });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ settings: { followOwner: true, chatMuted: false } });
    await latestState(ed.raw, (s) => s.settings.followOwner, 'presenting in the room state');
  });

  it('a muted chat takes posts from the owner and interviewers only, and says so to the others', async () => {
    const { room, owner } = await setup('interview');
    const candidate = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Cand' });
    const interviewer = await mintToken(relay.url, room.roomId, room.token, {
      role: 'interviewer',
      name: 'Ivy',
    });
    const muted = await request(api(room), { method: 'PATCH', token: room.token, body: { chatMuted: true } });
    expect(muted.status).toBe(200);
    const cand = await typist(room, candidate);
    const ivy = await typist(room, interviewer);
    await latestState(cand.raw, (s) => s.settings.chatMuted, 'the muted chat in the room state');
    cand.raw.send(frameTandem({ type: MessageType.ChatSend, text: 'can I ask?' }));
    const error = await cand.raw.waitForFrame(isTandem(MessageType.Error), 'the refusal');
    expect(error.message).toMatchObject({ code: ErrorCode.ChatClosed, message: 'the owner muted the chat' });
    ivy.raw.send(frameTandem({ type: MessageType.ChatSend, text: 'one moment' }));
    await waitFor(() => chatOf(owner.doc).length === 1, 'the interviewer’s post');
    expect(chatOf(owner.doc).get(0)).toMatchObject({ name: 'Ivy', text: 'one moment' });
    await request(api(room), { method: 'PATCH', token: room.token, body: { chatMuted: false } });
    await latestState(cand.raw, (s) => !s.settings.chatMuted, 'the chat open again');
    cand.raw.send(frameTandem({ type: MessageType.ChatSend, text: 'can I ask now?' }));
    await waitFor(() => chatOf(owner.doc).length === 2, 'the candidate’s post');
  });
});
