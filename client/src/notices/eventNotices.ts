/**
 * What the relay tells everyone that someone did: "Bob ran main.py"
 * (runStarted), "Bob restored an earlier version…" (restored) and "Bob made a
 * copy of this room." (forked). One's own doings are not announced back to
 * oneself: that page already said so.
 */
import type { ReadonlySignal } from '@preact/signals';
import { MessageType } from '../../../shared/protocol/table.js';
import type { RoomConnection } from '../room/connection.js';
import { forkSentence, restoreSentence, runSentence } from './sentences.js';

/** What of the room's connection this needs (a test hands it messages directly). */
export interface RoomEvents {
  channel: Pick<RoomConnection['channel'], 'on'>;
  me: ReadonlySignal<{ userId: string }>;
}

export function watchRoomEvents(conn: RoomEvents, say: (text: string) => void): () => void {
  const others = (userId: string) => userId !== conn.me.peek().userId;
  const stops = [
    conn.channel.on(MessageType.RunStarted, (started) => {
      if (others(started.userId)) say(runSentence(started.name, started.mode, started.entry));
    }),
    conn.channel.on(MessageType.Restored, (restored) => {
      if (others(restored.userId)) say(restoreSentence(restored.name, restored));
    }),
    conn.channel.on(MessageType.Forked, (forked) => {
      if (others(forked.userId)) say(forkSentence(forked.name, forked.atSeq));
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
