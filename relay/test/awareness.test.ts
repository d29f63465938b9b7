/**
 * Awareness through the relay: states are stamped with the token's name, user id
 * and role; a connection may only set or remove the states of client ids it
 * introduced itself; a closed connection's states are removed for everyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/protocol/errors.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type CreatedRoom,
  type RelayProcess,
} from './harness.js';
import {
  awarenessStates,
  awarenessUpdate,
  claimsOf,
  connectSynced,
  frameAwareness,
  frameQueryAwareness,
  isTandem,
  RawClient,
  readAwarenessEntries,
  waitFor,
  yjsUrl,
  type Frame,
  type Peer,
} from './clients.js';
import { MessageType } from '../../shared/protocol/table.js';

let relay: RelayProcess;
let room: CreatedRoom;
const tokens: Record<string, string> = {};
const peers: Peer[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  relay = await startRelay();
  room = await createRoom(relay.url, { name: 'awareness' });
  for (const name of ['Alice', 'Bob', 'Mallory', 'Watcher', 'Carol']) {
    tokens[name] = await mintToken(relay.url, room.roomId, room.token, { role: 'editor', name });
  }
  tokens.Vera = await mintToken(relay.url, room.roomId, room.token, { role: 'viewer', name: 'Vera' });
});

afterAll(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  for (const raw of raws.splice(0)) raw.terminate();
  await relay?.stop();
  if (relay) removeDataDir(relay.dataDir);
});

async function join(name: string): Promise<Peer> {
  const peer = await connectSynced(relay.wsUrl, room.roomId, tokens[name]!);
  peers.push(peer);
  return peer;
}

async function raw(name: string): Promise<RawClient> {
  const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, tokens[name]!));
  raws.push(client);
  return client;
}

type User = { name?: unknown; id?: unknown; role?: unknown; color?: unknown };

function stateOf(peer: Peer, clientId: number): (Record<string, unknown> & { user?: User }) | undefined {
  return awarenessStates(peer).get(clientId) as (Record<string, unknown> & { user?: User }) | undefined;
}

/** Every awareness entry a raw client has received, in order. */
function entriesSeen(client: RawClient): { clientId: number; state: unknown }[] {
  return client.frames
    .filter((f): f is Extract<Frame, { kind: 'awareness' }> => f.kind === 'awareness')
    .flatMap((f) =>
      [...readAwarenessEntries(f.update)].map(([clientId, { state }]) => ({ clientId, state })),
    );
}

describe('awareness', () => {
  it("the relay stamps the token's name, id and role over whatever the client claims; other fields pass", async () => {
    const alice = await join('Alice');
    const watcher = await join('Watcher');
    alice.awareness.setLocalState({
      user: { name: 'Not Alice', id: 'fake-id', role: 'owner', color: '#ff0000' },
      cursor: { file: 'main.py', anchor: 3, head: 7 },
    });
    const id = alice.doc.clientID;
    await waitFor(() => stateOf(watcher, id)?.cursor !== undefined, "the watcher to see Alice's cursor");
    const state = stateOf(watcher, id)!;
    expect(state.user).toEqual({
      name: 'Alice',
      id: claimsOf(tokens.Alice!).uid,
      role: 'editor',
      color: '#ff0000',
    });
    expect(state.cursor).toEqual({ file: 'main.py', anchor: 3, head: 7 });
  });

  it('a state without a user object gets one stamped in', async () => {
    const bob = await join('Bob');
    const watcher = await join('Watcher');
    bob.awareness.setLocalState({ cursor: 'no user here' });
    const id = bob.doc.clientID;
    await waitFor(() => stateOf(watcher, id)?.cursor === 'no user here', "the watcher to see Bob's state");
    expect(stateOf(watcher, id)!.user).toMatchObject({
      name: 'Bob',
      id: claimsOf(tokens.Bob!).uid,
      role: 'editor',
    });
  });

  it("a viewer's state is stamped with role viewer", async () => {
    const vera = await join('Vera');
    const watcher = await join('Watcher');
    vera.awareness.setLocalState({ user: { name: 'Vera', role: 'owner' }, cursor: 'viewer cursor' });
    const id = vera.doc.clientID;
    await waitFor(() => stateOf(watcher, id)?.cursor === 'viewer cursor', "the watcher to see Vera's state");
    expect(stateOf(watcher, id)!.user).toMatchObject({ name: 'Vera', role: 'viewer' });
  });

  it("another user's client id can be neither set nor removed; the spoofer gets 'forbidden'", async () => {
    const bob = await join('Bob');
    const watcher = await join('Watcher');
    const spy = await raw('Watcher');
    const bobId = bob.doc.clientID;
    bob.awareness.setLocalState({ user: { name: 'Bob' }, cursor: 'bob real' });
    await waitFor(
      () => stateOf(watcher, bobId)?.cursor === 'bob real',
      "the watcher to see Bob's real state",
    );
    await spy.until(
      () => entriesSeen(spy).some((e) => e.clientId === bobId),
      "the raw watcher to see Bob's state",
    );

    const removals: number[] = [];
    watcher.awareness.on('change', ({ removed }: { removed: number[] }) => removals.push(...removed));

    const mallory = await raw('Mallory');
    await mallory.hello();
    const clock = watcher.awareness.meta.get(bobId)!.clock;
    const mallorysOwnId = 987654321;
    // Bob's id with a newer clock, alone and beside Mallory's own new id
    mallory.send(
      frameAwareness(awarenessUpdate([{ clientId: bobId, clock: clock + 5, state: { cursor: 'spoofed' } }])),
    );
    mallory.send(
      frameAwareness(
        awarenessUpdate([
          { clientId: mallorysOwnId, clock: 1, state: { user: { name: 'Bob' }, cursor: 'mallory own' } },
          { clientId: bobId, clock: clock + 6, state: { cursor: 'spoofed again' } },
        ]),
      ),
    );
    // and a removal of Bob's state
    mallory.send(frameAwareness(awarenessUpdate([{ clientId: bobId, clock: clock + 7, state: null }])));

    const refusal = await mallory.waitForFrame(
      isTandem(MessageType.Error),
      "a Tandem error for Mallory's spoof",
    );
    expect(refusal.message.code).toBe(ErrorCode.Forbidden);

    // Mallory's own entry goes through, stamped with her real name
    await waitFor(
      () => stateOf(watcher, mallorysOwnId)?.cursor === 'mallory own',
      "the watcher to see Mallory's own state",
    );
    expect(stateOf(watcher, mallorysOwnId)!.user).toMatchObject({ name: 'Mallory' });

    // barrier: Bob's next real update arrives after anything Mallory's frames could have caused
    bob.awareness.setLocalStateField('cursor', 'bob later');
    await waitFor(
      () => stateOf(watcher, bobId)?.cursor === 'bob later',
      "the watcher to see Bob's next state",
    );
    await spy.until(
      () => entriesSeen(spy).some((e) => (e.state as { cursor?: unknown } | null)?.cursor === 'bob later'),
      "the raw watcher to see Bob's next state",
    );

    expect(removals).not.toContain(bobId);
    const forBob = entriesSeen(spy).filter((e) => e.clientId === bobId);
    expect(forBob.map((e) => (e.state as { cursor?: unknown } | null)?.cursor ?? null)).not.toContain(
      'spoofed',
    );
    expect(forBob.map((e) => (e.state as { cursor?: unknown } | null)?.cursor ?? null)).not.toContain(
      'spoofed again',
    );
    expect(forBob.some((e) => e.state === null)).toBe(false);
    for (const entry of entriesSeen(spy)) {
      const user = (entry.state as { user?: User } | null)?.user;
      if (entry.clientId === bobId && user) expect(user.name).toBe('Bob');
      if (entry.clientId === mallorysOwnId && user) expect(user.name).toBe('Mallory');
    }
  });

  it("a closed connection's states are removed for everyone, even when it never said goodbye", async () => {
    const watcher = await join('Watcher');
    const carol = await raw('Carol');
    carol.send(
      frameAwareness(
        awarenessUpdate([
          { clientId: 555001, clock: 1, state: { cursor: 'carol one' } },
          { clientId: 555002, clock: 1, state: { cursor: 'carol two' } },
        ]),
      ),
    );
    await waitFor(
      () =>
        stateOf(watcher, 555001)?.cursor === 'carol one' && stateOf(watcher, 555002)?.cursor === 'carol two',
      "the watcher to see both of Carol's states",
    );
    expect(stateOf(watcher, 555001)!.user).toMatchObject({ name: 'Carol' });
    carol.terminate();
    await waitFor(
      () => !awarenessStates(watcher).has(555001) && !awarenessStates(watcher).has(555002),
      "Carol's states to be removed after her socket died",
    );
  });

  it('a new connection is sent the current states; query-awareness asks for them again', async () => {
    const alice = await join('Alice');
    alice.awareness.setLocalState({ user: { name: 'x' }, cursor: 'alice here' });
    const aliceId = alice.doc.clientID;
    const watcher = await join('Watcher');
    await waitFor(() => stateOf(watcher, aliceId)?.cursor === 'alice here', 'the relay to hold the state');

    const late = await raw('Carol');
    await late.until(
      () =>
        entriesSeen(late).some(
          (e) => e.clientId === aliceId && (e.state as { cursor?: unknown } | null)?.cursor === 'alice here',
        ),
      "the late joiner to be sent Alice's state without asking",
    );
    const stamped = entriesSeen(late).find((e) => e.clientId === aliceId)!.state as { user: User };
    expect(stamped.user.name).toBe('Alice');

    const from = late.frames.length;
    late.send(frameQueryAwareness());
    const answer = await late.waitForFrame(
      (f): f is Extract<Frame, { kind: 'awareness' }> =>
        f.kind === 'awareness' && readAwarenessEntries(f.update).has(aliceId),
      'an answer to query-awareness',
      { from },
    );
    expect(readAwarenessEntries(answer.update).get(aliceId)!.state).toMatchObject({
      cursor: 'alice here',
      user: { name: 'Alice' },
    });
  });
});
