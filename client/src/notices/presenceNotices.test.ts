import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageType, type PeerInfo } from '../../../shared/protocol/table.js';
import { PeerRoster } from '../room/peerWire.js';
import { LEAVE_GRACE_MS, watchPresence } from './presenceNotices.js';

const person = (peerId: string, userId: string, name: string): PeerInfo => ({
  peerId,
  userId,
  name,
  role: 'editor',
});
const ME = person('p-me', 'u-me', 'Me');
const BOB = person('p-bob', 'u-bob', 'Bob');
const BOB_AGAIN = person('p-bob-2', 'u-bob', 'Bob');
const CAROL = person('p-carol', 'u-carol', 'Carol');

describe('join and leave notices', () => {
  let roster: PeerRoster;
  let said: string[];
  let stop: () => void;
  beforeEach(() => {
    vi.useFakeTimers();
    roster = new PeerRoster();
    said = [];
    stop = watchPresence(roster, (text) => said.push(text));
    roster.apply({ type: MessageType.PeerList, self: ME, peers: [BOB] });
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it('tells who joins, and who left once they stay away', () => {
    expect(said).toEqual([]);
    roster.apply({ type: MessageType.PeerJoined, peer: CAROL });
    expect(said).toEqual(['Carol joined.']);
    roster.apply({ type: MessageType.PeerLeft, peerId: CAROL.peerId });
    vi.advanceTimersByTime(LEAVE_GRACE_MS - 1);
    expect(said).toEqual(['Carol joined.']);
    vi.advanceTimersByTime(1);
    expect(said).toEqual(['Carol joined.', 'Carol left.']);
  });

  it('says nothing for a reload, a second tab, or this page reconnecting', () => {
    roster.apply({ type: MessageType.PeerLeft, peerId: BOB.peerId });
    roster.apply({ type: MessageType.PeerJoined, peer: BOB_AGAIN });
    roster.apply({ type: MessageType.PeerJoined, peer: BOB });
    roster.apply({ type: MessageType.PeerLeft, peerId: BOB.peerId });
    roster.reset();
    roster.apply({ type: MessageType.PeerList, self: ME, peers: [BOB_AGAIN] });
    vi.advanceTimersByTime(LEAVE_GRACE_MS * 2);
    expect(said).toEqual([]);
  });
});
