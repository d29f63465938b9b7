/**
 * The mesh with real WebRTC in Node (@roamhq/wrtc) and an in-memory relay:
 * who offers, what happens when a peer leaves and comes back, and that links
 * outlive the relay going away.
 */
import wrtc from '@roamhq/wrtc';
import { computed, signal } from '@preact/signals';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PeerRoster, type PeerWire } from '../room/peerWire.js';
import { PeerMesh } from './mesh.js';
import { NO_MEDIA, type MediaState } from './PeerLink.js';
import { MessageType, type PeerInfo } from '../../../shared/protocol/table.js';

const ICE = () =>
  Promise.resolve({ iceServers: [], iceTransportPolicy: 'all' as const, expiresAt: Infinity });

/** The relay's part: rosters, and signals delivered a tick later with the sender stamped. */
class FakeRelay {
  readonly rosters = new Map<string, PeerRoster>();
  readonly infos = new Map<string, PeerInfo>();
  offers = 0;

  /** A connection says hello; a reconnecting client passes its roster back in. */
  join(peerId: string, name: string, roster = new PeerRoster()): PeerWire {
    const info: PeerInfo = { peerId, userId: name, name, role: 'editor' };
    roster.apply({ type: MessageType.PeerList, self: info, peers: [...this.infos.values()] });
    for (const other of this.rosters.values()) other.apply({ type: MessageType.PeerJoined, peer: info });
    this.rosters.set(peerId, roster);
    this.infos.set(peerId, info);
    return {
      roster,
      peers: roster.peers,
      sendSignal: (target, data) => {
        if ((data as { type?: string }).type === 'offer') this.offers++;
        const sender = roster.self.peek()?.peerId; // stamped by the relay, not chosen by the client
        setTimeout(() => {
          const text = JSON.stringify(data);
          if (sender) this.rosters.get(target)?.apply({ type: MessageType.Signal, peer: sender, data: text });
        }, 1);
        return this.rosters.has(target);
      },
      sendMediaControl: () => false,
    };
  }

  leave(peerId: string): void {
    this.rosters.delete(peerId);
    this.infos.delete(peerId);
    for (const roster of this.rosters.values()) roster.apply({ type: MessageType.PeerLeft, peerId });
  }
}

const meshes: PeerMesh[] = [];

function newMesh(wire: PeerWire, state = signal<MediaState>(NO_MEDIA)): PeerMesh {
  const mesh = new PeerMesh(wire, ICE, { tracks: computed(() => ({ audio: null, video: null })), state });
  meshes.push(mesh);
  return mesh;
}

const until = (check: () => boolean) =>
  vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 20 });

const connectedTo = (mesh: PeerMesh, peerIds: string[]) => {
  const links = [...mesh.links.peek().values()];
  return (
    links.length === peerIds.length &&
    links.every((l) => peerIds.includes(l.peer.peerId) && l.state.peek() === 'connected' && l.channelOpen)
  );
};

describe('peer mesh (Node WebRTC)', () => {
  beforeAll(() => {
    Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, MediaStream: wrtc.MediaStream });
  });
  afterEach(() => {
    for (const mesh of meshes.splice(0)) mesh.destroy();
  });

  it('connects three peers with one offer per pair and shares media state', async () => {
    const relay = new FakeRelay();
    const aliceState = signal<MediaState>(NO_MEDIA);
    const alice = newMesh(relay.join('a1', 'Alice'), aliceState);
    const bob = newMesh(relay.join('b1', 'Bob'));
    const carol = newMesh(relay.join('c1', 'Carol'));
    await until(
      () =>
        connectedTo(alice, ['b1', 'c1']) &&
        connectedTo(bob, ['a1', 'c1']) &&
        connectedTo(carol, ['a1', 'b1']),
    );
    expect(relay.offers).toBe(3);
    aliceState.value = { audio: true, video: true, screen: false };
    await until(
      () =>
        bob.links.peek().get('a1')!.media.peek().video && carol.links.peek().get('a1')!.media.peek().audio,
    );
  });

  it('tears a link down when the peer leaves and connects again when it comes back', async () => {
    const relay = new FakeRelay();
    const alice = newMesh(relay.join('a1', 'Alice'));
    const bob = newMesh(relay.join('b1', 'Bob'));
    await until(() => connectedTo(alice, ['b1']) && connectedTo(bob, ['a1']));
    const old = alice.links.peek().get('b1')!;
    relay.leave('b1');
    bob.destroy();
    expect(old.state.peek()).toBe('closed');
    expect(alice.links.peek().size).toBe(0);
    const bobAgain = newMesh(relay.join('b2', 'Bob'));
    await until(() => connectedTo(alice, ['b2']) && connectedTo(bobAgain, ['a1']));
  });

  it('keeps links while the relay is away, and renews them when it returns with new ids', async () => {
    const relay = new FakeRelay();
    const aliceWire = relay.join('a1', 'Alice');
    const bobWire = relay.join('b1', 'Bob');
    const alice = newMesh(aliceWire);
    const bob = newMesh(bobWire);
    await until(() => connectedTo(alice, ['b1']) && connectedTo(bob, ['a1']));
    aliceWire.roster.reset();
    bobWire.roster.reset();
    // Both meshes decide on the roster at once; a message across the data channel after
    // that shows the link still carries, where a wait would only show nothing happened yet.
    const received = new Promise<void>((resolve) => bob.onBinary(() => resolve()));
    expect(alice.broadcast(new Uint8Array([1]))).toBe(1);
    await received;
    expect(connectedTo(alice, ['b1']) && connectedTo(bob, ['a1'])).toBe(true);
    // The relay is back: both say hello again and get new peer ids.
    relay.leave('a1');
    relay.leave('b1');
    relay.join('a2', 'Alice', aliceWire.roster);
    relay.join('b2', 'Bob', bobWire.roster);
    await until(() => connectedTo(alice, ['b2']) && connectedTo(bob, ['a2']));
  });

  it('turns video off for everyone above six people', () => {
    const relay = new FakeRelay();
    const alice = newMesh(relay.join('a1', 'Alice'));
    for (let i = 2; i <= 6; i++) relay.join(`p${i}`, `Person ${i}`);
    expect(alice.videoAllowed.value).toBe(true);
    relay.join('p7', 'Person 7');
    expect(alice.videoAllowed.value).toBe(false);
    relay.leave('p7');
    expect(alice.videoAllowed.value).toBe(true);
  });
});
