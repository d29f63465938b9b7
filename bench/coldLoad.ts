/**
 * Cold load: a room holding the whole automerge-paper trace (typed through a
 * client, so the relay stores it as it would a real session) is persisted, the
 * relay is stopped with SIGTERM and started again on the same data directory,
 * and a new client is timed from connect to synced with the full text. Beside
 * it: a plain `Y.applyUpdate` of `Y.encodeStateAsUpdate` of the same document
 * into a fresh doc.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as Y from 'yjs';
import { addFile } from '../shared/schema/project.js';
import { connectProvider, destroyProviders, waitReady } from './lib/clients.js';
import { count, mib, ms, printTable, ratio, type Cell } from './lib/format.js';
import { fileText, firstFileText, whenTextEquals } from './lib/project.js';
import { healthz, relayAvailable, startTandem, summarizeLog, type Room, type Server } from './lib/servers.js';
import { median } from './lib/stats.js';
import { loadTrace, typeTrace, type Trace } from './lib/trace.js';
import { removeDataDir } from '../relay/test/harness.js';

const RESTARTS = 3;
const APPLY_RUNS = 7;
const COLD_APPLY_RUNS = 3;
const APPLY_MAIN = resolve(import.meta.dirname, 'applyMain.ts');
const run = promisify(execFile);
const LOAD_TIMEOUT_MS = 60_000;

interface Load {
  ms: number;
  /** The client's state once loaded, for the baselines. */
  state: Uint8Array;
}

/** Connects a fresh client and times it until it is synced and shows the whole text. */
export async function load(server: Server, room: Room, trace: Trace): Promise<Load> {
  const doc = new Y.Doc();
  const start = performance.now();
  const provider = connectProvider(server, room, doc);
  try {
    await waitReady(provider, server, LOAD_TIMEOUT_MS);
    const text = firstFileText(doc);
    if (!text) throw new Error('the loaded room has no file');
    const end = await whenTextEquals(doc, text, trace.endContent, LOAD_TIMEOUT_MS);
    return { ms: end - start, state: Y.encodeStateAsUpdate(doc) };
  } finally {
    await destroyProviders([provider]);
  }
}

export async function seed(server: Server, trace: Trace): Promise<Room> {
  const room = await server.newRoom();
  const doc = new Y.Doc();
  const provider = connectProvider(server, room, doc);
  try {
    await waitReady(provider, server);
    const fileId = addFile(doc, 'paper.md', trace.startContent);
    await typeTrace(doc, fileText(doc, fileId)!, trace);
    // The relay has it all once a client that connects afterwards sees it.
    await load(server, room, trace);
    return room;
  } finally {
    await destroyProviders([provider]);
  }
}

/** Median of one apply each in fresh processes (bench/applyMain.ts). */
async function coldProcessApply(state: Uint8Array): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const file = join(dir, 'state.bin');
  writeFileSync(file, state);
  try {
    const times: number[] = [];
    for (let i = 0; i < COLD_APPLY_RUNS; i++) {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', APPLY_MAIN, file]);
      times.push((JSON.parse(stdout) as { ms: number }).ms);
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function plainApply(state: Uint8Array): number {
  const times: number[] = [];
  for (let i = 0; i <= APPLY_RUNS; i++) {
    const fresh = new Y.Doc();
    const start = performance.now();
    Y.applyUpdate(fresh, state);
    const elapsed = performance.now() - start;
    if (i > 0) times.push(elapsed); // the first run warms the JIT
    fresh.destroy();
  }
  return median(times);
}

export async function coldLoad(): Promise<void> {
  if (!relayAvailable()) {
    console.log('\nCold load: relay/main.ts not found, skipped');
    return;
  }
  const trace = loadTrace();
  let server = await startTandem({}, { keepData: true });
  const dataDir = server.process.dataDir;
  const rows: Cell[][] = [];
  try {
    const seedStart = performance.now();
    const room = await seed(server, trace);
    const seedMs = performance.now() - seedStart;
    let state: Uint8Array | undefined;
    const coldTimes: number[] = [];
    const notes: string[] = [];
    for (let restart = 1; restart <= RESTARTS; restart++) {
      const stopStart = performance.now();
      const code = await server.process.stop();
      notes.push(`stop ${restart}: SIGTERM to exit ${ms(performance.now() - stopStart)} ms, code ${code}`);
      const logged = summarizeLog(server.process.output);
      if (logged) notes.push(`relay logged before stop ${restart}: ${logged}`);
      server = await startTandem({}, { dataDir, keepData: true });
      const before = await healthz(server.process.url);
      if (before.rooms !== 0)
        notes.push(`restart ${restart}: ${before.rooms} rooms loaded before the first client`);
      const cold = await load(server, room, trace);
      const warm = await load(server, room, trace);
      coldTimes.push(cold.ms);
      const after = await healthz(server.process.url);
      rows.push([
        `cold load ${restart}`,
        ms(cold.ms),
        ms(warm.ms),
        mib(after.rssBytes),
        mib(after.heapUsedBytes),
      ]);
      state = cold.state;
    }
    const warmApply = plainApply(state!);
    const coldApply = await coldProcessApply(state!);
    const coldMedian = median(coldTimes);
    printTable(
      `Cold load: room with the automerge-paper trace (${count(trace.txns.length)} updates typed), relay restarted (ms)`,
      ['load', 'cold', 'warm', 'relay rss MiB', 'heap MiB'],
      rows,
    );
    printTable(
      'Cold load against a plain Y.applyUpdate of the same state',
      ['path', 'ms', 'relay cold load / this'],
      [
        [`relay cold load (median of ${RESTARTS})`, ms(coldMedian), ''],
        [
          `plain Y.applyUpdate, warm JIT (median of ${APPLY_RUNS})`,
          ms(warmApply),
          ratio(coldMedian, warmApply),
        ],
        [
          `plain Y.applyUpdate, fresh process (median of ${COLD_APPLY_RUNS})`,
          ms(coldApply),
          ratio(coldMedian, coldApply),
        ],
      ],
    );
    console.log(`state: ${count(state!.length)} bytes; seeding through one client took ${ms(seedMs)} ms`);
    console.log(notes.join('; '));
  } finally {
    await server.stop();
    removeDataDir(dataDir);
  }
}
