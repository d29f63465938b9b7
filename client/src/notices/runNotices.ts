/** "Bob ran main.py": every run's start comes to every page (runStarted, with who started it). */
import type { ReadonlySignal } from '@preact/signals';
import { MessageType } from '../../../shared/protocol/table.js';
import type { RoomConnection } from '../room/connection.js';
import { runSentence } from './sentences.js';

/** What of the room's connection this needs (a test hands it messages directly). */
export interface RunStarts {
  channel: Pick<RoomConnection['channel'], 'on'>;
  me: ReadonlySignal<{ userId: string }>;
}

export function watchRuns(conn: RunStarts, say: (text: string) => void): () => void {
  return conn.channel.on(MessageType.RunStarted, (started) => {
    if (started.userId !== conn.me.peek().userId) say(runSentence(started.name, started.mode, started.entry));
  });
}
