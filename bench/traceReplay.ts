/**
 * Trace replay: the automerge-paper trace typed as fast as possible into one
 * client (one Yjs transaction per trace transaction), received by a second.
 * Wall time runs from the first edit until the receiver's text equals
 * `endContent`. Three paths: the Tandem relay (persistence on), the bare `ws`
 * relay, and plain in-memory Yjs (updates passed by a direct applyUpdate).
 */
import type WebSocket from 'ws';
import * as Y from 'yjs';
import { addFile } from '../shared/schema/project.js';
import { connectProvider, destroyProviders, waitFor, waitReady } from './lib/clients.js';
import { count, mib, ms, printTable, ratio, type Cell } from './lib/format.js';
import { fileText, whenTextEquals } from './lib/project.js';
import { healthz, relayAvailable, startBare, startTandem, type Server } from './lib/servers.js';
import { loadTrace, typeTrace, type Trace } from './lib/trace.js';
import { cpuMeter } from './lib/cpu.js';

const RECEIVE_TIMEOUT_MS = 180_000;

interface Replay {
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

async function throughServer(server: Server, trace: Trace): Promise<Replay> {
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
    return { ...result, serverCpuMs: cpu() };
  } finally {
    await destroyProviders(typist ? [typist, receiver] : [receiver]);
  }
}

export async function traceReplay(): Promise<void> {
  const trace = loadTrace();
  const rows: Cell[][] = [];
  const memory = await inMemory(trace);
  rows.push(['in-memory Yjs', ms(memory.typedMs), ms(memory.totalMs), '-', '-', '1.00x', '']);

  const bareServer = await startBare();
  let bare: Replay;
  try {
    bare = await throughServer(bareServer, trace);
  } finally {
    await bareServer.stop();
  }
  rows.push([
    bareServer.label,
    ms(bare.typedMs),
    ms(bare.totalMs),
    count(bare.frames ?? 0),
    ms(bare.serverCpuMs ?? Number.NaN),
    ratio(bare.totalMs, memory.totalMs),
    '1.00x',
  ]);

  let note = 'relay/main.ts not found: baseline only';
  if (relayAvailable()) {
    const relayServer = await startTandem();
    try {
      const relay = await throughServer(relayServer, trace);
      rows.push([
        relayServer.label,
        ms(relay.typedMs),
        ms(relay.totalMs),
        count(relay.frames ?? 0),
        ms(relay.serverCpuMs ?? Number.NaN),
        ratio(relay.totalMs, memory.totalMs),
        ratio(relay.totalMs, bare.totalMs),
      ]);
      const health = await healthz(relayServer.process.url);
      note = `relay after replay: rss ${mib(health.rssBytes)} MiB, heap used ${mib(health.heapUsedBytes)} MiB`;
    } finally {
      await relayServer.stop();
    }
  }
  printTable(
    `Trace replay: automerge-paper, ${count(trace.txns.length)} transactions, ${count(trace.endContent.length)} chars at the end (ms)`,
    ['path', 'typed', 'received', 'frames in', 'server CPU', 'vs memory', 'vs bare'],
    rows,
  );
  console.log(note);
}
