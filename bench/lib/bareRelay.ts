/** Starts bench/bareRelayMain.mjs as a separate process and waits for it to listen. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = resolve(import.meta.dirname, '../bareRelayMain.mjs');
const START_TIMEOUT_MS = 20_000;

export interface BareRelay {
  wsUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startBareRelay(): Promise<BareRelay> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`bare relay did not start:\n${output.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const event = JSON.parse(line) as { event?: string; port?: number };
        if (event.event === 'listening' && typeof event.port === 'number') {
          clearTimeout(timer);
          done(event.port);
        }
      } catch {
        // not a JSON line
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`bare relay exited before listening:\n${output.join('\n')}`));
    });
  });
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
