/**
 * Several relays sharing rooms (Redis, PostgreSQL) beside one relay, in the
 * same run, with @y/websocket-server as the baseline:
 *
 * - Delivery: N rooms of 6 clients typing 2 edits/s each. On three relays,
 *   client c of a room is on relay c % 3, so every room spans all three and
 *   each edit reaches two clients on its own relay and three on others:
 *   p50/p99 for the same relay and across relays (goal: cross-relay p99 at
 *   most twice the single relay's), and the largest N each setup holds at
 *   p99 <= 50 ms with nothing missing.
 * - Storage: one update appended at a time, SQLite (its journal) against
 *   PostgreSQL, in this process; and the cold load of the automerge-paper room
 *   (260k transactions typed through a client) from each, after a restart.
 *
 * BENCH_CLUSTER_ROOMS (default 25,50,100) sets the steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../relay/storage/SqliteStorage.js';
import { PostgresStorage } from '../relay/storage/PostgresStorage.js';
import type { Storage } from '../relay/storage/Storage.js';
import { postgresBin, startPostgres, type PostgresServer } from '../relay/test/postgres.js';
import { redisAvailable, startRedis } from '../relay/test/redis.js';
import { removeDataDir } from '../relay/test/harness.js';
import { load, seed } from './coldLoad.js';
import { count, ms, printTable, ratio, type Cell } from './lib/format.js';
import { relayAvailable, startReference, startTandem, type Server } from './lib/servers.js';
import { median, summarize } from './lib/stats.js';
import { loadTrace } from './lib/trace.js';
import { EDITS_PER_SECOND, GOAL_P99_MS, MEASURE_MS, measure, WARMUP_MS, type Measured } from './rooms.js';

const STEPS = (process.env.BENCH_CLUSTER_ROOMS ?? '25,50,100').split(',').map(Number);
const CLIENTS_PER_ROOM = 6;
const RELAYS = 3;
const APPENDS = 2_000;

interface Setup {
  label: string;
  /** Where rooms are created; clients spread over `spread`. */
  first: Server;
  spread: Server[];
}

export async function clusterBench(): Promise<void> {
  if (!relayAvailable() || postgresBin() === null || !redisAvailable()) {
    console.log('\nCluster: needs the relay, PostgreSQL and Redis (see DEVELOPERS.md); skipped');
    return;
  }
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const servers: Server[] = [];
  const sharedDirs: string[] = [];
  try {
    const quiet = { TANDEM_ROOM_IDLE_UNLOAD_MS: '5000', TANDEM_LOG_LEVEL: 'warn' };
    const reference = await startReference();
    const single = await startTandem({ ...quiet, DATABASE_URL: await postgres.database() });
    const env = { ...quiet, DATABASE_URL: await postgres.database(), REDIS_URL: redis.url };
    const first = await startTandem(env, { keepData: true });
    sharedDirs.push(first.process.dataDir);
    const relays = [first];
    for (let i = 1; i < RELAYS; i++) {
      relays.push(await startTandem(env, { dataDir: first.process.dataDir, keepData: true }));
    }
    servers.push(reference, single, ...relays);
    const setups: Setup[] = [
      { label: '@y/websocket-server', first: reference, spread: [reference] },
      { label: '1 relay (PostgreSQL)', first: single, spread: [single] },
      { label: `${RELAYS} relays (Redis, PostgreSQL)`, first, spread: relays },
    ];
    await delivery(setups);
  } finally {
    for (const server of servers) await server.stop();
    for (const dir of sharedDirs) removeDataDir(dir);
    await redis.stop();
  }
  try {
    await appends(postgres);
    await coldLoads(postgres);
  } finally {
    await postgres.stop();
  }
}

async function delivery(setups: Setup[]): Promise<void> {
  const rows: Cell[][] = [];
  const held = new Map<string, number>();
  const p99At = new Map<string, number>();
  for (const rooms of STEPS) {
    for (const setup of setups) {
      const m: Measured = await measure(setup.first, rooms, {
        clientsPerRoom: CLIENTS_PER_ROOM,
        spread: setup.spread,
      });
      const same = summarize(m.latencies);
      const cross = m.crossLatencies.length > 0 ? summarize(m.crossLatencies) : null;
      const worst = Math.max(same.p99, cross?.p99 ?? 0);
      const missing = m.expected - m.delivered;
      if (worst <= GOAL_P99_MS && missing === 0) held.set(setup.label, rooms);
      p99At.set(`${setup.label}@${rooms}`, worst);
      rows.push([
        rooms,
        setup.label,
        count(same.count + (cross?.count ?? 0)),
        ms(same.p50),
        ms(same.p99),
        cross ? ms(cross.p50) : '-',
        cross ? ms(cross.p99) : '-',
        m.serverCpu === undefined ? '-' : `${m.serverCpu.toFixed(0)}%`,
        m.rss === undefined ? '-' : `${m.rss.toFixed(0)} MiB`,
        `${m.loadCpu.toFixed(0)}%`,
        missing,
      ]);
    }
  }
  printTable(
    `Cluster delivery: N rooms x ${CLIENTS_PER_ROOM} clients, ${EDITS_PER_SECOND} edits/s each, ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s; ` +
      `on ${RELAYS} relays client c of a room is on relay c % ${RELAYS} (latency ms; server CPU and RSS: all its processes, % of one core)`,
    [
      'rooms',
      'setup',
      'deliveries',
      'p50 same',
      'p99 same',
      'p50 cross',
      'p99 cross',
      'server CPU',
      'server RSS',
      'load gen CPU',
      'missing',
    ],
    rows,
  );
  const [, single, cluster] = setups;
  for (const rooms of STEPS) {
    const one = p99At.get(`${single!.label}@${rooms}`)!;
    const three = p99At.get(`${cluster!.label}@${rooms}`)!;
    console.log(
      `${rooms} rooms: worst p99 ${ms(three)} ms on ${RELAYS} relays vs ${ms(one)} ms on one: ${ratio(three, one)} (goal <= 2x)`,
    );
  }
  console.log(
    `largest N with p99 <= ${GOAL_P99_MS} ms and nothing missing: ` +
      setups.map((setup) => `${setup.label} ${held.get(setup.label) ?? 'none'}`).join(', '),
  );
}

/** One update appended at a time, awaited: what a relay waits before it acknowledges. */
async function appendLatency(storage: Storage): Promise<number[]> {
  const roomId = `bench-${Date.now()}`;
  await storage.createRoom(
    { id: roomId, name: 'bench', ownerId: 'bench', createdAt: Date.now(), template: null },
    null,
  );
  const data = new Uint8Array(40).fill(7);
  const times: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    const start = performance.now();
    await storage.appendUpdates(roomId, [{ at: Date.now(), author: 'bench', data }]);
    times.push(performance.now() - start);
  }
  return times.slice(100); // the first ones warm the JIT and the connection pool
}

async function appends(postgres: PostgresServer): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-sqlite-'));
  const rows: Cell[][] = [];
  try {
    const sqlite = await SqliteStorage.open(join(dir, 'tandem.sqlite'));
    const pg = await PostgresStorage.open(await postgres.database());
    for (const [label, storage] of [
      ['SQLite (journal)', sqlite],
      ['PostgreSQL', pg],
    ] as const) {
      const s = summarize(await appendLatency(storage));
      rows.push([label, count(s.count), ms(s.p50), ms(s.p99), ms(s.max)]);
      await storage.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    `Append latency: one 40-byte update at a time, awaited (ms)`,
    ['storage', 'appends', 'p50', 'p99', 'max'],
    rows,
  );
}

async function coldLoads(postgres: PostgresServer): Promise<void> {
  const trace = loadTrace();
  const rows: Cell[][] = [];
  for (const [label, env] of [
    ['SQLite', {}],
    ['PostgreSQL', { DATABASE_URL: await postgres.database() }],
  ] as const) {
    let server = await startTandem(env, { keepData: true });
    const dataDir = server.process.dataDir;
    try {
      const seedStart = performance.now();
      const room = await seed(server, trace);
      const seedMs = performance.now() - seedStart;
      const times: number[] = [];
      for (let restart = 0; restart < 2; restart++) {
        await server.process.stop();
        server = await startTandem(env, { dataDir, keepData: true });
        times.push((await load(server, room, trace)).ms);
      }
      rows.push([label, ms(seedMs), times.map(ms).join(' / '), ms(median(times))]);
    } finally {
      await server.stop();
      removeDataDir(dataDir);
    }
  }
  printTable(
    `Cold load of the automerge-paper room (${count(trace.txns.length)} transactions typed through a client) after a restart (ms)`,
    ['storage', 'typing it in', 'cold loads', 'median'],
    rows,
  );
}
