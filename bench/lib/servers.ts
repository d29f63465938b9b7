/**
 * The servers every benchmark compares, behind one shape: the Tandem relay
 * (compiled, as production runs it, through relay/test/harness.ts, persistence
 * on), the bare `ws` broadcast relay (the floor), and the reference server,
 * `@y/websocket-server` (y-websocket's own backend: Yjs per room, no
 * persistence, no auth). Clients reach each at `${wsUrl}/yjs/${roomId}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import {
  createRoom,
  freePort,
  mintToken,
  removeDataDir,
  startRelay,
  type RelayProcess,
} from '../../relay/test/harness.js';
import { buildServer } from '../../scripts/buildServer.js';
import { startBareRelay } from './bareRelay.js';

const ROOT = resolve(import.meta.dirname, '../..');
const YWS_MAIN = resolve(ROOT, 'node_modules/@y/websocket-server/src/server.js');
const START_TIMEOUT_MS = 20_000;

/** Child processes still running, so an interrupted run leaves none behind. */
const children = new Map<ChildProcess, string | undefined>();

function track(child: ChildProcess, dataDir?: string): void {
  children.set(child, dataDir);
  child.once('exit', () => children.delete(child));
}

/** SIGKILLs every server this process started and has not stopped, and drops their fresh data directories. */
export function killServers(): void {
  for (const [child, dataDir] of children) {
    child.kill('SIGKILL');
    if (dataDir) removeDataDir(dataDir);
  }
  children.clear();
}

export const RELAY_MAIN = resolve(import.meta.dirname, '../../relay/main.ts');

export interface Room {
  roomId: string;
  /** Editor token for the relay; undefined on the bare relay. */
  token: string | undefined;
}

export interface Server {
  /** relay: Tandem; reference: @y/websocket-server; bare: the ws broadcast floor. */
  kind: 'relay' | 'reference' | 'bare';
  label: string;
  wsUrl: string;
  /** The server's process id, for CPU readings. */
  pid: number | undefined;
  newRoom(template?: string): Promise<Room>;
  stop(): Promise<void>;
}

export function relayAvailable(): boolean {
  return existsSync(RELAY_MAIN);
}

/** A server that speaks the y-protocols sync handshake (every one but the bare relay). */
export function speaksSync(server: Server): boolean {
  return server.kind !== 'bare';
}

export interface Health {
  ok: boolean;
  rooms: number;
  connections: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export async function healthz(url: string): Promise<Health> {
  const response = await fetch(`${url}/healthz`);
  if (!response.ok) throw new Error(`GET /healthz: ${response.status}`);
  return (await response.json()) as Health;
}

export async function newRelayRoom(url: string, template = 'empty'): Promise<Room> {
  const created = await createRoom(url, { name: 'bench', template });
  const token = await mintToken(url, created.roomId, created.token, { role: 'editor', name: 'bench' });
  return { roomId: created.roomId, token };
}

export interface RelayServer extends Server {
  process: RelayProcess;
}

/**
 * Starts the Tandem relay, compiled as in production (`tsx: true` runs the
 * sources through tsx instead); `keepData` leaves the data directory for a
 * restart. Benchmarks open hundreds of sockets from one address.
 */
/**
 * BENCH_PROFILE=<dir>: each server writes a V8 CPU profile there when it
 * stops, named after it (CPU.<server>.*.cpuprofile), to set side by side.
 */
function profileArgs(server: string): string[] {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return [];
  const profile = [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-name=CPU.${server}.${Date.now()}.cpuprofile`,
  ];
  // The relay exits by itself on SIGTERM; a baseline server is made to.
  return server === 'tandem' ? profile : [...profile, '--import', EXIT_ON_SIGNAL];
}

const EXIT_ON_SIGNAL = pathToFileURL(resolve(import.meta.dirname, 'exitOnSignal.mjs')).href;

export async function startTandem(
  env: Record<string, string> = {},
  options: { dataDir?: string; keepData?: boolean; tsx?: boolean; nodeArgs?: string[] } = {},
): Promise<RelayServer> {
  if (!options.tsx) await buildServer();
  const nodeArgs = [...profileArgs('tandem'), ...(options.nodeArgs ?? [])];
  const relay = await startRelay({
    env: { TANDEM_MAX_CONNECTIONS_PER_ADDRESS: '0', ...env },
    compiled: !options.tsx,
    nodeArgs,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  track(relay.child, options.keepData ? undefined : relay.dataDir);
  return {
    kind: 'relay',
    label: options.tsx ? 'tandem relay (tsx)' : 'tandem relay',
    wsUrl: relay.wsUrl,
    pid: relay.child.pid,
    process: relay,
    newRoom: (template) => newRelayRoom(relay.url, template),
    async stop() {
      await relay.stop();
      if (!options.keepData) removeDataDir(relay.dataDir);
      const logged = summarizeLog(relay.output);
      if (logged) console.log(`relay logged: ${logged}`);
    },
  };
}

/** Counts the relay's warn and error log lines by event, e.g. "2 x room.store_failed (error)". */
export function summarizeLog(output: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const line of output) {
    let entry: { level?: string; event?: string };
    try {
      entry = JSON.parse(line) as { level?: string; event?: string };
    } catch {
      if (!/^(Debugger |For help, see|Waiting for the debugger)/.test(line)) {
        counts.set(`"${line.slice(0, 80)}"`, (counts.get(`"${line.slice(0, 80)}"`) ?? 0) + 1);
      }
      continue;
    }
    if (entry.level !== 'warn' && entry.level !== 'error') continue;
    const key = `${entry.event ?? '?'} (${entry.level})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  return [...counts].map(([key, n]) => `${n} x ${key}`).join(', ');
}

export async function startBare(): Promise<Server> {
  const bare = await startBareRelay();
  track(bare.child);
  return {
    kind: 'bare',
    label: 'bare ws relay',
    wsUrl: bare.wsUrl,
    pid: bare.child.pid,
    newRoom: async () => ({ roomId: randomUUID(), token: undefined }),
    stop: () => bare.stop(),
  };
}

/** Starts `@y/websocket-server` as it ships (`src/server.js`), in its own process. */
export async function startReference(): Promise<Server> {
  if (!existsSync(YWS_MAIN)) throw new Error('@y/websocket-server is not installed (npm ci)');
  const port = await freePort();
  const child = spawn(process.execPath, [...profileArgs('reference'), YWS_MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`reference server did not start:\n${output.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('running at')) {
        clearTimeout(timer);
        done();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`reference server exited before listening:\n${output.join('\n')}`));
    });
  });
  return {
    kind: 'reference',
    label: '@y/websocket-server',
    wsUrl: `ws://127.0.0.1:${port}`,
    pid: child.pid,
    newRoom: async () => ({ roomId: randomUUID(), token: undefined }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident memory of a process from /proc (MiB), or undefined where /proc is not there. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}
