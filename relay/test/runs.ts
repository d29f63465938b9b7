/**
 * A run as a room's client sees it, for tests: its frames, its exit, its
 * stdout, and main.py replaced through the document (stored before it returns).
 */
import type * as Y from 'yjs';
import { MessageType, OutputStream, type RunMessage } from '../../shared/protocol/table.js';
import { frameTandem, type Frame, type RawClient } from './clients.js';

export type RunFrame<T extends RunMessage['type']> = Extract<RunMessage, { type: T }>;

export function runFrames(client: RawClient, runId: string): RunMessage[] {
  return client.frames
    .filter((f): f is Extract<Frame, { kind: 'run' }> => f.kind === 'run')
    .map((f) => f.message)
    .filter((m) => 'runId' in m && m.runId === runId);
}

export async function waitExit(
  client: RawClient,
  runId: string,
): Promise<RunFrame<typeof MessageType.RunExit>> {
  await client.until(
    () => runFrames(client, runId).some((m) => m.type === MessageType.RunExit),
    `exit of ${runId}`,
    30_000,
  );
  return runFrames(client, runId).find((m) => m.type === MessageType.RunExit) as RunFrame<
    typeof MessageType.RunExit
  >;
}

export function stdoutOf(client: RawClient, runId: string): string {
  return Buffer.concat(
    runFrames(client, runId)
      .filter((m): m is RunFrame<typeof MessageType.RunOutput> => m.type === MessageType.RunOutput)
      .filter((m) => m.stream === OutputStream.Stdout)
      .map((m) => m.bytes),
  ).toString('utf8');
}

/** Replaces main.py's text through the document, as an editor would, and waits for the relay to store it. */
export async function setMain(client: RawClient, code: string): Promise<void> {
  client.change((doc) => {
    for (const [, entry] of doc.getMap('files')) {
      const map = entry as Y.Map<unknown>;
      if (map.get('path') !== 'main.py') continue;
      const text = map.get('text') as Y.Text;
      text.delete(0, text.length);
      text.insert(0, code);
    }
  });
  const counter = Math.floor(Math.random() * 1e9);
  const from = client.frames.length;
  client.send(frameTandem({ type: MessageType.SyncStatus, counter }));
  await client.waitForFrame(
    (f) => f.kind === 'tandem' && f.message.type === MessageType.SyncStatus && f.message.counter === counter,
    'the edit to be stored',
    { from },
  );
}
