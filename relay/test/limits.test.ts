/**
 * Every limit is configurable and enforced: message size (1009), connections
 * per room (429 before the upgrade), send buffer (slow readers dropped with
 * 4530), ping/pong timeout, and idle room unload (which loses nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, CloseReason } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { addFile } from '../../shared/schema/project.js';
import { createRoom, mintToken, removeDataDir, startRelay, type RelayProcess } from './harness.js';
import {
  appendTo,
  attemptUpgrade,
  connectPeer,
  connectSynced,
  frameSyncStep1,
  frameTandem,
  frameUpdate,
  getFiles,
  health,
  isTandem,
  RawClient,
  snapshot,
  textById,
  updateAddingFile,
  waitFor,
  WAIT_MS,
  yjsUrl,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';

// The send buffer cap is above the largest message: a single legal message must
// not be enough to drop a reader.
const MAX_MESSAGE_BYTES = 128 * 1024;
const MAX_CONNECTIONS = 3;
const SEND_BUFFER_MAX_BYTES = 256 * 1024;
/** After the relay closes a socket, the time it has to read its backlog (the relay's default is 2 s). */
const CLOSE_GRACE_MS = 8_000;

describe('message size, room size and send buffer', () => {
  let relay: RelayProcess;
  const peers: Peer[] = [];
  const raws: RawClient[] = [];

  beforeAll(async () => {
    relay = await startRelay({
      env: {
        TANDEM_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
        TANDEM_MAX_CONNECTIONS_PER_ROOM: String(MAX_CONNECTIONS),
        TANDEM_SEND_BUFFER_MAX_BYTES: String(SEND_BUFFER_MAX_BYTES),
        // A stalled reader here catches up only once the test resumes it, on a loaded machine.
        TANDEM_CLOSE_GRACE_MS: String(CLOSE_GRACE_MS),
      },
    });
  });

  afterAll(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    for (const raw of raws.splice(0)) raw.terminate();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  async function raw(roomId: string, token: string): Promise<RawClient> {
    const client = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, token));
    raws.push(client);
    return client;
  }

  it('a frame just under TANDEM_MAX_MESSAGE_BYTES is accepted; one just over closes with 1009', async () => {
    const room = await createRoom(relay.url, {});
    const watcher = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(watcher);
    const writer = await raw(room.roomId, room.token);
    writer.send(frameSyncStep1());
    await writer.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2');

    const big = 'b'.repeat(MAX_MESSAGE_BYTES - 4096);
    const under = frameUpdate(updateAddingFile('big.txt', big, writer.doc));
    expect(under.length).toBeLessThan(MAX_MESSAGE_BYTES);
    writer.send(under);
    await waitFor(() => snapshot(watcher.doc)['big.txt']?.length === big.length, 'the big file to arrive');
    expect(writer.isOpen).toBe(true);

    const over = frameUpdate(updateAddingFile('too-big.txt', 'o'.repeat(MAX_MESSAGE_BYTES), writer.doc));
    expect(over.length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    writer.send(over);
    const close = await writer.waitClosed();
    expect(close.code).toBe(CloseCode.MessageTooLarge);
    expect(snapshot(watcher.doc)['too-big.txt']).toBeUndefined();
    expect((await health(relay.url)).status).toBe(200);
  });

  it('a full room refuses the next viewer with 429 room_full before the upgrade; a freed seat is reusable', async () => {
    const room = await createRoom(relay.url, {});
    const viewer = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer' });
    const seated = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => raw(room.roomId, viewer)));
    const refused = await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, viewer));
    expect(refused.opened).toBe(false);
    expect(refused.messages).toBe(0);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: ErrorCode.RoomFull, message: expect.any(String) } });

    // other rooms are not affected
    const other = await createRoom(relay.url, {});
    const elsewhere = await raw(other.roomId, other.token);
    expect(elsewhere.isOpen).toBe(true);

    // a seat freed is a seat available again
    seated[0]!.close();
    await seated[0]!.waitClosed();
    let reseated: RawClient | null = null;
    await waitFor(async () => {
      try {
        reseated = await raw(room.roomId, viewer);
        return true;
      } catch {
        return false;
      }
    }, 'a join to succeed once a seat is free');
    expect(reseated).not.toBeNull();
    const full = await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, viewer));
    expect(full.status).toBe(429);
  });

  it('viewers filling a room never lock out its editors, nor editors its owner', async () => {
    const room = await createRoom(relay.url, {});
    const viewer = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer' });
    const editor = await mintToken(relay.url, room.roomId, room.token, { role: 'editor' });
    await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => raw(room.roomId, viewer)));
    expect((await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, viewer))).status).toBe(429);
    // Editors get a reserve past the viewers' limit (a fifth, at least two seats)...
    const reserve = Math.max(2, Math.ceil(MAX_CONNECTIONS / 5));
    for (let i = 0; i < reserve; i++) expect((await raw(room.roomId, editor)).isOpen).toBe(true);
    expect((await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, editor))).status).toBe(429);
    // ...and the owner as much again past the editors'.
    for (let i = 0; i < reserve; i++) expect((await raw(room.roomId, room.token)).isOpen).toBe(true);
    expect((await attemptUpgrade(yjsUrl(relay.wsUrl, room.roomId, room.token))).status).toBe(429);
  });

  /** A viewer that syncs, then stops reading its socket. */
  async function stalledReader(roomId: string, ownerToken: string): Promise<RawClient> {
    const viewerToken = await mintToken(relay.url, roomId, ownerToken, { role: 'viewer', name: 'slow' });
    const slow = await raw(roomId, viewerToken);
    slow.send(frameSyncStep1());
    await slow.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2 for the slow reader');
    slow.ws.pause();
    return slow;
  }

  it('a reader that stops reading is dropped once its backlog passes the cap; a reader that reads is not', async () => {
    const room = await createRoom(relay.url, {});
    const id = 'flood';
    const writerDoc = new Y.Doc();
    addFile(writerDoc, 'flood.txt', '', id);
    const watcher = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(watcher);
    const slow = await stalledReader(room.roomId, room.token);
    const writer = await raw(room.roomId, room.token);
    const { connections } = (await health(relay.url)).body;

    const updates: Uint8Array[] = [];
    writerDoc.on('update', (update: Uint8Array) => updates.push(update));
    writer.send(frameUpdate(Y.encodeStateAsUpdate(writerDoc)));
    // Far more than the kernel's socket buffers and the cap can hold, paced so
    // that a reader that does read (the watcher) never has more than one chunk queued.
    const chunk = 'x'.repeat(100 * 1024);
    const chunks = 160;
    for (let i = 0; i < chunks; i++) {
      appendTo(writerDoc, id, chunk);
      writer.send(frameUpdate(updates.shift()!));
      // The text's length, not its content: building a 16 MB string every poll would measure the test.
      await waitFor(
        () => textLengthById(watcher.doc, id) === chunk.length * (i + 1),
        `the watcher to receive chunk ${i}`,
      );
    }
    expect(watcher.provider.wsconnected).toBe(true);

    // the relay lets go of the stalled socket while it is still not reading
    await waitFor(
      async () => (await health(relay.url)).body.connections === connections - 1,
      'the relay to drop the stalled reader',
      CLOSE_GRACE_MS + WAIT_MS,
    );
    slow.ws.resume();
    const close = await slow.waitClosed(15_000);
    // Its close frame sat behind the backlog it never read: it may only see the cut.
    expect([CloseCode.SlowConsumer, 1006]).toContain(close.code);
    expect(watcher.provider.wsconnected).toBe(true);
    expect(writer.isOpen).toBe(true);
    expect((await health(relay.url)).body.ok).toBe(true);
    writerDoc.destroy();
    // 16 MB paced through a real provider takes about 15 s alone, twice that beside the suite.
  }, 60_000);

  it('a stalled reader that catches up within the grace reads 4530 with its reason; the room carries on', async () => {
    const room = await createRoom(relay.url, {});
    const id = 'burst';
    const writerDoc = new Y.Doc();
    addFile(writerDoc, 'burst.txt', '', id);
    const slow = await stalledReader(room.roomId, room.token);
    const writer = await raw(room.roomId, room.token);
    await writer.hello();
    const updates: Uint8Array[] = [Y.encodeStateAsUpdate(writerDoc)];
    writerDoc.on('update', (update: Uint8Array) => updates.push(update));
    const chunk = 'y'.repeat(100 * 1024);
    const chunks = 120;
    for (let i = 0; i < chunks; i++) appendTo(writerDoc, id, chunk);
    for (const update of updates) writer.send(frameUpdate(update));
    writer.send(frameTandem({ type: MessageType.SyncStatus, counter: 1 }));
    // once the echo is back, everything was stored and sent (or refused to the stalled reader)
    await writer.waitForFrame(isTandem(MessageType.SyncStatus), 'the syncStatus echo', { timeoutMs: 20_000 });
    // Had the relay merged the whole burst into one frame, it went out with nothing queued
    // before it; one more small update has to wait behind that backlog.
    appendTo(writerDoc, id, 'nudge');
    writer.send(frameUpdate(updates.at(-1)!));
    writer.send(frameTandem({ type: MessageType.SyncStatus, counter: 2 }));
    await writer.waitForFrame(
      (f) => f.kind === 'tandem' && f.message.type === MessageType.SyncStatus && f.message.counter === 2,
      'the second syncStatus echo',
    );
    slow.ws.resume();
    const close = await slow.waitClosed(15_000);
    expect(close.code).toBe(CloseCode.SlowConsumer);
    expect(close.reason).toContain(CloseReason[CloseCode.SlowConsumer]);

    // the relay's copy has the whole burst
    const files = await getFiles(relay.url, room.roomId, room.token);
    expect(files).toEqual([{ id, path: 'burst.txt', size: chunk.length * chunks + 'nudge'.length }]);
    expect(writer.isOpen).toBe(true);
    expect((await health(relay.url)).body.ok).toBe(true);
    writerDoc.destroy();
  });

  it('a document larger than the send buffer cap still reaches a new client (sync step 2 is one message)', async () => {
    const room = await createRoom(relay.url, {});
    const writer = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(writer);
    const watcher = await connectSynced(relay.wsUrl, room.roomId, room.token);
    peers.push(watcher);
    const id = addFile(writer.doc, 'large.txt', '');
    const chunk = 'z'.repeat(100 * 1024);
    const chunks = Math.ceil((SEND_BUFFER_MAX_BYTES * 2) / chunk.length);
    for (let i = 0; i < chunks; i++) {
      appendTo(writer.doc, id, chunk);
      await waitFor(
        () => textById(watcher.doc, id).length === chunk.length * (i + 1),
        `chunk ${i} to arrive`,
      );
    }
    const closes: number[] = [];
    const late = connectPeer(relay.wsUrl, room.roomId, room.token);
    peers.push(late);
    late.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code);
    });
    await waitFor(() => late.provider.synced || closes.length > 0, 'the late client to sync (or be closed)');
    expect(closes, 'close codes seen by the late client').toEqual([]);
    expect(textById(late.doc, id).length).toBe(chunk.length * chunks);
  });
});

describe('ping timeout and idle unload', () => {
  const PING_INTERVAL_MS = 300;
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelay({
      env: { TANDEM_PING_INTERVAL_MS: String(PING_INTERVAL_MS), TANDEM_ROOM_IDLE_UNLOAD_MS: '200' },
    });
  });

  afterAll(async () => {
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('a client that never answers pings is dropped; one that answers stays', async () => {
    const room = await createRoom(relay.url, {});
    const healthy = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    const silent = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token), { autoPong: false });
    try {
      const close = await silent.waitClosed(10_000);
      expect(silent.pings, 'the relay pinged before dropping').toBeGreaterThan(0);
      expect([1006, CloseCode.PongTimeout]).toContain(close.code);
      // the healthy one keeps answering through several more pings
      const seen = healthy.pings;
      await healthy.until(() => healthy.pings >= seen + 3, 'three more pings to the healthy client');
      expect(healthy.isOpen).toBe(true);
    } finally {
      healthy.terminate();
      silent.terminate();
    }
  });

  it('an idle room is unloaded and loads again with everything in it', async () => {
    const room = await createRoom(relay.url, {});
    const first = await connectSynced(relay.wsUrl, room.roomId, room.token);
    addFile(first.doc, 'kept.txt', 'kept across unload\n');
    const second = await connectSynced(relay.wsUrl, room.roomId, room.token);
    await waitFor(() => snapshot(second.doc)['kept.txt'] !== undefined, 'the edit to be broadcast');
    first.destroy();
    second.destroy();
    await waitFor(async () => (await health(relay.url)).body.rooms === 0, 'the idle room to unload');

    for (let round = 0; round < 3; round++) {
      const again = await connectSynced(relay.wsUrl, room.roomId, room.token);
      expect(snapshot(again.doc)).toEqual({ 'kept.txt': `kept across unload\n${'again\n'.repeat(round)}` });
      const [fileId] = [...again.doc.getMap('files').keys()];
      appendTo(again.doc, fileId!, 'again\n');
      const witness = await connectSynced(relay.wsUrl, room.roomId, room.token);
      await waitFor(
        () => textById(witness.doc, fileId!).endsWith(`${'again\n'.repeat(round + 1)}`),
        'broadcast',
      );
      again.destroy();
      witness.destroy();
      await waitFor(async () => (await health(relay.url)).body.rooms === 0, 'the idle room to unload again');
    }
  });
});

function textLengthById(doc: Y.Doc, fileId: string): number {
  const entry = doc.getMap('files').get(fileId);
  const text = entry instanceof Y.Map ? entry.get('text') : null;
  return text instanceof Y.Text ? text.length : 0;
}
