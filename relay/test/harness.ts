/**
 * Starts a real relay process for integration tests and benchmarks: `node
 * --import tsx relay/main.ts` on port 0 (or a fixed port to restart on), with a
 * fresh data directory unless one is given. The relay prints
 * `{"event":"listening","port":N,...}` on stdout once it accepts connections.
 */
import { createServer as createNetServer } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as v from 'valibot';
import { CreatedRoomAnswer, type CreatedRoom } from '../../shared/api/answers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const START_TIMEOUT_MS = 20_000;

export interface RelayProcess {
  url: string;
  wsUrl: string;
  port: number;
  /** Where the relay serves previews (`<previewId>.localhost:<previewPort>`). */
  previewPort: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process printed, for diagnosing failures. */
  output: string[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM and wait. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: no chance to flush. */
  kill9(): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  port?: number;
  /** Run the built relay (`dist/server/relay.mjs`, `npm run build:server`) as production does, not tsx. */
  compiled?: boolean;
  /** Extra flags for node (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

/** The built relay, `npm run build:server` (scripts/buildServer.ts). */
export const COMPILED_RELAY_MAIN = join(ROOT, 'dist/server/relay.mjs');

export async function startRelay(options: StartOptions = {}): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-relay-'));
  const entry = options.compiled ? [COMPILED_RELAY_MAIN] : ['--import', 'tsx', join(ROOT, 'relay/main.ts')];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(options.port ?? 0),
      TANDEM_PREVIEW_PORT: '0',
      TANDEM_DATA_DIR: dataDir,
      TANDEM_LOG_LEVEL: 'warn',
      // Every suite creates its rooms and opens its sockets from one address; the tests
      // of those limits (rateLimit.test.ts, writeRights.test.ts) set them.
      TANDEM_ROOMS_PER_MINUTE: '0',
      TANDEM_JOINS_PER_MINUTE: '0',
      TANDEM_MAX_CONNECTIONS_PER_ADDRESS: '0',
      // A run with no runner fails at once, as the tests of availability expect;
      // relayRuns.test.ts tests the wait for a runner still connecting.
      TANDEM_RUNNER_STARTUP_WAIT_MS: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const lines = createInterface({ input: child.stdout! });

  const { port, previewPort } = await new Promise<{ port: number; previewPort: number }>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`relay did not start:\n${output.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    lines.on('line', (line) => {
      output.push(line);
      try {
        const event = JSON.parse(line) as { event?: string; port?: number; previewPort?: number };
        if (event.event === 'listening' && typeof event.port === 'number') {
          clearTimeout(timer);
          done({ port: event.port, previewPort: event.previewPort ?? 0 });
        }
      } catch {
        // not a JSON line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`relay exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });

  const signal = stopper(child, exited, output, 'relay');
  return {
    url: `http://127.0.0.1:${port}`,
    previewPort,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    output,
    exited,
    stop: signal('SIGTERM'),
    kill9: signal('SIGKILL'),
  };
}

export interface RunnerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
  kill9(): Promise<number | null>;
}

/**
 * Starts a real runner (`runner/main.ts`) that dials `relay`, reading the runner
 * token from the relay's data directory. Resolves once the relay lists it with
 * at least one language it can run.
 */
export async function startRunner(
  relay: RelayProcess,
  env: Record<string, string> = {},
  options: { workspaces?: boolean } = {},
): Promise<RunnerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'runner/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TANDEM_RELAY_URL: relay.url,
      TANDEM_DATA_DIR: relay.dataDir,
      TANDEM_RUNNER_ID: `test-${relay.port}`,
      // A test's runner never starts a minutes-long image build; CI builds the images first.
      TANDEM_BUILD_IMAGES: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    // Connected is not enough: the runner reports its languages just after its hello.
    const runners = (await (await fetch(`${relay.url}/api/runners`)).json()) as {
      runners: number;
      workspaces: number;
      languages: { available: boolean }[];
    };
    // With `workspaces`, also until it offers them (it checks its image just after its hello).
    const ready =
      runners.languages.some((l) => l.available) && (!options.workspaces || runners.workspaces > 0);
    if (runners.runners > 0 && ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`runner did not connect:\n${output.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const signal = stopper(child, exited, output, 'runner');
  return { child, output, exited, stop: signal('SIGTERM'), kill9: signal('SIGKILL') };
}

/**
 * What must never be in a log line, whatever the test did: a user token (its
 * claims are base64url JSON, then a SHA-256 MAC), a query string's token, a
 * bearer secret, and the canary tests put into environment values and files.
 */
export const LOG_LEAKS: readonly RegExp[] = [
  /eyJ[\w-]{16,}\.[\w-]{43}/,
  /[?&]token=(?!\[redacted\])/,
  /Bearer\s+(?!<)[\w.~+/=-]{8,}/i,
  /TANDEM-CANARY/,
  // A database or Redis URL with its password.
  /(?:postgres(?:ql)?|rediss?):\/\/[^:/\s]*:[^@\s]+@/,
];

/** The lines of `output` that leak a secret (LOG_LEAKS). */
export function leakedLines(output: readonly string[]): string[] {
  return output.filter((line) => LOG_LEAKS.some((pattern) => pattern.test(line)));
}

/**
 * Stops the process with a signal and waits; then every line it wrote is
 * checked for secrets, so every test that starts a relay or runner checks its logs.
 */
function stopper(
  child: ChildProcess,
  exited: Promise<number | null>,
  output: readonly string[],
  name: string,
) {
  return (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const code = await exited;
    const leaked = leakedLines(output);
    if (leaked.length > 0) {
      throw new Error(`the ${name} logged a secret:\n${leaked.slice(0, 5).join('\n').slice(0, 2000)}`);
    }
    return code;
  };
}

/** A free TCP port on loopback, for a server that cannot report the one it got from port 0. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Removes a data directory made by `startRelay`. */
export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export type { CreatedRoom };

export async function createRoom(
  url: string,
  body: { name?: string; template?: string; ownerName?: string; kind?: 'pair' | 'interview' } = {},
): Promise<CreatedRoom> {
  const response = await fetch(`${url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`POST /api/rooms: ${response.status} ${await response.text()}`);
  return v.parse(CreatedRoomAnswer, await response.json());
}

export async function mintToken(
  url: string,
  roomId: string,
  ownerToken: string,
  body: { role: 'editor' | 'viewer' | 'interviewer'; name?: string; ttlSeconds?: number },
): Promise<string> {
  const response = await fetch(`${url}/api/rooms/${roomId}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST tokens: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
