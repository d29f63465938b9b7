/**
 * Many rooms: N rooms of 4 clients, each client typing 2 edits a second, for
 * N stepping up; delivery latency (sender to each other client of its room),
 * server CPU and memory, on the bare relay, @y/websocket-server and Tandem in
 * the same run. The clients live in LOAD_GENERATORS forked processes, each room
 * whole in one of them, so a latency is always read on one clock.
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { RoomsJob, RoomsResult } from './lib/roomsWorker.js';
import { cpuMeter } from './lib/cpu.js';
import { count, ms, printTable, type Cell } from './lib/format.js';
import { roomUrl } from './lib/clients.js';
import {
  relayAvailable,
  rssMiB,
  speaksSync,
  startBare,
  startReference,
  startTandem,
  type Server,
} from './lib/servers.js';
import { median, summarize } from './lib/stats.js';

const STEPS = (process.env.BENCH_ROOMS ?? '50,100,250,500').split(',').map(Number);
const CLIENTS_PER_ROOM = 4;
export const EDITS_PER_SECOND = 2;
const LOAD_GENERATORS = 2;
export const WARMUP_MS = 4_000;
export const MEASURE_MS = 15_000;
export const GOAL_P99_MS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WORKER = resolve(import.meta.dirname, 'lib/roomsWorker.ts');
const sum = (values: (number | undefined)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);

export interface Measured {
  rooms: number;
  server: Server;
  latencies: number[];
  /** Between clients on different servers of a setup (none with one server). */
  crossLatencies: number[];
  expected: number;
  delivered: number;
  closed: number;
  serverCpu: number | undefined;
  loadCpu: number;
  rss: number | undefined;
}

/**
 * One measurement of `rooms` rooms. With `spread` (servers sharing rooms, the
 * first among them), a room is created on the first and client c of each room
 * connects to spread[c % spread.length]; CPU and RSS are their sums.
 */
export async function measure(
  server: Server,
  rooms: number,
  options: { clientsPerRoom?: number; spread?: Server[] } = {},
): Promise<Measured> {
  const spread = options.spread ?? [server];
  const urls: { urls: string[] }[] = [];
  for (let i = 0; i < rooms; i++) {
    const room = await server.newRoom();
    urls.push({ urls: spread.map((s) => roomUrl(s, room)) });
  }
  const jobs = Array.from({ length: LOAD_GENERATORS }, (_, g): RoomsJob => ({
    rooms: urls.filter((_, i) => i % LOAD_GENERATORS === g),
    clientsPerRoom: options.clientsPerRoom ?? CLIENTS_PER_ROOM,
    editsPerSecond: EDITS_PER_SECOND,
    handshake: speaksSync(server),
    warmupMs: WARMUP_MS,
    measureMs: MEASURE_MS,
  }));
  let cpu: (() => number | undefined)[] = [];
  const started = setTimeout(() => (cpu = spread.map((s) => cpuMeter(s.pid))), WARMUP_MS);
  const results = await Promise.all(
    jobs.map(
      (job) =>
        new Promise<RoomsResult>((done, fail) => {
          const child = fork(WORKER, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
          child.once('message', (result) => done(result as RoomsResult));
          child.once('exit', (code) => code !== 0 && fail(new Error(`load generator exited with ${code}`)));
          child.send(job);
        }),
    ),
  );
  clearTimeout(started);
  const cpuMs = cpu.map((read) => read());
  const serverCpuMs = cpuMs.length > 0 && cpuMs.every((v) => v !== undefined) ? sum(cpuMs) : undefined;
  const rss = spread.map((s) => rssMiB(s.pid));
  return {
    rooms,
    server,
    latencies: results.flatMap((r) => r.latencies),
    crossLatencies: results.flatMap((r) => r.crossLatencies),
    expected: results.reduce((sum, r) => sum + r.expected, 0),
    delivered: results.reduce((sum, r) => sum + r.delivered, 0),
    closed: results.reduce((sum, r) => sum + r.closed, 0),
    serverCpu: serverCpuMs === undefined ? undefined : (serverCpuMs / (MEASURE_MS + 1_000)) * 100,
    loadCpu: (results.reduce((sum, r) => sum + r.cpuMs, 0) / (WARMUP_MS + MEASURE_MS)) * 100,
    rss: rss.every((v) => v !== undefined) ? sum(rss) : undefined,
  };
}

export async function roomsBench(): Promise<void> {
  const servers: Server[] = [await startBare(), await startReference()];
  if (relayAvailable()) servers.push(await startTandem({ TANDEM_ROOM_IDLE_UNLOAD_MS: '5000' }));
  const rows: Cell[][] = [];
  const held = new Map<string, number>();
  try {
    for (const rooms of STEPS) {
      // Rounds alternate the servers, so a slow spell of a shared machine hits all of them.
      const runs = new Map<Server, Measured[]>(servers.map((server) => [server, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const server of servers) runs.get(server)!.push(await measure(server, rooms));
      }
      for (const server of servers) {
        const all = runs.get(server)!;
        const s = summarize(all.flatMap((m) => m.latencies));
        const missing = all.reduce((sum, m) => sum + m.expected - m.delivered, 0);
        if (s.p99 <= GOAL_P99_MS && missing === 0) held.set(server.label, rooms);
        const cpu = all.flatMap((m) => (m.serverCpu === undefined ? [] : [m.serverCpu]));
        const rss = all.flatMap((m) => (m.rss === undefined ? [] : [m.rss]));
        rows.push([
          rooms,
          server.label,
          count(s.count),
          ms(s.p50),
          ms(s.p99),
          ms(s.max),
          all.map((m) => ms(summarize(m.latencies).p99)).join(' / '),
          cpu.length > 0 ? `${median(cpu).toFixed(0)}%` : '-',
          rss.length > 0 ? `${Math.max(...rss).toFixed(0)} MiB` : '-',
          `${median(all.map((m) => m.loadCpu)).toFixed(0)}%`,
          missing,
        ]);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  printTable(
    `Many rooms: N rooms x ${CLIENTS_PER_ROOM} clients, ${EDITS_PER_SECOND} edits/s each, ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s, ` +
      `${ROUNDS} rounds per server pooled; ${LOAD_GENERATORS} load-generator processes (delivery latency, ms; CPU: median, % of one core; RSS: highest)`,
    [
      'rooms',
      'server',
      'deliveries',
      'p50',
      'p99',
      'max',
      'p99 per round',
      'server CPU',
      'server RSS',
      'load gen CPU',
      'missing',
    ],
    rows,
  );
  console.log(
    `largest N with p99 <= ${GOAL_P99_MS} ms and nothing missing: ` +
      [...servers].map((server) => `${server.label} ${held.get(server.label) ?? 'none'}`).join(', '),
  );
}
