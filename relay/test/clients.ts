/**
 * Clients for the relay's integration tests: the official y-websocket provider
 * (as browsers use it), a raw `ws` client that records every frame, builders for
 * hand-made frames, and small HTTP and token helpers. Nothing here is mocked:
 * every helper talks to a real relay over a real socket.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { readTokenClaims, type TokenClaims } from '../../shared/token.js';
import { snapshotFiles } from '../../shared/schema/project.js';
import { decode, encode } from '../../shared/protocol/codec.js';
import {
  Direction,
  MessageType,
  type MessageOf,
  type PeerMessage,
  type RelayToClientMessage,
  type RoomStateMessage,
  type RunMessage,
  type TandemMessage,
} from '../../shared/protocol/table.js';

export const WAIT_MS = 10_000;

// ---------------------------------------------------------------------------
// Waiting

/** Polls `check` until it is true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Rejects after `timeoutMs` with a message naming what never happened. */
export function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = WAIT_MS): Promise<T> {
  return new Promise<T>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        done(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        fail(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

// ---------------------------------------------------------------------------
// URLs and tokens

export function yjsUrl(wsUrl: string, roomId: string, token?: string): string {
  const base = `${wsUrl}/yjs/${encodeURIComponent(roomId)}`;
  return token === undefined ? base : `${base}?token=${encodeURIComponent(token)}`;
}

export function claimsOf(token: string): TokenClaims {
  const claims = readTokenClaims(token);
  if (!claims) throw new Error(`not a token: ${token}`);
  return claims;
}

/** Changes claims and re-encodes them, keeping the old signature. */
export function tamperToken(token: string, change: (claims: Record<string, unknown>) => void): string {
  const dot = token.indexOf('.');
  const claims = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  change(claims);
  return `${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}${token.slice(dot)}`;
}

/** Flips one character of the signature. */
export function corruptSignature(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

/** The `token` in a link's fragment (`...#token=...`). */
export function tokenFromLink(link: string): string {
  const hash = new URL(link).hash.replace(/^#/, '');
  const token = new URLSearchParams(hash).get('token');
  if (!token) throw new Error(`no token in the fragment of ${link}`);
  return token;
}

// ---------------------------------------------------------------------------
// HTTP

export interface JsonResponse {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

export async function request(
  url: string,
  options: { method?: string; token?: string; body?: unknown; rawBody?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.rawBody;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: parsed,
    text,
  };
}

export interface Health {
  ok: boolean;
  rooms: number;
  connections: number;
  rssBytes: number;
  heapUsedBytes: number;
  droppedSignals: number;
  heldUpdateBytes: number;
  cluster?: { redis: 'up' | 'down'; runsAway: number; runsHosted: number };
}

export async function health(url: string): Promise<{ status: number; body: Health }> {
  const response = await request(`${url}/healthz`);
  return { status: response.status, body: response.body as Health };
}

export async function getFiles(
  url: string,
  roomId: string,
  token: string,
): Promise<{ id: string; path: string; size: number }[]> {
  const response = await request(`${url}/api/rooms/${roomId}/files`, { token });
  if (response.status !== 200) throw new Error(`GET files: ${response.status} ${response.text}`);
  return response.body as { id: string; path: string; size: number }[];
}

export async function getFileText(url: string, roomId: string, token: string, path: string): Promise<string> {
  const response = await request(`${url}/api/rooms/${roomId}/files/${path}`, { token });
  if (response.status !== 200) throw new Error(`GET files/${path}: ${response.status} ${response.text}`);
  return response.text;
}

// ---------------------------------------------------------------------------
// The official provider

export interface Peer {
  doc: Y.Doc;
  provider: WebsocketProvider;
  awareness: awarenessProtocol.Awareness;
  destroy(): void;
}

/** A WebsocketProvider exactly as a browser would make it (BroadcastChannel off: one process holds many). */
export function connectPeer(
  wsUrl: string,
  roomId: string,
  token: string,
  options: { doc?: Y.Doc; maxBackoffTime?: number } = {},
): Peer {
  const doc = options.doc ?? new Y.Doc();
  // each provider adds a process 'exit' listener; tests hold more than ten at once
  if (process.getMaxListeners() < 100) process.setMaxListeners(100);
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, roomId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: options.maxBackoffTime ?? 300,
  });
  return {
    doc,
    provider,
    awareness: provider.awareness,
    destroy() {
      provider.destroy();
      provider.awareness.destroy();
      doc.destroy();
    },
  };
}

export async function waitSynced(peer: Peer, timeoutMs = WAIT_MS): Promise<void> {
  await waitFor(() => peer.provider.synced, `provider of ${peer.provider.roomname} synced`, timeoutMs);
}

export async function connectSynced(
  wsUrl: string,
  roomId: string,
  token: string,
  options: { doc?: Y.Doc; maxBackoffTime?: number } = {},
): Promise<Peer> {
  const peer = connectPeer(wsUrl, roomId, token, options);
  await waitSynced(peer);
  return peer;
}

export function snapshot(doc: Y.Doc): Record<string, string> {
  return snapshotFiles(doc);
}

function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b)));
}

/** Waits until every doc has the same state vector and the same files. */
export async function waitConverged(docs: Y.Doc[], timeoutMs = WAIT_MS): Promise<void> {
  const [first, ...rest] = docs;
  if (!first) return;
  await waitFor(
    () =>
      rest.every(
        (doc) => sameState(first, doc) && JSON.stringify(snapshot(first)) === JSON.stringify(snapshot(doc)),
      ),
    `${docs.length} docs converged`,
    timeoutMs,
  );
}

export function textOf(doc: Y.Doc, path: string): string | undefined {
  return snapshot(doc)[path];
}

// ---------------------------------------------------------------------------
// Frames

export function frameSyncStep1(doc: Y.Doc = new Y.Doc()): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** Same layout as y-protocols' writeSyncStep2, from an update rather than a doc. */
export function frameSyncStep2(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function frameUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function frameAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Awareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An awareness update built by hand: any client id, clock and state (null removes). */
export function awarenessUpdate(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(encoder);
}

export function frameQueryAwareness(): Uint8Array {
  return Uint8Array.of(MessageType.QueryAwareness);
}

/** Every workspaceStatus a client got, oldest first. */
export function workspaceStatuses(client: RawClient): MessageOf<'WorkspaceStatus'>[] {
  return client.frames.flatMap((f) =>
    f.kind === 'tandem' && f.message.type === MessageType.WorkspaceStatus ? [f.message] : [],
  );
}

/** What a shell (or the dev server's terminal) printed, as a client got it. */
export function shellPrinted(client: RawClient, shellId: string): string {
  return Buffer.concat(
    client.frames.flatMap((f) =>
      f.kind === 'tandem' && f.message.type === MessageType.ShellOutput && f.message.shellId === shellId
        ? [Buffer.from(f.message.bytes)]
        : [],
    ),
  ).toString('utf8');
}

export function frameTandem(message: TandemMessage): Uint8Array {
  return encode(message);
}

export function frameHello(protocolVersion: number): Uint8Array {
  return encode({ type: MessageType.Hello, protocolVersion });
}

/** An update that adds one file, made on a throwaway doc (so nothing local is changed). */
export function updateAddingFile(path: string, content: string, base?: Y.Doc): Uint8Array {
  const doc = new Y.Doc();
  if (base) Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  const entry = new Y.Map<unknown>();
  const text = new Y.Text();
  text.insert(0, content);
  entry.set('path', path);
  entry.set('text', text);
  doc.getMap('files').set(`f${doc.clientID}`, entry);
  const update = Y.encodeStateAsUpdate(doc, before);
  doc.destroy();
  return update;
}

export type Frame =
  | { kind: 'sync'; step: number; payload: Uint8Array; bytes: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array; bytes: Uint8Array }
  | { kind: 'auth'; denied: boolean; reason: string; bytes: Uint8Array }
  | { kind: 'tandem'; message: TandemMessage; bytes: Uint8Array }
  | { kind: 'run'; message: RunMessage; bytes: Uint8Array }
  | { kind: 'peer'; message: PeerMessage; bytes: Uint8Array }
  | { kind: 'roomState'; message: RoomStateMessage; bytes: Uint8Array }
  | { kind: 'unparsed'; error: string; bytes: Uint8Array };

export function parseFrame(bytes: Uint8Array): Frame {
  let message: RelayToClientMessage;
  try {
    message = decode(Direction.RelayToClient, bytes);
  } catch (error) {
    return { kind: 'unparsed', error: String(error), bytes };
  }
  switch (message.type) {
    case MessageType.Sync:
      return { kind: 'sync', step: message.step, payload: message.payload, bytes };
    case MessageType.Awareness:
      return { kind: 'awareness', update: message.update, bytes };
    case MessageType.Auth:
      return { kind: 'auth', denied: message.kind === 0, reason: message.reason, bytes };
    case MessageType.RoomState:
      return { kind: 'roomState', message, bytes };
    case MessageType.PeerList:
    case MessageType.PeerJoined:
    case MessageType.PeerLeft:
    case MessageType.Signal:
    case MessageType.MediaControl:
      return { kind: 'peer', message, bytes };
    case MessageType.RunStarted:
    case MessageType.RunOutput:
    case MessageType.RunExit:
    case MessageType.RunQueued:
      return { kind: 'run', message, bytes };
    default:
      // Session messages (welcome, syncStatus, error, pong) and any Tandem type added later.
      return { kind: 'tandem', message, bytes };
  }
}

/** Client id -> state for every entry of an awareness update (null: removed). */
export function readAwarenessEntries(update: Uint8Array): Map<number, { clock: number; state: unknown }> {
  const decoder = decoding.createDecoder(update);
  const entries = new Map<number, { clock: number; state: unknown }>();
  const count = decoding.readVarUint(decoder);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    entries.set(clientId, { clock, state: JSON.parse(decoding.readVarString(decoder)) as unknown });
  }
  return entries;
}

// ---------------------------------------------------------------------------
// Raw WebSocket client

export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A bare `ws` client that records every frame it receives and keeps a local doc
 * with every sync step 2 and update applied (it answers nothing by itself).
 */
/** Fence counters stay clear of the small ones tests send themselves. */
const FENCE_COUNTER_BASE = 1_000_000_000;

export class RawClient {
  readonly frames: Frame[] = [];
  readonly doc = new Y.Doc();
  closeInfo: CloseInfo | null = null;
  /** Pings received from the relay. */
  pings = 0;
  readonly closed: Promise<CloseInfo>;
  private readonly listeners = new Set<() => void>();
  private fences = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((done) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        done(this.closeInfo);
        this.notify();
      });
    });
    ws.on('ping', () => {
      this.pings += 1;
      this.notify();
    });
    ws.on('error', () => {
      // the close event follows and says what happened
    });
    ws.on('message', (data) => {
      const bytes = toBytes(data);
      const frame = parseFrame(bytes);
      if (frame.kind === 'sync' && frame.step !== syncProtocol.messageYjsSyncStep1) {
        try {
          Y.applyUpdate(this.doc, frame.payload, 'relay');
        } catch {
          // recorded as a frame; the test decides
        }
      }
      this.frames.push(frame);
      this.notify();
    });
  }

  /** Opens a socket and waits for 'open'; rejects with the HTTP status if the upgrade is refused. */
  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options);
    const client = new RawClient(ws);
    await withTimeout(
      new Promise<void>((done, fail) => {
        ws.once('open', () => done());
        ws.once('unexpected-response', (_req, res) => {
          res.resume();
          fail(new Error(`upgrade refused with ${res.statusCode}`));
        });
        ws.once('error', (error) => fail(error));
      }),
      `raw socket to ${url} open`,
    );
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(bytes: Uint8Array | Buffer): void {
    this.ws.send(bytes);
  }

  /** Waits for a frame (received so far or later, from index `from`) that matches. */
  async waitForFrame<F extends Frame>(
    match: (frame: Frame) => frame is F,
    what: string,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<F>;
  async waitForFrame(
    match: (frame: Frame) => boolean,
    what: string,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<Frame>;
  async waitForFrame(
    match: (frame: Frame) => boolean,
    what: string,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<Frame> {
    const from = options.from ?? 0;
    let found: Frame | undefined;
    await this.until(
      () => {
        found = this.frames.slice(from).find(match);
        return found !== undefined;
      },
      what,
      options.timeoutMs,
    );
    return found!;
  }

  /** Waits until `check` holds, re-checking on every frame and on close. */
  async until(check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    if (check()) return;
    await withTimeout(
      new Promise<void>((done) => {
        const listener = () => {
          if (check()) {
            this.listeners.delete(listener);
            done();
          }
        };
        this.listeners.add(listener);
      }),
      what,
      timeoutMs,
    );
  }

  /**
   * Sends a syncStatus and waits for its echo. The relay handles one socket's
   * messages in order and the echo comes after them, so whatever it was going to
   * send this socket for anything handled before has arrived: absence, proven
   * without a sleep.
   */
  /** Changes this client's document as an editor would and sends the change (not waiting for the relay). */
  change(edit: (doc: Y.Doc) => void): void {
    const updates: Uint8Array[] = [];
    const capture = (update: Uint8Array, origin: unknown) => {
      if (origin !== 'relay') updates.push(update);
    };
    this.doc.on('update', capture);
    this.doc.transact(() => edit(this.doc));
    this.doc.off('update', capture);
    for (const update of updates) this.send(frameUpdate(update));
  }

  async fence(): Promise<void> {
    const counter = FENCE_COUNTER_BASE + ++this.fences;
    const from = this.frames.length;
    this.send(encode({ type: MessageType.SyncStatus, counter }));
    await this.waitForFrame(
      (f) =>
        f.kind === 'tandem' && f.message.type === MessageType.SyncStatus && f.message.counter === counter,
      'the fence (syncStatus echo)',
      { from },
    );
  }

  async waitClosed(timeoutMs = WAIT_MS): Promise<CloseInfo> {
    return withTimeout(this.closed, 'the relay to close the socket', timeoutMs);
  }

  /** Sends hello and waits for welcome. */
  async hello(protocolVersion = 1): Promise<Extract<TandemMessage, { type: 101 }>> {
    this.send(frameHello(protocolVersion));
    const frame = await this.waitForFrame(
      (f): f is Extract<Frame, { kind: 'tandem' }> =>
        f.kind === 'tandem' && f.message.type === MessageType.Welcome,
      'welcome',
    );
    return frame.message as Extract<TandemMessage, { type: 101 }>;
  }

  /** hello, then sync: resolves once the relay has answered its sync step 1 (the client is an editor in step). */
  async helloAndSync(): Promise<void> {
    await this.hello();
    this.send(frameSyncStep1(this.doc));
    await this.waitForFrame((f) => f.kind === 'sync' && f.step === 1, 'sync step 2');
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** The peer messages (peerList, peerJoined, peerLeft, signal, mediaControl) a client received, in order. */
export function peerMessages(client: RawClient): PeerMessage[] {
  return client.frames
    .filter((f): f is Extract<Frame, { kind: 'peer' }> => f.kind === 'peer')
    .map((f) => f.message);
}

export function isAuthDenied(frame: Frame): frame is Extract<Frame, { kind: 'auth' }> {
  return frame.kind === 'auth' && frame.denied;
}

export function isTandem<T extends TandemMessage['type']>(
  type: T,
): (
  frame: Frame,
) => frame is { kind: 'tandem'; message: Extract<TandemMessage, { type: T }>; bytes: Uint8Array } {
  return (
    frame,
  ): frame is { kind: 'tandem'; message: Extract<TandemMessage, { type: T }>; bytes: Uint8Array } =>
    frame.kind === 'tandem' && frame.message.type === type;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface UpgradeAttempt {
  /** HTTP status of a refused upgrade; null if the socket opened or failed otherwise. */
  status: number | null;
  body: unknown;
  opened: boolean;
  messages: number;
  error: string | null;
}

/**
 * Tries to open a socket that the relay should refuse before the upgrade. Resolves
 * once the refusal (or, wrongly, the open) is seen.
 */
export async function attemptUpgrade(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<UpgradeAttempt> {
  const ws = new WebSocket(url, options);
  const result: UpgradeAttempt = { status: null, body: null, opened: false, messages: 0, error: null };
  ws.on('message', () => {
    result.messages += 1;
  });
  return withTimeout(
    new Promise<UpgradeAttempt>((done) => {
      ws.once('unexpected-response', (req, res) => {
        result.status = res.statusCode ?? null;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            result.body = JSON.parse(text);
          } catch {
            result.body = text;
          }
          req.destroy();
          done(result);
        });
      });
      ws.once('open', () => {
        result.opened = true;
        // give a wrongly accepted socket a moment to show what it would have sent
        setTimeout(() => {
          ws.terminate();
          done(result);
        }, 200);
      });
      ws.once('error', (error) => {
        result.error = error.message;
        done(result);
      });
    }),
    `upgrade attempt on ${url}`,
  );
}

// ---------------------------------------------------------------------------
// Small document helpers

/** Appends to the end of file `fileId`'s text in `doc`. */
export function appendTo(doc: Y.Doc, fileId: string, text: string): void {
  const entry = doc.getMap('files').get(fileId);
  if (!(entry instanceof Y.Map)) throw new Error(`no file ${fileId}`);
  const ytext = entry.get('text');
  if (!(ytext instanceof Y.Text)) throw new Error(`file ${fileId} has no text`);
  ytext.insert(ytext.length, text);
}

export function textById(doc: Y.Doc, fileId: string): string {
  const entry = doc.getMap('files').get(fileId);
  if (!(entry instanceof Y.Map)) return '';
  const ytext = entry.get('text');
  return ytext instanceof Y.Text ? ytext.toString() : '';
}

export function awarenessStates(peer: Peer): Map<number, Record<string, unknown>> {
  return peer.awareness.getStates() as Map<number, Record<string, unknown>>;
}

export function isRoomState(frame: Frame): frame is Extract<Frame, { kind: 'roomState' }> {
  return frame.kind === 'roomState';
}

/**
 * Scrapes `GET /metrics` with the metrics token: each sample by its name and
 * labels as written (`tandem_runs_total{language="python",outcome="exited"}`).
 */
export async function readMetrics(url: string, token: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}
