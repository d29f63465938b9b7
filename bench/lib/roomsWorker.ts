/**
 * A load-generator process for the many-rooms benchmark (bench/rooms.ts):
 * holds every client of its rooms, so a room's sender and receivers share one
 * clock. Each client has its own Y.Doc and types one character at the end of
 * its own root text every 1 / editsPerSecond s (random phase); its update goes
 * to the server as a y-protocols sync update. A client's Yjs clock advances by
 * one per edit, so a receiver learns which edits a frame carries from the
 * clock range in its header (`Y.parseUpdateMeta`), merged frames included.
 *
 * Started with `fork`; gets its job as the first IPC message and answers with
 * its latencies once the measured window is over.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType, SyncStep } from '../../shared/protocol/table.js';

export interface RoomsJob {
  /** Each room's URLs: client c of a room connects to urls[c % urls.length] (one relay each, for a cluster). */
  rooms: { urls: string[] }[];
  clientsPerRoom: number;
  editsPerSecond: number;
  /** Speak the sync handshake (a server that answers it) or not (the bare relay). */
  handshake: boolean;
  warmupMs: number;
  measureMs: number;
}

export interface RoomsResult {
  /** Delivery latencies between clients on the same server (all of them, with one URL a room). */
  latencies: number[];
  /** Between clients on different servers of a room's URLs. */
  crossLatencies: number[];
  /** Edits typed in the measured window, and deliveries expected / seen of them. */
  typed: number;
  expected: number;
  delivered: number;
  closed: number;
  cpuMs: number;
}

const EMPTY = new Y.Doc();

interface Client {
  doc: Y.Doc;
  socket: WebSocket;
  ready: Promise<void>;
  /** Per other sender's client id: the highest of its clocks seen. */
  seen: Map<number, number>;
}

function encodeFrame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

async function run(job: RoomsJob): Promise<RoomsResult> {
  const latencies: number[] = [];
  const crossLatencies: number[] = [];
  /** Per client id: the index of the URL it connected to. */
  const serverOf = new Map<number, number>();
  let measuring = false;
  let typed = 0;
  let delivered = 0;
  let closed = 0;
  /** Per sender client id: send time of each measured clock. */
  const sentAt = new Map<number, Map<number, number>>();
  const rooms: Client[][] = job.rooms.map(({ urls }) => {
    const clients: Client[] = [];
    for (let c = 0; c < job.clientsPerRoom; c++) {
      const doc = new Y.Doc();
      const server = c % urls.length;
      serverOf.set(doc.clientID, server);
      const socket = new WebSocket(urls[server]!, { perMessageDeflate: false });
      socket.binaryType = 'nodebuffer';
      const client: Client = { doc, socket, ready: Promise.resolve(), seen: new Map() };
      client.ready = new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('open', () => {
          if (!job.handshake) return resolve();
          socket.send(
            encodeFrame(
              (e) => (encoding.writeVarUint(e, MessageType.Sync), syncProtocol.writeSyncStep1(e, EMPTY)),
            ),
          );
        });
        socket.on('message', (data: Buffer) => {
          const receivedAt = performance.now();
          const decoder = decoding.createDecoder(
            new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          );
          if (decoding.readVarUint(decoder) !== MessageType.Sync) return;
          const step = decoding.readVarUint(decoder);
          if (step === SyncStep.Step1) {
            const sv = decoding.readVarUint8Array(decoder);
            socket.send(
              encodeFrame(
                (e) => (
                  encoding.writeVarUint(e, MessageType.Sync),
                  syncProtocol.writeSyncStep2(e, EMPTY, sv)
                ),
              ),
            );
            return;
          }
          const update = decoding.readVarUint8Array(decoder);
          if (step === SyncStep.Step2) resolve();
          for (const [sender, to] of Y.parseUpdateMeta(update).to) {
            if (sender === doc.clientID) continue; // a server that echoes to the sender
            const times = sentAt.get(sender);
            if (!times) continue;
            const from = client.seen.get(sender) ?? 0;
            const into = serverOf.get(sender) === server ? latencies : crossLatencies;
            for (let clock = from + 1; clock <= to; clock++) {
              const at = times.get(clock);
              if (at === undefined) continue;
              into.push(receivedAt - at);
              delivered++;
            }
            if (to > from) client.seen.set(sender, to);
          }
        });
      });
      socket.on('close', () => closed++);
      doc.on('update', (update: Uint8Array) => {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(
            encodeFrame(
              (e) => (encoding.writeVarUint(e, MessageType.Sync), syncProtocol.writeUpdate(e, update)),
            ),
          );
        }
      });
      sentAt.set(doc.clientID, new Map());
      clients.push(client);
    }
    return clients;
  });
  await Promise.all(rooms.flat().map((client) => client.ready));

  const periodMs = 1000 / job.editsPerSecond;
  const timers: NodeJS.Timeout[] = [];
  for (const client of rooms.flat()) {
    const text = client.doc.getText('bench');
    const times = sentAt.get(client.doc.clientID)!;
    const edit = () => {
      const at = performance.now();
      text.insert(text.length, 'x');
      if (!measuring) return;
      typed++;
      times.set(text.length, at);
    };
    timers.push(setTimeout(() => timers.push(setInterval(edit, periodMs)), Math.random() * periodMs));
  }
  const cpuStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, job.warmupMs));
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, job.measureMs));
  measuring = false;
  const cpu = process.cpuUsage(cpuStart);
  // Let the last deliveries arrive, then stop.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  for (const timer of timers) clearInterval(timer);
  for (const client of rooms.flat()) client.socket.terminate();
  return {
    latencies,
    crossLatencies,
    typed,
    expected: typed * (job.clientsPerRoom - 1),
    delivered,
    closed,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.once('message', (job: RoomsJob) => {
  run(job).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
