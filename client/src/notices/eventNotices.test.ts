import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { MessageType, RunMode, type MessageOf, type RunStarted } from '../../../shared/protocol/table.js';
import { watchRoomEvents, type RoomEvents } from './eventNotices.js';

type Restored = MessageOf<'Restored'>;
type Event = RunStarted | Restored | MessageOf<'Forked'>;

describe('room event notices', () => {
  it("tells of others' runs, restores and forks, not your own, and stops listening", () => {
    const handlers = new Map<number, (message: Event) => void>();
    const conn = {
      channel: {
        on: (type: number, handler: (message: Event) => void) => {
          handlers.set(type, handler);
          return () => handlers.delete(type);
        },
      } as unknown as RoomEvents['channel'],
      me: signal({ userId: 'u-alice' }),
    };
    const said: string[] = [];
    const stop = watchRoomEvents(conn, (text) => said.push(text));
    const started = (userId: string, name: string, mode: RunMode): RunStarted => ({
      type: MessageType.RunStarted,
      runId: 'r1',
      language: 'python',
      entry: 'main.py',
      mode,
      userId,
      name,
      startedAt: 0,
    });
    const restored = (userId: string, name: string, created: number, deleted: number, changed: number) =>
      ({ type: MessageType.Restored, userId, name, restoredTo: 7, created, deleted, changed }) as Restored;
    const run = handlers.get(MessageType.RunStarted)!;
    const restore = handlers.get(MessageType.Restored)!;
    const fork = handlers.get(MessageType.Forked)!;
    run(started('u-alice', 'Alice', RunMode.Batch));
    run(started('u-bob', 'Bob', RunMode.Batch));
    run(started('u-bob', 'Bob', RunMode.Terminal));
    restore(restored('u-alice', 'Alice', 0, 0, 1));
    restore(restored('u-bob', 'Bob', 1, 2, 3));
    restore(restored('u-bob', 'Bob', 0, 0, 0));
    fork({ type: MessageType.Forked, userId: 'u-alice', name: 'Alice', atSeq: 0 });
    fork({ type: MessageType.Forked, userId: 'u-bob', name: 'Bob', atSeq: 0 });
    fork({ type: MessageType.Forked, userId: 'u-bob', name: 'Bob', atSeq: 12 });
    expect(said).toEqual([
      'Bob ran main.py.',
      'Bob opened a terminal.',
      'Bob restored an earlier version of the files: 3 changed, 1 brought back, 2 deleted.',
      'Bob restored an earlier version of the files.',
      'Bob made a copy of this room.',
      'Bob made a copy of this room as it was earlier.',
    ]);
    stop();
    expect(handlers.size).toBe(0);
  });
});
