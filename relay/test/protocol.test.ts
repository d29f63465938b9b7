/**
 * The wire protocol as a raw client sees it: the standard y-protocols sync
 * handshake, and Tandem's own messages (hello/welcome, syncStatus, errors) only
 * for a connection that said hello.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, CloseReason } from '../../shared/protocol/closeCodes.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import {
  awarenessUpdate,
  claimsOf,
  connectSynced,
  frameAwareness,
  frameHello,
  frameQueryAwareness,
  frameSyncStep1,
  frameTandem,
  frameUpdate,
  isTandem,
  readAwarenessEntries,
  RawClient,
  snapshot,
  updateAddingFile,
  yjsUrl,
  type Frame,
} from './clients.js';
import { MessageType, PROTOCOL_VERSION } from '../../shared/protocol/table.js';

let relay: RelayProcess;
let room: CreatedRoom;
let editorToken: string;
let otherToken: string;
const raws: RawClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
  room = await createRoom(relay.url, { name: 'protocol', template: 'javascript' });
  editorToken = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Edie' });
  otherToken = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name: 'Otto' });
});

afterAll(async () => {
  for (const raw of raws.splice(0)) raw.terminate();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

async function raw(token = editorToken): Promise<RawClient> {
  const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, token));
  raws.push(client);
  return client;
}

const isStep = (step: number) => (f: Frame) => f.kind === 'sync' && f.step === step;

describe('y-protocols sync', () => {
  it('the relay opens with sync step 1 and answers step 1 with a step 2 holding the document', async () => {
    const client = await raw();
    const first = await client.waitForFrame(isStep(0), 'sync step 1 from the relay');
    expect(first.kind).toBe('sync');
    client.send(frameSyncStep1());
    await client.waitForFrame(isStep(1), 'sync step 2');
    expect(snapshot(client.doc)['main.js']).toContain('Hello');
  });

  it("answers a step 1 with only what the client lacks, and relays a client's update to others", async () => {
    const a = await raw();
    a.send(frameSyncStep1());
    await a.waitForFrame(isStep(1), 'sync step 2 for a');
    const b = await raw();
    b.send(frameSyncStep1(a.doc));
    const reply = await b.waitForFrame(isStep(1), 'sync step 2 for b');
    const probe = new Y.Doc();
    Y.applyUpdate(probe, (reply as Extract<Frame, { kind: 'sync' }>).payload);
    expect(snapshot(probe)).toEqual({});
    probe.destroy();

    const from = b.frames.length;
    a.send(frameUpdate(updateAddingFile('relayed.txt', 'from a', a.doc)));
    await b.waitForFrame(isStep(2), 'the update relayed to b', { from });
    // the relay applied it: a fresh client gets it
    const c = await connectSynced(relay.wsUrl, room.roomId, editorToken);
    try {
      expect(snapshot(c.doc)['relayed.txt']).toBe('from a');
    } finally {
      c.destroy();
    }
    // no echo back to the sender: the answer to a later query comes first
    a.send(frameAwareness(awarenessUpdate([{ clientId: 888001, clock: 1, state: { here: true } }])));
    const fromA = a.frames.length;
    a.send(frameQueryAwareness());
    await a.waitForFrame((f) => f.kind === 'awareness', 'an answer to query-awareness', { from: fromA });
    expect(a.frames.filter((f) => f.kind === 'sync' && f.step === 2)).toHaveLength(0);
  });
});

describe('Tandem messages', () => {
  it('hello is answered with welcome carrying who the token says you are', async () => {
    const client = await raw();
    const welcome = await client.hello(PROTOCOL_VERSION);
    const claims = claimsOf(editorToken);
    expect(welcome).toEqual({
      type: MessageType.Welcome,
      protocolVersion: PROTOCOL_VERSION,
      roomId: room.roomId,
      userId: claims.uid,
      name: 'Edie',
      role: 'editor',
    });
  });

  it('syncStatus is echoed in order, after the updates sent before it', async () => {
    const client = await raw();
    await client.hello();
    client.send(frameSyncStep1());
    await client.waitForFrame(isStep(1), 'sync step 2');
    client.send(frameUpdate(updateAddingFile('one.txt', '1', client.doc)));
    client.send(frameTandem({ type: MessageType.SyncStatus, counter: 1 }));
    client.send(frameUpdate(updateAddingFile('two.txt', '2', client.doc)));
    client.send(frameTandem({ type: MessageType.SyncStatus, counter: 2 }));
    await client.until(
      () => client.frames.filter(isTandem(MessageType.SyncStatus)).length >= 2,
      'two syncStatus echoes',
    );
    const echoes = client.frames.filter(isTandem(MessageType.SyncStatus)).map((f) => f.message.counter);
    expect(echoes).toEqual([1, 2]);
  });

  it('ping is answered at once with pong and its nonce, in order; before hello it closes the socket', async () => {
    const client = await raw();
    await client.hello();
    for (const nonce of [1, 2, 2 ** 40]) client.send(frameTandem({ type: MessageType.Ping, nonce }));
    await client.until(() => client.frames.filter(isTandem(MessageType.Pong)).length === 3, 'three pongs');
    expect(client.frames.filter(isTandem(MessageType.Pong)).map((f) => f.message.nonce)).toEqual([
      1,
      2,
      2 ** 40,
    ]);

    const early = await raw();
    early.send(frameTandem({ type: MessageType.Ping, nonce: 1 }));
    const close = await early.waitClosed();
    expect(close).toMatchObject({
      code: CloseCode.MalformedMessage,
      reason: expect.stringMatching(/ping needs hello/),
    });
    expect(early.frames.filter(isTandem(MessageType.Pong))).toEqual([]);
  });

  it('a connection that never said hello is sent no Tandem message, even when refused something', async () => {
    const owner = await raw();
    owner.send(frameAwareness(awarenessUpdate([{ clientId: 777001, clock: 1, state: { cursor: 'mine' } }])));
    // another user: a second connection of the same user may take over its own ids after a reconnect
    const spoofer = await raw(otherToken);
    const hasMine = (f: Frame): f is Extract<Frame, { kind: 'awareness' }> =>
      f.kind === 'awareness' &&
      (readAwarenessEntries(f.update).get(777001)?.state as { cursor?: unknown } | null)?.cursor === 'mine';
    await spoofer.waitForFrame(hasMine, "the owner's state");
    // removing another connection's state is refused; without hello, no Tandem error says so
    spoofer.send(frameAwareness(awarenessUpdate([{ clientId: 777001, clock: 9, state: null }])));
    const from = spoofer.frames.length;
    spoofer.send(frameQueryAwareness());
    await spoofer.waitForFrame(hasMine, 'the state, still there, in answer to query-awareness', { from });
    expect(spoofer.frames.filter((f) => f.kind === 'tandem')).toEqual([]);
    expect(spoofer.isOpen).toBe(true);
    expect(owner.isOpen).toBe(true);
  });

  it.each([0, PROTOCOL_VERSION + 1, 1000])(
    'hello with protocol version %i closes with 4409',
    async (version) => {
      const client = await raw();
      client.send(frameHello(version));
      const close = await client.waitClosed();
      expect(close.code).toBe(CloseCode.ProtocolMismatch);
      expect(close.reason).toContain(CloseReason[CloseCode.ProtocolMismatch]);
      expect(client.frames.some(isTandem(MessageType.Welcome))).toBe(false);
    },
  );
});
