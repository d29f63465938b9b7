import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { MessageType, RunMode, type RunStarted } from '../../../shared/protocol/table.js';
import { watchRuns, type RunStarts } from './runNotices.js';

describe('run notices', () => {
  it("tells of others' runs, not your own", () => {
    let deliver: ((message: RunStarted) => void) | null = null;
    const conn = {
      channel: {
        on: (type: number, handler: (message: RunStarted) => void) => {
          expect(type).toBe(MessageType.RunStarted);
          deliver = handler;
          return () => (deliver = null);
        },
      } as unknown as RunStarts['channel'],
      me: signal({ userId: 'u-alice' }),
    };
    const said: string[] = [];
    const stop = watchRuns(conn, (text) => said.push(text));
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
    deliver!(started('u-alice', 'Alice', RunMode.Batch));
    deliver!(started('u-bob', 'Bob', RunMode.Batch));
    deliver!(started('u-bob', 'Bob', RunMode.Terminal));
    expect(said).toEqual(['Bob ran main.py.', 'Bob opened a terminal.']);
    stop();
    expect(deliver).toBeNull();
  });
});
