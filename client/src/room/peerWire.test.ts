import { describe, expect, it } from 'vitest';
import { PeerRoster } from './peerWire.js';
import { MessageType, type PeerInfo } from '../../../shared/protocol/table.js';

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

  it("keeps the owner's mutes, its own included, across a dropped socket until the next peerList", () => {
    const roster = new PeerRoster();
    roster.apply({ type: MessageType.PeerList, self: bob, peers: [ann, vic] });
    roster.apply({ type: MessageType.MediaControl, peer: 'bob1', mute: { audio: true, video: false } });
    roster.apply({ type: MessageType.MediaControl, peer: 'vic1', mute: { audio: true, video: true } });
    expect(roster.ownMute.value).toEqual({ audio: true, video: false });
    roster.apply({ type: MessageType.MediaControl, peer: 'vic1', mute: { audio: false, video: false } });
    expect([...roster.muted.value.keys()]).toEqual(['bob1']);
    roster.reset();
    expect(roster.ownMute.value).toEqual({ audio: true, video: false });
    // A new connection: a new peer id, and the relay repeats whatever still holds.
    roster.apply({ type: MessageType.PeerList, self: { ...bob, peerId: 'bob2' }, peers: [ann] });
    expect(roster.ownMute.value).toEqual({ audio: false, video: false });
    roster.apply({ type: MessageType.MediaControl, peer: 'bob2', mute: { audio: false, video: true } });
    expect(roster.ownMute.value).toEqual({ audio: false, video: true });
  });
});
