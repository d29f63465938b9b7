import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType, type PeerInfo } from '../../shared/protocol/table.js';
import { PRESENCE_STALE_MS, RemotePresence, decodePresence, encodePresence } from './presence.js';

const ann: PeerInfo = { peerId: 'p-ann', userId: 'u-ann', name: 'Ann', role: 'owner' };
const vic: PeerInfo = { peerId: 'p-vic', userId: 'u-vic', name: 'Vic', role: 'viewer' };

function recorder() {
  const events: string[] = [];
  const presence = new RemotePresence({
    joined: (peer) => events.push(`joined ${peer.peerId}`),
    left: (peerId) => events.push(`left ${peerId}`),
    gone: (relayId) => events.push(`gone ${relayId}`),
  });
  return { events, presence };
}

describe('presence between relays', () => {
  it('round-trips through the protocol codec and refuses anything else', () => {
    const said = { connections: 3, peers: [ann, vic] };
    expect(decodePresence(encodePresence(said))).toEqual(said);
    const wrong = encoding.createEncoder();
    encoding.writeVarUint(wrong, 1);
    encoding.writeVarUint(wrong, 1);
    encoding.writeVarUint8Array(wrong, encode({ type: MessageType.PeerLeft, peerId: 'p-ann' }));
    expect(() => decodePresence(encoding.toUint8Array(wrong))).toThrow(/not peerJoined/);
    expect(() => decodePresence(new Uint8Array([1, 1, 3, 0xff, 0xff]))).toThrow();
    expect(() => decodePresence(new Uint8Array([...encodePresence(said), 0]))).toThrow(/trailing/);
  });

  it('announces who came and went as each relay says it, and forgets a silent relay', () => {
    const { events, presence } = recorder();
    expect(presence.heard('r1', { connections: 2, peers: [ann] }, 1_000)).toBe(true);
    expect(presence.heard('r1', { connections: 2, peers: [ann, vic] }, 2_000)).toBe(false);
    expect(presence.heard('r2', { connections: 1, peers: [] }, 2_000)).toBe(true);
    expect(presence.relayOf('p-vic')).toBe('r1');
    presence.heard('r1', { connections: 1, peers: [vic] }, 3_000);
    expect(events).toEqual(['joined p-ann', 'joined p-vic', 'left p-ann']);
    // r2 goes silent; r1 keeps talking.
    presence.heard('r1', { connections: 1, peers: [vic] }, 2_000 + PRESENCE_STALE_MS);
    presence.prune(2_001 + PRESENCE_STALE_MS);
    expect(events.slice(3)).toEqual(['gone r2']);
    // r1's last connection leaves: its peers leave; it said goodbye, so nothing is gone when it falls silent.
    presence.heard('r1', { connections: 0, peers: [] }, 2_002 + PRESENCE_STALE_MS);
    expect(events.slice(4)).toEqual(['left p-vic']);
    expect(presence.relayOf('p-vic')).toBeNull();
    // Someone comes back there soon: r1 is no newcomer, nobody greets it again.
    expect(presence.heard('r1', { connections: 1, peers: [ann] }, 2_003 + PRESENCE_STALE_MS)).toBe(false);
    presence.heard('r1', { connections: 0, peers: [] }, 2_004 + PRESENCE_STALE_MS);
    presence.prune(2_005 + 2 * PRESENCE_STALE_MS);
    expect(events.slice(5)).toEqual(['joined p-ann', 'left p-ann']);
    expect(presence.heard('r1', { connections: 1, peers: [] }, 2_006 + 2 * PRESENCE_STALE_MS)).toBe(true);
  });
});
