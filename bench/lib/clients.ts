/**
 * Clients for the load generator. `connectProvider` is the official y-websocket
 * client (what an editor tab runs); `RawReceiver` is a bare `ws` socket that
 * speaks just enough of the sync protocol to receive updates, without a Y.Doc,
 * so that hundreds of them fit in one process without the load generator
 * becoming the bottleneck.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import { speaksSync, type Room, type Server } from './servers.js';
import { MessageType, SyncStep } from '../../shared/protocol/table.js';

// y-websocket adds a process 'exit' listener per provider; churn holds 20 at once.
process.setMaxListeners(0);

export const sleep = (delayMs: number) => new Promise<void>((done) => setTimeout(done, delayMs));
export const nextTurn = () => new Promise<void>((done) => setImmediate(done));

/** Polls `check` until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

export function connectProvider(server: Server, room: Room, doc = new Y.Doc()): WebsocketProvider {
  return new WebsocketProvider(`${server.wsUrl}/yjs`, room.roomId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: room.token ? { token: room.token } : {},
    // Same-process providers would otherwise talk through a BroadcastChannel and skip the server.
    disableBc: true,
  });
}

/**
 * Waits until the provider can be used: synced with the server, or on the bare
 * relay (where nobody may answer sync step 1) merely connected.
 */
export async function waitReady(
  provider: WebsocketProvider,
  server: Server,
  timeoutMs = 30_000,
): Promise<void> {
  const check = speaksSync(server) ? () => provider.synced : () => provider.wsconnected;
  await waitFor(check, `${server.label} client ready`, timeoutMs);
}

const EMPTY_DOC = new Y.Doc();

/**
 * A receiver without a Y.Doc. Every update or sync step 2 payload goes to
 * `onUpdate`. With `handshake` it sends sync step 1 (empty state vector) on open
 * and answers the server's sync step 1 with an empty step 2, like a fresh client.
 */
export class RawReceiver {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  /** Resolves at the first sync step 2 from the server (handshake mode). */
  readonly synced: Promise<void>;
  closed = false;

  constructor(
    url: string,
    private readonly handshake: boolean,
    private readonly onUpdate: (update: Uint8Array, receivedAt: number) => void,
  ) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = 'nodebuffer';
    let syncedDone: () => void = () => {};
    this.synced = new Promise((done) => (syncedDone = done));
    this.opened = new Promise((done, fail) => {
      this.socket.once('open', () => done());
      this.socket.once('error', fail);
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('open', () => {
      if (!this.handshake) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.Sync);
      syncProtocol.writeSyncStep1(encoder, EMPTY_DOC);
      this.socket.send(encoding.toUint8Array(encoder));
    });
    this.socket.on('message', (data: Buffer) => {
      const receivedAt = performance.now();
      const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (decoding.readVarUint(decoder) !== MessageType.Sync) return;
      const step = decoding.readVarUint(decoder);
      if (step === SyncStep.Step1) {
        if (!this.handshake) return;
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MessageType.Sync);
        syncProtocol.writeSyncStep2(encoder, EMPTY_DOC, decoding.readVarUint8Array(decoder));
        this.socket.send(encoding.toUint8Array(encoder));
        return;
      }
      const update = decoding.readVarUint8Array(decoder);
      if (step === SyncStep.Step2) syncedDone();
      this.onUpdate(update, receivedAt);
    });
  }

  close(): void {
    this.socket.close();
  }
}

export function roomUrl(server: Server, room: Room): string {
  const query = room.token ? `?token=${encodeURIComponent(room.token)}` : '';
  return `${server.wsUrl}/yjs/${room.roomId}${query}`;
}

/**
 * Disconnects providers and destroys their docs: a doc's Awareness keeps a
 * 3-second interval running until the doc is destroyed, and thousands of those
 * would load the load generator.
 */
export async function destroyProviders(providers: WebsocketProvider[]): Promise<void> {
  const closing = providers.map(
    (provider) =>
      new Promise<void>((done) => {
        const ws = provider.ws as unknown as WebSocket | null;
        if (!ws || ws.readyState === WebSocket.CLOSED) return done();
        ws.once('close', () => done());
        setTimeout(done, 2000);
      }),
  );
  for (const provider of providers) {
    provider.destroy();
    provider.doc.destroy();
  }
  await Promise.all(closing);
}
