import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../shared/protocol/messageTypes.js';
import type { PeerInfo } from '../../../shared/protocol/peers.js';
import { PeerRoster } from './peerWire.js';

const ann: PeerInfo = { peerId: 'ann1', userId: 'u-ann', name: 'Ann', role: 'owner' };
const bob: PeerInfo = { peerId: 'bob1', userId: 'u-bob', name: 'Bob', role: 'editor' };
const vic: PeerInfo = { peerId: 'vic1', userId: 'u-vic', name: 'Vic', role: 'viewer' };

describe('PeerRoster', () => {
  it('follows the relay: list, joins (a rejoin replaces), leaves, reset on disconnect', () => {
    const roster = new PeerRoster();
    roster.apply({ type: MessageType.PeerList, self: ann, peers: [bob] });
    expect(roster.self.value).toEqual(ann);
    expect(roster.peers.value).toEqual([bob]);
    roster.apply({ type: MessageType.PeerJoined, peer: vic });
    roster.apply({ type: MessageType.PeerJoined, peer: { ...bob, name: 'Bob again' } });
    expect(roster.peers.value.map((p) => p.name)).toEqual(['Vic', 'Bob again']);
    roster.apply({ type: MessageType.PeerLeft, peerId: 'vic1' });
    expect(roster.peers.value.map((p) => p.peerId)).toEqual(['bob1']);
    roster.reset();
    expect([roster.self.value, roster.peers.value]).toEqual([null, []]);
  });

  it('hands signals to listeners with the relay-known sender, and drops those from unknown peers', () => {
    const roster = new PeerRoster();
    const seen: [string, unknown][] = [];
    roster.onSignal((from, data) => seen.push([from.role, data]));
    roster.apply({ type: MessageType.PeerList, self: ann, peers: [vic] });
    roster.apply({ type: MessageType.Signal, peer: 'vic1', data: '{"type":"offer"}' });
    roster.apply({ type: MessageType.Signal, peer: 'gone1', data: '{"type":"offer"}' });
    expect(seen).toEqual([['viewer', { type: 'offer' }]]);
  });
});
