/**
 * Replay: a room holding the whole automerge-paper trace, typed through one
 * provider (so the relay coalesces and stores it as a real session), fetched
 * back with GET /history and indexed by the replay engine
 * (shared/replay/engine.ts). Reports seek latency to random points and per
 * step of forward playback, beside plain Yjs measured in the same run on the
 * same targets: a fresh doc with every entry up to the target applied, in one
 * transaction and one apply each (a replayer without checkpoints). Then the
 * same for the trace stored as one entry per transaction, the longest log the
 * trace can make (a slow typist's session), built in process. Also the
 * bundle's size, the fetch, parse, index and authorship costs, and the memory
 * the index keeps. Asserts correctness only: every measured seek against the
 * baseline's text, the end and playback against the trace's endContent.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import * as Y from 'yjs';
import { Authorship, lineAuthors } from '../shared/replay/authorship.js';
import { readReplayBundle, type ReplayEntry } from '../shared/replay/bundle.js';
import { ReplayEngine } from '../shared/replay/engine.js';
import { addFile } from '../shared/schema/project.js';
import { connectProvider, destroyProviders, sleep, waitReady } from './lib/clients.js';
import { count, mib, ms, printTable, ratio, type Cell } from './lib/format.js';
import { fileText, firstFileText } from './lib/project.js';
import { relayAvailable, startTandem, type RelayServer, type Room } from './lib/servers.js';
import { summarize, type Summary } from './lib/stats.js';
import { loadTrace, typeTrace, typeTraceSync, type Trace } from './lib/trace.js';

const RANDOM_SEEKS = 200;
/** Plain Yjs replays up to ~all the log per target: a subset of the same targets keeps it to seconds. */
const BASELINE_SEEKS = 20;
const KEYSTROKE_BASELINE_SEEKS = 5;
const STORED_TIMEOUT_MS = 120_000;

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap and ArrayBuffers (checkpoints are Uint8Arrays, outside the heap). */
function memoryAfterGc(): number {
  collect();
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Types the trace through one provider; resolves once the relay's copy of the file is the trace's end. */
async function seed(server: RelayServer, trace: Trace): Promise<Room> {
  const room = await server.newRoom();
  const provider = connectProvider(server, room);
  try {
    await waitReady(provider, server);
    const doc = provider.doc;
    const fileId = addFile(doc, 'paper.md', trace.startContent);
    await typeTrace(doc, fileText(doc, fileId)!, trace);
    const url = `${server.process.url}/api/rooms/${room.roomId}/files/paper.md`;
    const deadline = performance.now() + STORED_TIMEOUT_MS;
    for (;;) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${room.token}` } });
      if ((await response.text()) === trace.endContent) return room;
      if (performance.now() > deadline) throw new Error('the relay never held the whole trace');
      await sleep(200);
    }
  } finally {
    await destroyProviders([provider]);
  }
}

/** Deterministic targets (Park-Miller), so runs seek to the same places. */
function randomTargets(count: number, size: number): number[] {
  let state = 6;
  return Array.from({ length: count }, () => {
    state = (state * 48271) % 2147483647;
    return Math.floor((state / 2147483647) * size);
  });
}

function textOf(doc: Y.Doc): string {
  const text = firstFileText(doc);
  if (!text) throw new Error('no file in the replayed document');
  return text.toString();
}

/** Plain Yjs: every entry up to `target` into a fresh doc, in one transaction or one each. */
function fromScratch(entries: readonly ReplayEntry[], target: number, oneTransaction: boolean): string {
  const doc = new Y.Doc();
  const apply = () => {
    for (let i = 0; i <= target; i++) Y.applyUpdate(doc, entries[i]!.data);
  };
  if (oneTransaction) doc.transact(apply);
  else apply();
  const text = textOf(doc);
  doc.destroy();
  return text;
}

function row(label: string, s: Summary, vs?: Summary): Cell[] {
  return [label, count(s.count), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), vs ? ratio(s.p50, vs.p50) : ''];
}

/** The whole log typed as one entry per trace transaction, as a slow typist's session would be stored. */
function keystrokeLog(trace: Trace): ReplayEntry[] {
  const doc = new Y.Doc();
  const entries: ReplayEntry[] = [];
  doc.on('update', (data: Uint8Array) =>
    entries.push({ seq: entries.length + 1, at: entries.length, author: 'a', data }),
  );
  const fileId = addFile(doc, 'paper.md', trace.startContent);
  typeTraceSync(doc, fileText(doc, fileId)!, trace);
  doc.destroy();
  return entries;
}

interface Measured {
  rows: Cell[][];
  figures: Cell[][];
  playback: string;
}

/** Index, seek, baseline and playback figures for one log of the trace. */
function measure(entries: readonly ReplayEntry[], trace: Trace, baselineSeeks: number): Measured {
  const memoryBefore = memoryAfterGc();
  const engine = ReplayEngine.build(entries);
  const memoryAfter = memoryAfterGc();
  const authorshipStart = performance.now();
  const authorship = Authorship.fromEntries(entries);
  const authorshipMs = performance.now() - authorshipStart;

  const last = entries.length - 1;
  if (textOf(engine.seek(last)) !== trace.endContent) throw new Error('replay did not end at endContent');
  const linesStart = performance.now();
  const lines = lineAuthors(firstFileText(engine.doc)!, authorship);
  const linesMs = performance.now() - linesStart;

  // Random seeks; the first `baselineSeeks` targets are also replayed from scratch and compared.
  const targets = randomTargets(RANDOM_SEEKS, entries.length);
  const seekTimes: number[] = [];
  const texts: string[] = [];
  for (const target of targets) {
    const start = performance.now();
    const text = textOf(engine.seek(target));
    seekTimes.push(performance.now() - start);
    if (texts.length < baselineSeeks) texts.push(text);
  }
  const baseline = (oneTransaction: boolean) => {
    const times: number[] = [];
    for (let i = 0; i < baselineSeeks; i++) {
      const start = performance.now();
      const text = fromScratch(entries, targets[i]!, oneTransaction);
      times.push(performance.now() - start);
      if (text !== texts[i]) throw new Error(`seek to ${targets[i]} differs from plain Yjs`);
    }
    return summarize(times);
  };
  const plain = baseline(true);
  const plainEach = baseline(false);

  // Playback: every entry in order, one step each.
  engine.seek(-1);
  const stepTimes: number[] = [];
  for (let i = 0; i <= last; i++) {
    const start = performance.now();
    engine.step();
    stepTimes.push(performance.now() - start);
  }
  if (textOf(engine.doc) !== trace.endContent) throw new Error('playback did not end at endContent');
  const steps = summarize(stepTimes);
  const us = (value: number) => `${(value * 1000).toFixed(1)} µs`;
  const stats = engine.stats;
  return {
    rows: [
      row('plain Yjs: entries 0..target, one transaction', plain),
      row('plain Yjs: entries 0..target, one apply each', plainEach),
      row(`engine: the same ${baselineSeeks} targets`, summarize(seekTimes.slice(0, baselineSeeks)), plain),
      row(`engine: ${RANDOM_SEEKS} random targets`, summarize(seekTimes), plain),
    ],
    figures: [
      ['log entries', count(entries.length)],
      ['update bytes in the log', count(entries.reduce((sum, e) => sum + e.data.byteLength, 0))],
      ['build the engine (one pass, events, checkpoints)', ms(stats.buildMs)],
      ['checkpoints', count(stats.checkpoints)],
      ['checkpoint MiB', mib(stats.checkpointBytes)],
      ['entries applied per seek, at most', count(engine.maxEntriesPerSeek)],
      ['memory kept by the engine MiB (heap + buffers, after GC)', mib(memoryAfter - memoryBefore)],
      ['authorship table from the log', ms(authorshipMs)],
      [`line authors of the final text (${count(lines.length)} lines)`, ms(linesMs)],
    ],
    playback:
      `playback, one step per entry (${count(steps.count)} steps): p50 ${us(steps.p50)}, p99 ${us(steps.p99)}, ` +
      `max ${ms(steps.max)} ms, all ${ms(stepTimes.reduce((a, b) => a + b, 0))} ms`,
  };
}

function print(title: string, measured: Measured, extra: Cell[][] = []): void {
  printTable(title, ['path', 'seeks', 'p50', 'p95', 'p99', 'max', 'p50 vs plain'], measured.rows);
  console.log(measured.playback);
  printTable('Replay index (ms unless stated)', ['figure', 'value'], [...extra, ...measured.figures]);
}

export async function replayBench(): Promise<void> {
  if (!relayAvailable()) {
    console.log('\nReplay: relay/main.ts not found, skipped');
    return;
  }
  const trace = loadTrace();
  const server = await startTandem();
  try {
    const seedStart = performance.now();
    const room = await seed(server, trace);
    const seedMs = performance.now() - seedStart;

    const fetchStart = performance.now();
    const response = await fetch(`${server.process.url}/api/rooms/${room.roomId}/history`, {
      headers: { authorization: `Bearer ${room.token}` },
    });
    if (response.status !== 200) throw new Error(`GET /history: ${response.status}`);
    const json = await response.text();
    const fetchMs = performance.now() - fetchStart;
    const parseStart = performance.now();
    const { entries } = readReplayBundle(json);
    const parseMs = performance.now() - parseStart;
    print(
      `Replay: automerge-paper (${count(trace.txns.length)} transactions) typed through the relay, which stored ${count(entries.length)} log entries (ms)`,
      measure(entries, trace, BASELINE_SEEKS),
      [
        ['bundle JSON bytes', count(json.length)],
        ['GET /history (relay + transfer)', ms(fetchMs)],
        ['parse and validate the bundle', ms(parseMs)],
      ],
    );
    console.log(`seeding: typing the trace into the room took ${ms(seedMs)} ms`);
  } finally {
    await server.stop();
  }
  print(
    `Replay: the same trace as one log entry per transaction (a slow typist's session; built in process) (ms)`,
    measure(keystrokeLog(trace), trace, KEYSTROKE_BASELINE_SEEKS),
  );
}
