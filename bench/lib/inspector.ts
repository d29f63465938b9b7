/**
 * Forcing a full GC in another Node process from outside, through its
 * inspector (started with `--inspect=127.0.0.1:0`, loopback only):
 * `HeapProfiler.collectGarbage`. Memory figures read right after it hold no
 * garbage, so a growth between two of them is memory really kept.
 */
import WebSocket from 'ws';

/** NODE_OPTIONS for a child whose GC `collectGarbage` may force. */
export function inspectableNodeOptions(): string {
  return `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();
}

/** The inspector's WebSocket URL from a child's output lines, if it printed one. */
export function inspectorUrl(output: readonly string[]): string | undefined {
  const line = output.find((text) => text.startsWith('Debugger listening on ws://'));
  return line?.slice('Debugger listening on '.length).trim();
}

export async function collectGarbage(url: string): Promise<void> {
  const socket = new WebSocket(url);
  try {
    await new Promise<void>((done, fail) => {
      socket.once('open', () => done());
      socket.once('error', fail);
    });
    await new Promise<void>((done, fail) => {
      socket.on('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString('utf8')) as { id?: number; error?: { message: string } };
        if (reply.id !== 1) return;
        if (reply.error) fail(new Error(`collectGarbage: ${reply.error.message}`));
        else done();
      });
      socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    socket.close();
  }
}
