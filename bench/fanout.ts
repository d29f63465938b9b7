/**
 * Fan-out: one typist at 100 edits/s into one room, N receivers; latency of
 * every delivery (receive time minus send time, one clock: every client lives
 * in this process). Each edit inserts one character at the end of a file's
 * Y.Text, so the typist's Yjs clock advances by exactly one per edit: the
 * typist records (clock after the edit, send time), and a receiver learns which
 * edits a frame carries from the clock range in the update's header
 * (`Y.parseUpdateMeta`). That stays right if a relay coalesces several updates
 * into one frame, and costs the receivers the same on either server.
 */
import * as Y from 'yjs';
import { addFile } from '../shared/schema/project.js';
import {
  connectProvider,
  destroyProviders,
  RawReceiver,
  roomUrl,
  sleep,
  waitFor,
  waitReady,
} from './lib/clients.js';
import { count, ms, printTable, ratio, type Cell } from './lib/format.js';
import { fileText } from './lib/project.js';
import {
  relayAvailable,
  speaksSync,
  startBare,
  startReference,
  startTandem,
  type Server,
} from './lib/servers.js';
import { median, summarize } from './lib/stats.js';
import { cpuMeter } from './lib/cpu.js';

const EDITS_PER_SECOND = 100;
const WARMUP_EDITS = 200;
const MEASURED_EDITS = 1000;
const SIZES = [50, 200];
/** Rounds per size, alternating servers, so a slow spell on a shared machine hits both. */
const ROUNDS = 3;
const DRAIN_TIMEOUT_MS = 10_000;

interface Sent {
  clock: number;
  sentAt: number;
  measured: boolean;
}

interface Result {
  latencies: Float64Array;
  /** Server CPU time over wall time while the typist typed and receivers drained, in %. */
  cpuPercent: number | undefined;
  missing: number;
  dropped: number;
}

async function measure(server: Server, receivers: number): Promise<Result> {
  const room = await server.newRoom();
  const sent: Sent[] = [];
  const latencies = new Float64Array(receivers * MEASURED_EDITS);
  let recorded = 0;
  const typistDoc = new Y.Doc();
  const typistId = typistDoc.clientID;

  const cursors = new Array<number>(receivers).fill(0);
  const sockets = Array.from(
    { length: receivers },
    (_, index) =>
      new RawReceiver(roomUrl(server, room), speaksSync(server), (update, receivedAt) => {
        const to = Y.parseUpdateMeta(update).to.get(typistId);
        if (to === undefined) return;
        let cursor = cursors[index]!;
        while (cursor < sent.length && sent[cursor]!.clock <= to) {
          const edit = sent[cursor]!;
          if (edit.measured) latencies[recorded++] = receivedAt - edit.sentAt;
          cursor++;
        }
        cursors[index] = cursor;
      }),
  );
  const typist = connectProvider(server, room, typistDoc);
  try {
    await Promise.all(sockets.map((socket) => socket.opened));
    if (speaksSync(server)) await Promise.all(sockets.map((socket) => socket.synced));
    await waitReady(typist, server);
    const fileId = addFile(typistDoc, 'fanout.txt');
    const text = fileText(typistDoc, fileId)!;
    await sleep(500);

    // Absolute schedule, so timer drift does not lower the rate.
    const cpu = cpuMeter(server.pid);
    const start = performance.now();
    const total = WARMUP_EDITS + MEASURED_EDITS;
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / EDITS_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sentAt = performance.now();
      text.insert(text.length, 'x');
      sent.push({ clock: Y.getState(typistDoc.store, typistId), sentAt, measured: i >= WARMUP_EDITS });
    }
    await waitFor(
      () => cursors.every((cursor, i) => cursor === sent.length || sockets[i]!.closed),
      'every receiver to get every edit',
      DRAIN_TIMEOUT_MS,
    ).catch(() => {});
    const cpuMs = cpu();
    const wallMs = performance.now() - start;
    const missing = cursors.reduce((sum, cursor) => sum + (sent.length - cursor), 0);
    return {
      latencies: latencies.subarray(0, recorded),
      cpuPercent: cpuMs === undefined ? undefined : (cpuMs / wallMs) * 100,
      missing,
      dropped: sockets.filter((socket) => socket.closed).length,
    };
  } finally {
    for (const socket of sockets) socket.close();
    await destroyProviders([typist]);
  }
}

export async function fanout(): Promise<void> {
  const withRelay = relayAvailable();
  const servers: Server[] = [await startBare(), await startReference()];
  if (withRelay) servers.push(await startTandem({ TANDEM_MAX_CONNECTIONS_PER_ROOM: '300' }));
  else console.log('relay/main.ts not found: baseline only');
  const rows: Cell[][] = [];
  const problems: string[] = [];
  try {
    for (const receivers of SIZES) {
      const pooled = servers.map(() => [] as Float64Array[]);
      const roundP99 = servers.map(() => [] as number[]);
      const missing = servers.map(() => 0);
      const cpuPercent = servers.map(() => [] as number[]);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, server] of servers.entries()) {
          const result = await measure(server, receivers);
          pooled[i]!.push(result.latencies);
          roundP99[i]!.push(summarize(result.latencies).p99);
          missing[i]! += result.missing;
          if (result.cpuPercent !== undefined) cpuPercent[i]!.push(result.cpuPercent);
          if (result.missing > 0 || result.dropped > 0) {
            problems.push(
              `${server.label}, ${receivers} receivers, round ${round + 1}: ` +
                `${result.missing} deliveries missing, ${result.dropped} sockets closed`,
            );
          }
        }
      }
      const summaries = pooled.map((parts) => summarize(concat(parts)));
      const bare = summaries[0]!;
      const bareRoundP99 = median(roundP99[0]!);
      const reference = summaries[1]!;
      const referenceRoundP99 = median(roundP99[1]!);
      for (const [i, server] of servers.entries()) {
        const summary = summaries[i]!;
        rows.push([
          receivers,
          server.label,
          count(summary.count),
          ms(summary.p50),
          ms(summary.p99),
          ms(summary.max),
          roundP99[i]!.map(ms).join(' / '),
          server.kind !== 'bare' ? ratio(summary.p99, bare.p99) : '',
          server.kind === 'relay' ? ratio(summary.p99, reference.p99) : '',
          server.kind === 'relay' ? ratio(median(roundP99[i]!), referenceRoundP99) : '',
          server.kind !== 'bare' ? ratio(median(roundP99[i]!), bareRoundP99) : '',
          cpuPercent[i]!.length > 0 ? `${median(cpuPercent[i]!).toFixed(0)}%` : '-',
          missing[i]!,
        ]);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  printTable(
    `Fan-out: 1 typist at ${EDITS_PER_SECOND} edits/s; ${ROUNDS} rounds per server of ${MEASURED_EDITS} ` +
      `measured edits after ${WARMUP_EDITS} warm-up, pooled (delivery latency, ms)`,
    [
      'receivers',
      'server',
      'deliveries',
      'p50',
      'p99',
      'max',
      'p99 per round',
      'p99/bare',
      'p99/reference',
      'median round p99/reference',
      'median round p99/bare',
      'server CPU',
      'missing',
    ],
    rows,
  );
  if (problems.length > 0) throw new Error(`fan-out lost deliveries:\n${problems.join('\n')}`);
}

function concat(parts: Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}
