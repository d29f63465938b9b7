/**
 * Well-formed updates that would break a room, sent to a real relay by an
 * editor: a chain of 8,000 nested maps and the delete of its root (Yjs recurses
 * out of stack), thousands of updates whose dependencies never arrive, a room
 * grown past its size limit, chat entries posing as someone else, file names
 * with direction overrides. Each is refused or held with a clear reason; the
 * room, its log, its history and its next load stay exactly as they were.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { addFile, chatOf, filesOf } from '../../shared/schema/project.js';
import { danglingInsertUpdate, deleteOnlyUpdate, nestedMapsUpdate } from '../../shared/sync/testing.js';
import { SqliteStorage } from '../storage/SqliteStorage.js';
import {
  claimsOf,
  connectSynced,
  frameSyncStep1,
  frameTandem,
  frameUpdate,
  getFiles,
  health,
  isAuthDenied,
  isTandem,
  RawClient,
  request,
  snapshot,
  tokenFromLink,
  updateAddingFile,
  waitFor,
  yjsUrl,
  type Peer,
} from './clients.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import { MessageType } from '../../shared/protocol/table.js';

const MALLORY_CLIENT = 77;

interface HistoryBundle {
  entries: { seq: number; author: string; update: string }[];
}

async function history(relay: RelayProcess, roomId: string, token: string): Promise<HistoryBundle> {
  const response = await request(`${relay.url}/api/rooms/${roomId}/history`, { token });
  expect(response.status).toBe(200);
  return response.body as HistoryBundle;
}

async function restart(relay: RelayProcess, env: Record<string, string> = {}): Promise<RelayProcess> {
  await relay.stop();
  return startRelay({ dataDir: relay.dataDir, port: relay.port, env });
}

/** Everything a person would use of a room answers: files, history, a fork, a fresh join. */
async function roomWorks(relay: RelayProcess, room: CreatedRoom, expected: Record<string, string>) {
  await getFiles(relay.url, room.roomId, room.token);
  await history(relay, room.roomId, room.token);
  const fork = await request(`${relay.url}/api/rooms/${room.roomId}/fork`, {
    method: 'POST',
    token: room.token,
    body: {},
  });
  expect(fork.status).toBe(201);
  const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
  try {
    expect(snapshot(fresh.doc)).toEqual(expected);
  } finally {
    fresh.destroy();
  }
}

describe('a chain of 8,000 nested maps, then the delete of its root', () => {
  let relay: RelayProcess;
  let room: CreatedRoom;
  let mallory: string;
  let bystander: Peer;
  let before: Record<string, string>;

  beforeAll(async () => {
    relay = await startRelay();
    room = await createRoom(relay.url, { template: 'python' });
    mallory = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Mallory' });
    bystander = await connectSynced(relay.wsUrl, room.roomId, room.token);
    before = snapshot(bystander.doc);
  });

  afterAll(async () => {
    bystander?.destroy();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('refuses the chain with 4422 and its reason, and the room never holds any of it', async () => {
    const chain = nestedMapsUpdate(8000, MALLORY_CLIENT);
    expect(chain.byteLength).toBeGreaterThan(60_000);
    const attacker = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, mallory));
    attacker.send(frameUpdate(chain));
    const close = await attacker.waitClosed();
    expect(close.code).toBe(CloseCode.UpdateRefused);
    expect(close.reason).toMatch(/update refused: shared types nested deeper than 32 levels/);

    // The delete of its root waits for a chain that never comes; it changes nothing.
    const second = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, mallory));
    second.send(frameUpdate(deleteOnlyUpdate(MALLORY_CLIENT, 0, 1)));
    second.send(frameSyncStep1());
    await second.waitForFrame(
      (f) => f.kind === 'sync' && f.step === 1,
      'the relay to answer after the delete',
    );
    second.close();

    expect(filesOf(bystander.doc).has('x')).toBe(false);
    expect(snapshot(bystander.doc)).toEqual(before);
    const authors = (await history(relay, room.roomId, room.token)).entries.map((e) => e.author);
    expect(authors).not.toContain(claimsOf(mallory).uid);
    await roomWorks(relay, room, before);
  });

  it('loads the same room after a restart', async () => {
    bystander.destroy();
    relay = await restart(relay);
    await roomWorks(relay, room, before);
    bystander = await connectSynced(relay.wsUrl, room.roomId, room.token);
  });
});

describe('when Yjs itself fails while applying (the nesting limit raised for the test)', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_MAX_TYPE_DEPTH: '100000', TANDEM_ROOM_IDLE_UNLOAD_MS: '200' } });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('the half-applied delete is dropped with the room; everyone reconnects to the state of the log', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const mallory = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Mallory' });
    const bystander = await connectSynced(relay.wsUrl, room.roomId, room.token);
    const attacker = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, mallory));
    attacker.send(frameUpdate(nestedMapsUpdate(8000, MALLORY_CLIENT)));
    await waitFor(() => filesOf(bystander.doc).has('x'), 'the chain to reach the bystander');
    const logged = (await history(relay, room.roomId, room.token)).entries.length;

    let reconnected = 0;
    bystander.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected') reconnected++;
    });
    attacker.send(frameUpdate(deleteOnlyUpdate(MALLORY_CLIENT, 0, 1)));
    const close = await attacker.waitClosed();
    expect(close).toEqual({ code: CloseCode.MalformedMessage, reason: 'update could not be applied' });
    await waitFor(() => reconnected > 0 && bystander.provider.synced, 'the bystander to reconnect and sync');

    // Nothing of the delete was stored or served: the chain is still there for everyone.
    expect((await history(relay, room.roomId, room.token)).entries).toHaveLength(logged);
    const fresh = await connectSynced(relay.wsUrl, room.roomId, room.token);
    expect(filesOf(fresh.doc).has('x')).toBe(true);
    expect(snapshot(fresh.doc)).toEqual(snapshot(bystander.doc));
    const expected = snapshot(fresh.doc);
    fresh.destroy();
    bystander.destroy();

    // Unloaded (snapshotted) and loaded again, after a restart too.
    await waitFor(async () => (await health(relay.url)).body.rooms === 0, 'the room to unload');
    relay = await restart(relay, { TANDEM_MAX_TYPE_DEPTH: '100000' });
    await roomWorks(relay, room, expected);
  });
});

describe('a room whose stored snapshot no longer loads', () => {
  let relay: RelayProcess;

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('is rebuilt from its log, the entry that cannot be applied quarantined, and opens as usual', async () => {
    relay = await startRelay();
    const room = await createRoom(relay.url, { template: 'python' });
    const template = snapshot((await connectSynced(relay.wsUrl, room.roomId, room.token)).doc);
    await relay.stop();

    // What a relay before the update inspection could leave behind: the chain in the log
    // and a snapshot holding the half-applied delete of its root, which is in no entry.
    const file = `${relay.dataDir}/tandem.sqlite`;
    const storage = await SqliteStorage.open(file);
    const edit = new Y.Doc();
    for (const entry of await storage.readLog(room.roomId, 0, 100)) Y.applyUpdate(edit, entry.data);
    const sv = Y.encodeStateVector(edit);
    addFile(edit, 'notes.md', 'kept\n');
    const [chainSeq, editSeq] = await storage.appendUpdates(room.roomId, [
      { at: 1, author: 'mallory', data: nestedMapsUpdate(8000, MALLORY_CLIENT) },
      { at: 2, author: 'alice', data: Y.encodeStateAsUpdate(edit, sv) },
    ]);
    const log = (await storage.readLog(room.roomId, 0, 100)).map((e) => e.data);
    const bad = Y.mergeUpdates([...log, deleteOnlyUpdate(MALLORY_CLIENT, 0, 1)]);
    expect(() => Y.applyUpdate(new Y.Doc(), bad)).toThrow(RangeError); // the room is broken today
    await storage.saveSnapshot(room.roomId, editSeq!, bad);
    await storage.close();

    relay = await startRelay({ dataDir: relay.dataDir, port: relay.port });
    const expected = { ...template, 'notes.md': 'kept\n' };
    await roomWorks(relay, room, expected);
    await relay.stop();

    const after = await SqliteStorage.open(file);
    expect((await after.listQuarantined(room.roomId)).map((e) => e.seq)).toEqual([chainSeq]);
    const state = await after.loadState(room.roomId);
    expect(state.snapshotSeq).toBe(editSeq);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, state.snapshot!);
    expect(filesOf(reloaded).has('x')).toBe(false);
    await after.close();
    relay = await startRelay({ dataDir: relay.dataDir, port: relay.port });
    await roomWorks(relay, room, expected);
  });
});

describe('a flood of updates whose dependencies never arrive', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay();
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('holds them without storing or sending them, then closes the sender past the budget', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const mallory = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Mallory' });
    const bystander = await connectSynced(relay.wsUrl, room.roomId, room.token);
    const logged = (await history(relay, room.roomId, room.token)).entries.length;
    const attacker = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, mallory));
    await attacker.hello();

    // 5,000 tiny updates: held, within the room's budget.
    for (let i = 0; i < 5_000; i++) attacker.send(frameUpdate(danglingInsertUpdate(1_000 + i, 999_999, 5)));
    attacker.send(frameTandem({ type: MessageType.SyncStatus, counter: 1 }));
    await waitFor(
      async () => (await health(relay.url)).body.heldUpdateBytes > 50_000,
      'the updates to be held',
    );
    // Their sender's status waits for them; a real edit from someone else goes through meanwhile.
    const other = await connectSynced(relay.wsUrl, room.roomId, room.token);
    addFile(other.doc, 'during.txt', 'still here\n');
    await waitFor(() => snapshot(bystander.doc)['during.txt'] === 'still here\n', 'an edit during the flood');
    expect(attacker.frames.some((f) => isTandem(MessageType.SyncStatus)(f))).toBe(false);

    // 6,000 more: past 10,000 structs, the biggest holder (the attacker) is closed.
    for (let i = 0; i < 6_000; i++) attacker.send(frameUpdate(danglingInsertUpdate(9_000 + i, 999_999, 5)));
    const close = await attacker.waitClosed();
    expect(close.code).toBe(CloseCode.UpdatesWaiting);
    expect(close.reason).toMatch(/waiting for changes the relay never received/);
    await waitFor(
      async () => (await health(relay.url)).body.heldUpdateBytes === 0,
      'the held updates dropped',
    );

    // None of it was stored, or reached anyone.
    const entries = (await history(relay, room.roomId, room.token)).entries;
    expect(entries).toHaveLength(logged + 1);
    const clients = [...Y.decodeStateVector(Y.encodeStateVector(bystander.doc)).keys()];
    expect(clients.filter((client) => client >= 1_000 && client < 15_000)).toEqual([]);
    expect(bystander.doc.store.pendingStructs).toBeNull();
    other.destroy();
    bystander.destroy();
  });

  it('applies a held update once what it waits for arrives, and only then echoes its status', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const alice = await connectSynced(relay.wsUrl, room.roomId, room.token);
    // Bob builds on a file of Alice's that has not reached the relay yet.
    const early = new Y.Doc();
    Y.applyUpdate(early, Y.encodeStateAsUpdate(alice.doc));
    const sv = Y.encodeStateVector(early);
    const id = addFile(early, 'late.txt', 'from alice');
    const aliceUpdate = Y.encodeStateAsUpdate(early, sv);
    const bobDoc = new Y.Doc();
    Y.applyUpdate(bobDoc, Y.encodeStateAsUpdate(early));
    const bobSv = Y.encodeStateVector(bobDoc);
    ((filesOf(bobDoc).get(id) as Y.Map<Y.Text>).get('text') as Y.Text).insert(0, 'bob: ');
    const bobUpdate = Y.encodeStateAsUpdate(bobDoc, bobSv);

    const bob = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await bob.hello();
    bob.send(frameUpdate(bobUpdate));
    bob.send(frameTandem({ type: MessageType.SyncStatus, counter: 7 }));
    const carrier = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    carrier.send(frameUpdate(aliceUpdate));
    await bob.waitForFrame(
      (f) => isTandem(MessageType.SyncStatus)(f),
      'bob’s status, once his edit is stored',
    );
    await waitFor(() => snapshot(alice.doc)['late.txt'] === 'bob: from alice', 'both edits at alice');
    expect(alice.doc.store.pendingStructs).toBeNull();
    bob.close();
    carrier.close();
    alice.destroy();
  });
});

describe('the size of a room', () => {
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_MAX_DOCUMENT_BYTES: String(64 * 1024) } });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('refuses what would pass TANDEM_MAX_DOCUMENT_BYTES with document_too_large; deleting makes room', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const bystander = await connectSynced(relay.wsUrl, room.roomId, room.token);
    const writer = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await writer.hello();
    const big = 'y'.repeat(40 * 1024);
    const first = updateAddingFile('first.txt', big, bystander.doc);
    writer.send(frameUpdate(first));
    await waitFor(() => snapshot(bystander.doc)['first.txt'] === big, 'the first big file');

    writer.send(frameUpdate(updateAddingFile('second.txt', big, bystander.doc)));
    const error = await writer.waitForFrame(
      (f) => isTandem(MessageType.Error)(f) && f.message.code === ErrorCode.DocumentTooLarge,
      'document_too_large',
    );
    expect((error as { message: { message: string } }).message.message).toMatch(/size limit \(0\.1 MiB\)/);
    expect(writer.frames.some(isAuthDenied)).toBe(true);
    expect(writer.isOpen).toBe(true);
    // A small file from someone else is a fence: it arrives, the refused one never did.
    const small = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    small.send(frameUpdate(updateAddingFile('small.txt', 'ok', bystander.doc)));
    await waitFor(() => snapshot(bystander.doc)['small.txt'] === 'ok', 'the small file');
    expect(snapshot(bystander.doc)['second.txt']).toBeUndefined();

    // Deleting always goes through, and frees the room.
    const id = [...filesOf(bystander.doc).keys()].find(
      (key) => (filesOf(bystander.doc).get(key) as Y.Map<unknown>).get('path') === 'first.txt',
    )!;
    filesOf(bystander.doc).delete(id);
    await waitFor(async () => {
      const files = await getFiles(relay.url, room.roomId, room.token);
      return !files.some((f) => f.path === 'first.txt');
    }, 'the delete to be stored');
    const third = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    third.send(frameUpdate(updateAddingFile('third.txt', 'z'.repeat(20 * 1024), bystander.doc)));
    await waitFor(
      () => snapshot(bystander.doc)['third.txt']?.length === 20 * 1024,
      'a file after the delete',
    );
    for (const client of [writer, small, third]) client.close();
    bystander.destroy();
  });
});

describe('chat and file names', () => {
  let relay: RelayProcess;
  let room: CreatedRoom;
  let bystander: Peer;

  beforeAll(async () => {
    relay = await startRelay();
    room = await createRoom(relay.url, { template: 'python', kind: 'interview', ownerName: 'Interviewer' });
    bystander = await connectSynced(relay.wsUrl, room.roomId, room.token);
  });

  afterAll(async () => {
    bystander?.destroy();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  let opened: Peer[] = [];
  afterEach(() => {
    for (const peer of opened) peer.destroy();
    opened = [];
  });

  it('a candidate writing a chat entry as the interviewer is closed with 4422; nobody sees it', async () => {
    const candidate = await joinAs(tokenFromLink(room.links.edit), 'Candidate');
    const interviewerId = claimsOf(room.token).uid;
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      candidate.provider.on('connection-close', (event: { code: number; reason: string } | null) => {
        if (event) resolve({ code: event.code, reason: event.reason });
      }),
    );
    chatOf(candidate.doc).push([
      { userId: interviewerId, name: 'Interviewer', text: 'you are hired', at: 1 },
    ]);
    expect(await closed).toEqual({
      code: CloseCode.UpdateRefused,
      reason: 'update refused: chat entries must carry your own user id',
    });
    const entries = (await history(relay, room.roomId, room.token)).entries;
    expect(entries.map((e) => e.author)).not.toContain(claimsOf(candidate.token).uid);
    expect(chatOf(bystander.doc).length).toBe(0);
  });

  it('chat goes through the relay, stamped with the sender, for viewers too', async () => {
    const viewer = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer', name: 'Observer' });
    const raw = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, viewer));
    await raw.hello();
    raw.send(frameTandem({ type: MessageType.ChatSend, text: '  a question  ' }));
    await waitFor(() => chatOf(bystander.doc).length === 1, 'the chat entry');
    expect(chatOf(bystander.doc).get(0)).toMatchObject({
      userId: claimsOf(viewer).uid,
      name: 'Observer',
      text: 'a question',
    });
    // A flood is cut after a burst.
    for (let i = 0; i < 30; i++) raw.send(frameTandem({ type: MessageType.ChatSend, text: `spam ${i}` }));
    await raw.waitForFrame(
      (f) => isTandem(MessageType.Error)(f) && f.message.code === ErrorCode.RateLimited,
      'rate_limited',
    );
    expect(chatOf(bystander.doc).length).toBeLessThan(20);
    raw.close();
  });

  it('a file name with a direction override is refused with 4422 and never listed', async () => {
    const editor = await joinAs(tokenFromLink(room.links.edit), 'Editor');
    const closed = new Promise<number>((resolve) =>
      editor.provider.on('connection-close', (event: { code: number } | null) => resolve(event?.code ?? 0)),
    );
    const entry = new Y.Map<unknown>();
    entry.set('path', 'invoice\u202Etxt.exe');
    entry.set('text', new Y.Text('x'));
    filesOf(editor.doc).set('spoof', entry);
    expect(await closed).toBe(CloseCode.UpdateRefused);
    const files = await getFiles(relay.url, room.roomId, room.token);
    expect(files.map((f) => f.path)).not.toContain('invoice\u202Etxt.exe');
  });

  async function joinAs(link: string, name: string): Promise<Peer & { token: string }> {
    const response = await request(`${relay.url}/api/rooms/${room.roomId}/join`, {
      method: 'POST',
      token: link,
      body: { name },
    });
    const { token } = response.body as { token: string };
    const peer = await connectSynced(relay.wsUrl, room.roomId, token, { maxBackoffTime: 60_000 });
    opened.push(peer);
    return { ...peer, token };
  }
});
