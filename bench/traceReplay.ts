/**
 * Trace replay: the automerge-paper trace typed as fast as possible into one
 * client (one Yjs transaction per trace transaction), received by a second.
 * Wall time runs from the first edit until the receiver's text equals
 * `endContent`. Four paths: the Tandem relay (built, persistence on), the
 * reference server (@y/websocket-server), the bare `ws` relay, and plain
 * in-memory Yjs (updates passed by a direct applyUpdate). Each server's
 * resident memory is read idle (after start) and after the trace.
 */
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { addFile } from '../shared/schema/project.js';
import { connectProvider, destroyProviders, waitFor, waitReady } from './lib/clients.js';
import { count, ms, printTable, ratio, type Cell } from './lib/format.js';
import { fileText, whenTextEquals } from './lib/project.js';
import {
  relayAvailable,
  rssMiB,
  startBare,
  startReference,
  startTandem,
  type Server,
} from './lib/servers.js';
import { loadTrace, typeTrace, type Trace } from './lib/trace.js';
import { cpuMeter } from './lib/cpu.js';

const RECEIVE_TIMEOUT_MS = 180_000;

interface Replay {
  /** Resident memory of the server before and after the trace (MiB). */
  rss?: [number | undefined, number | undefined];
  typedMs: number;
  totalMs: number;
  frames: number | undefined;
  /** CPU time the server process used during the replay. */
  serverCpuMs?: number | undefined;
}

async function replay(
  trace: Trace,
  typistDoc: Y.Doc,
  receiverDoc: Y.Doc,
  countFrames?: () => number,
): Promise<Replay> {
  const fileId = addFile(typistDoc, 'paper.md', trace.startContent);
  const text = fileText(typistDoc, fileId)!;
  await waitFor(() => fileText(receiverDoc, fileId) !== undefined, 'the receiver to see the file');
  const received = whenTextEquals(
    receiverDoc,
    fileText(receiverDoc, fileId)!,
    trace.endContent,
    RECEIVE_TIMEOUT_MS,
  );
  const framesBefore = countFrames?.() ?? 0;
  const start = performance.now();
  await typeTrace(typistDoc, text, trace);
  const typedAt = performance.now();
  const receivedAt = await received;
  if (text.toString() !== trace.endContent) throw new Error('the typist did not end at endContent');
  return {
    typedMs: typedAt - start,
    totalMs: receivedAt - start,
    frames: countFrames ? countFrames() - framesBefore : undefined,
  };
}

function inMemory(trace: Trace): Promise<Replay> {
  const typistDoc = new Y.Doc();
  const receiverDoc = new Y.Doc();
  typistDoc.on('update', (update: Uint8Array) => Y.applyUpdate(receiverDoc, update));
  return replay(trace, typistDoc, receiverDoc);
}

/** Time a freshly started server is given to settle before its idle memory is read. */
const IDLE_SETTLE_MS = 3_000;

async function throughServer(server: Server, trace: Trace): Promise<Replay> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const idle = rssMiB(server.pid);
  const room = await server.newRoom();
  const receiverDoc = new Y.Doc();
  const receiver = connectProvider(server, room, receiverDoc);
  const typistDoc = new Y.Doc();
  let typist: ReturnType<typeof connectProvider> | undefined;
  try {
    await waitReady(receiver, server);
    typist = connectProvider(server, room, typistDoc);
    await waitReady(typist, server);
    let frames = 0;
    (receiver.ws as unknown as WebSocket).on('message', () => frames++);
    const cpu = cpuMeter(server.pid);
    const result = await replay(trace, typistDoc, receiverDoc, () => frames);
    return { ...result, serverCpuMs: cpu(), rss: [idle, rssMiB(server.pid)] };
  } finally {
    await destroyProviders(typist ? [typist, receiver] : [receiver]);
  }
}

export async function traceReplay(): Promise<void> {
  const trace = loadTrace();
  const rows: Cell[][] = [];
  const memory = await inMemory(trace);
  rows.push(['in-memory Yjs', ms(memory.typedMs), ms(memory.totalMs), '-', '-', '-', '1.00x', '']);
  const starts: (() => Promise<Server>)[] = [startBare, startReference];
  if (relayAvailable()) starts.push(() => startTandem());
  let bareMs = Number.NaN;
  for (const start of starts) {
    const server = await start();
    let result: Replay;
    try {
      result = await throughServer(server, trace);
    } finally {
      await server.stop();
    }
    if (server.kind === 'bare') bareMs = result.totalMs;
    const [idle, after] = result.rss ?? [];
    rows.push([
      server.label,
      ms(result.typedMs),
      ms(result.totalMs),
      count(result.frames ?? 0),
      ms(result.serverCpuMs ?? Number.NaN),
      idle === undefined || after === undefined ? '-' : `${idle.toFixed(0)} -> ${after.toFixed(0)} MiB`,
      ratio(result.totalMs, memory.totalMs),
      ratio(result.totalMs, bareMs),
    ]);
  }
  printTable(
    `Trace replay: automerge-paper, ${count(trace.txns.length)} transactions, ${count(trace.endContent.length)} chars at the end (ms)`,
    [
      'path',
      'typed',
      'received',
      'frames in',
      'server CPU',
      'server RSS idle -> after',
      'vs memory',
      'vs bare',
    ],
    rows,
  );
}
