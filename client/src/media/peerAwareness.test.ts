import { describe, expect, it, vi } from 'vitest';
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  connectPeerAwareness,
  PEER_AWARENESS_FRAME,
  PEER_AWARENESS_ORIGIN,
  PEER_AWARENESS_QUERY,
} from './peerAwareness.js';
import { connectPeerDocSync, type DocChannel, type DocChannels } from './peerDocSync.js';
import type { PeerInfo } from '../../../shared/protocol/table.js';

type Listener<T extends unknown[]> = (...args: T) => void;

/** In-memory links between fake meshes; frames are delivered at once. */
class FakeMesh implements DocChannels {
  readonly links: DocChannel[] = [];
  readonly binary = new Set<Listener<[DocChannel, Uint8Array]>>();
  readonly open = new Set<Listener<[DocChannel]>>();
  readonly frames: Uint8Array[] = [];
  constructor(readonly self: PeerInfo) {}
  broadcast(bytes: Uint8Array): number {
    for (const link of this.links) link.send(bytes);
    return this.links.length;
  }
  onBinary(listener: Listener<[DocChannel, Uint8Array]>) {
    this.binary.add(listener);
    return () => this.binary.delete(listener);
  }
  onLinkOpen(listener: Listener<[DocChannel]>) {
    this.open.add(listener);
    return () => this.open.delete(listener);
  }
}

function connect(a: FakeMesh, b: FakeMesh): void {
  const toB: DocChannel = {
    peer: b.self,
    send: (bytes) => (a.frames.push(bytes), b.binary.forEach((l) => l(toA, bytes)), true),
  };
  const toA: DocChannel = {
    peer: a.self,
    send: (bytes) => (b.frames.push(bytes), a.binary.forEach((l) => l(toB, bytes)), true),
  };
  a.links.push(toB);
  b.links.push(toA);
  a.open.forEach((l) => l(toB));
  b.open.forEach((l) => l(toA));
}

const RELAY = 'relay';

function person(userId: string, name: string) {
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  awareness.setLocalStateField('user', { id: userId, name, role: 'editor', color: '#112233' });
  const mesh = new FakeMesh({ peerId: `p-${userId}`, userId, name, role: 'editor' });
  const stop = connectPeerAwareness(awareness, mesh, { relayOrigin: RELAY });
  const stateOf = (other: { awareness: Awareness }) => awareness.getStates().get(other.awareness.clientID);
  return { doc, awareness, mesh, stop, stateOf };
}

describe('awareness over peer channels', () => {
  it("shows each other's cursor on open and on every move, stamped with the relay's identity", () => {
    const alice = person('ua', 'Alice');
    const bob = person('ub', 'Bob');
    connect(alice.mesh, bob.mesh);
    expect(alice.stateOf(bob)).toMatchObject({ user: { id: 'ub', name: 'Bob' } });
    bob.awareness.setLocalStateField('selections', [{ anchor: 1, head: 2 }]);
    expect(alice.stateOf(bob)).toMatchObject({ selections: [{ anchor: 1, head: 2 }] });
    alice.awareness.setLocalStateField('file', 'f1');
    expect(bob.stateOf(alice)).toMatchObject({ file: 'f1', user: { color: '#112233' } });
    // Every frame is an awareness frame carrying only the sender's own state.
    expect(alice.mesh.frames.every((f) => f[0] === PEER_AWARENESS_FRAME)).toBe(true);
  });

  it('shows one entry per person when the relay delivers the same state too', () => {
    const alice = person('ua', 'Alice');
    const bob = person('ub', 'Bob');
    const changes = vi.fn();
    alice.awareness.on('change', changes);
    // The relay path first, then the same clientID and clock over the channel: ignored.
    applyAwarenessUpdate(
      alice.awareness,
      encodeAwarenessUpdate(bob.awareness, [bob.awareness.clientID]),
      RELAY,
    );
    connect(alice.mesh, bob.mesh);
    expect(changes).toHaveBeenCalledOnce();
    expect(alice.awareness.getStates().size).toBe(2);
    // And the other way round: a newer state over the channel, then the relay's copy of it.
    bob.awareness.setLocalStateField('file', 'f2');
    applyAwarenessUpdate(
      alice.awareness,
      encodeAwarenessUpdate(bob.awareness, [bob.awareness.clientID]),
      RELAY,
    );
    expect(changes).toHaveBeenCalledTimes(2);
    expect(alice.awareness.getStates().size).toBe(2);
  });

  it("refuses states of another user and overwrites the peer's claimed name and role", () => {
    const alice = person('ua', 'Alice');
    const mallory = person('um', 'Mallory');
    connect(alice.mesh, mallory.mesh);
    const link = alice.mesh.links[0]!;
    const deliver = (state: unknown, clientId = 4242, clock = 1) => {
      const e = [PEER_AWARENESS_FRAME, ...frameOf(clientId, clock, JSON.stringify(state))];
      alice.mesh.binary.forEach((l) => l(link, new Uint8Array(e)));
    };
    deliver({ user: { id: 'ua', name: 'Alice' } }); // posing as Alice
    expect(alice.awareness.getStates().has(4242)).toBe(false);
    deliver({ user: { id: 'um', name: 'The Owner', role: 'owner' } });
    expect(alice.awareness.getStates().get(4242)).toMatchObject({
      user: { id: 'um', name: 'Mallory', role: 'editor' },
    });
    deliver({ user: { id: 'um' } }, alice.awareness.clientID, 99); // our own id: never
    expect(alice.awareness.getLocalState()).toMatchObject({ user: { name: 'Alice' } });
  });

  it('keeps document and awareness frames apart on one channel', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const alice = person('ua', 'Alice');
    const bob = person('ub', 'Bob');
    const options = { remoteOrigins: () => [], canEdit: () => true };
    connectPeerDocSync(alice.doc, alice.mesh, options);
    connectPeerDocSync(bob.doc, bob.mesh, options);
    connect(alice.mesh, bob.mesh);
    alice.doc.getText('t').insert(0, 'hi');
    alice.awareness.setLocalStateField('file', 'f1');
    expect(bob.doc.getText('t').toString()).toBe('hi');
    expect(bob.stateOf(alice)).toMatchObject({ file: 'f1' });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('asks a peer again for its state when the relay socket dropped it', () => {
    const alice = person('ua', 'Alice');
    const bob = person('ub', 'Bob');
    connect(alice.mesh, bob.mesh);
    const sent = bob.mesh.frames.length;
    // What the provider does when its socket closes: everyone but yourself is gone.
    removeAwarenessStates(alice.awareness, [bob.awareness.clientID], RELAY);
    expect(alice.mesh.frames.at(-1)).toEqual(new Uint8Array([PEER_AWARENESS_QUERY]));
    expect(bob.mesh.frames.length).toBe(sent + 1);
    expect(alice.stateOf(bob)).toMatchObject({ user: { name: 'Bob' } });
    // A flood of queries gets at most one answer a second.
    for (let i = 0; i < 5; i++) bob.mesh.binary.forEach((l) => l(bob.mesh.links[0]!, new Uint8Array([101])));
    expect(bob.mesh.frames.length).toBe(sent + 1);
    expect(PEER_AWARENESS_ORIGIN.toString()).toContain('tandem-peer-awareness');
  });
});

function frameOf(clientId: number, clock: number, json: string): number[] {
  const body = [1, ...varUint(clientId), ...varUint(clock), ...varUint(json.length), ...Buffer.from(json)];
  return [...varUint(body.length), ...body];
}

function varUint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
