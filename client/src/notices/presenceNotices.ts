/**
 * "Bob joined", "Bob left": from the relay's roster (connections, by token),
 * per person rather than per tab. A reload or a network blip is a leave and a
 * join a few seconds apart, so a leave waits LEAVE_GRACE_MS and a join within
 * it cancels both. Whoever is there when this page's roster arrives (on every
 * connect of its own) is no news.
 */
import { effect } from '@preact/signals';
import type { PeerRoster } from '../room/peerWire.js';
import { joinedSentence, leftSentence } from './sentences.js';

/** Longer than a reload of the room page takes. */
export const LEAVE_GRACE_MS = 8000;

export function watchPresence(roster: PeerRoster, say: (text: string) => void): () => void {
  /** Who else is here, by user id; null until this connection's roster arrives. */
  let present: Map<string, string> | null = null;
  const leaving = new Map<string, ReturnType<typeof setTimeout>>();
  const stay = (userId: string) => {
    clearTimeout(leaving.get(userId));
    return leaving.delete(userId);
  };

  const stop = effect(() => {
    const peers = roster.peers.value;
    // The roster clears `self` before `peers` when the socket drops, and sets it first on the next list.
    const self = roster.self.peek();
    if (!self) {
      present = null;
      return;
    }
    const now = new Map(peers.filter((p) => p.userId !== self.userId).map((p) => [p.userId, p.name]));
    const before = present;
    present = now;
    if (!before) {
      for (const userId of now.keys()) stay(userId);
      return;
    }
    for (const [userId, name] of now) {
      if (!before.has(userId) && !stay(userId)) say(joinedSentence(name));
    }
    for (const [userId, name] of before) {
      if (now.has(userId)) continue;
      leaving.set(
        userId,
        setTimeout(() => {
          leaving.delete(userId);
          say(leftSentence(name));
        }, LEAVE_GRACE_MS),
      );
    }
  });
  return () => {
    stop();
    for (const timer of leaving.values()) clearTimeout(timer);
  };
}
