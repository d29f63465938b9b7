/**
 * The two servers every benchmark compares, behind one shape: the Tandem relay
 * (started through relay/test/harness.ts, persistence on) and the bare `ws`
 * broadcast relay. Clients reach either at `${wsUrl}/yjs/${roomId}`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  type RelayProcess,
} from '../../relay/test/harness.js';
import { startBareRelay } from './bareRelay.js';

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
  kind: 'relay' | 'bare';
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

/** Starts the Tandem relay; `keepData` leaves the data directory for a restart. */
export async function startTandem(
  env: Record<string, string> = {},
  options: { dataDir?: string; keepData?: boolean } = {},
): Promise<RelayServer> {
  const relay = await startRelay({ env, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  track(relay.child, options.keepData ? undefined : relay.dataDir);
  return {
    kind: 'relay',
    label: 'tandem relay',
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
