/**
 * The page's one WebSocket to the relay for one document: it owns the socket
 * (connect, backoff, a watchdog for a silent socket), decodes every frame
 * through the protocol table, keeps the document and this page's awareness in
 * sync with y-protocols' sync and awareness messages, and hands every message to
 * whoever asked for its type with `on`. Everything the page sends goes through
 * `send`.
 *
 * The sync loop is y-websocket's, so the relay sees the same conversation from
 * this page as from the official client: on open, sync step 1 and this page's
 * awareness; step 1 from the relay is answered with step 2; local edits go out
 * as updates. Two differences: only this page's own awareness state is sent
 * (y-websocket forwards everyone's, O(n²) traffic the relay would refuse), and
 * no BroadcastChannel between tabs (a viewer's tab would hand its changes to an
 * editor's tab behind the relay's back).
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { decode, encode } from '../../../shared/protocol/codec.js';
import { ProtocolError } from '../../../shared/protocol/fields.js';
import {
  Direction,
  MessageType,
  SyncStep,
  type ClientToRelayMessage,
  type RelayToClientMessage,
} from '../../../shared/protocol/table.js';

export type ChannelStatus = 'connecting' | 'connected' | 'disconnected';

type Incoming = RelayToClientMessage;
type IncomingType = Incoming['type'];
export type IncomingOf<T extends IncomingType> = Extract<Incoming, { type: T }>;

export interface RelayChannelOptions {
  /** The socket's address, asked again on every (re)connect. */
  url: () => string;
  doc: Y.Doc;
  /** Longest wait between attempts; the first retry is after 200 ms, doubling. */
  maxBackoffMs?: number;
  /** A socket that received nothing for this long is closed and opened again. */
  silenceMs?: number;
  /**
   * Whether a close by the relay is for good (no retry). Default: codes 4400 to
   * 4499, the "client error" range Tandem and y-websocket both use.
   */
  isPermanent?: (code: number) => boolean;
}

export interface PermanentClose {
  code: number;
  reason: string;
}

const DEFAULT_MAX_BACKOFF_MS = 2500;
const DEFAULT_SILENCE_MS = 30_000;

export class RelayChannel {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  private ws: WebSocket | null = null;
  private wanted = false;
  private destroyed = false;
  private statusNow: ChannelStatus = 'disconnected';
  private syncedNow = false;
  /** Sockets closed since the last one that synced: drives the backoff. */
  private failuresNow = 0;
  private lastHeard = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private readonly handlers = new Map<number, Set<(message: Incoming) => void>>();
  private readonly statusListeners = new Set<(status: ChannelStatus) => void>();
  private readonly syncedListeners = new Set<(synced: boolean) => void>();
  private readonly closedListeners = new Set<(close: PermanentClose) => void>();
  private readonly maxBackoffMs: number;
  private readonly silenceMs: number;
  private readonly isPermanent: (code: number) => boolean;

  constructor(private readonly options: RelayChannelOptions) {
    this.doc = options.doc;
    this.awareness = new awarenessProtocol.Awareness(options.doc);
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS;
    this.isPermanent = options.isPermanent ?? ((code) => code >= 4400 && code < 4500);
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    this.watchdog = setInterval(() => {
      if (this.statusNow === 'connected' && Date.now() - this.lastHeard > this.silenceMs) this.drop(null);
    }, this.silenceMs / 10);
  }

  get status(): ChannelStatus {
    return this.statusNow;
  }

  /** True from the relay's sync step 2 until the socket closes. */
  get synced(): boolean {
    return this.syncedNow;
  }

  /** Attempts that failed since the last socket that synced. */
  get failures(): number {
    return this.failuresNow;
  }

  /** Whether a `send` now would go out. */
  get open(): boolean {
    return this.statusNow === 'connected' && this.ws?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    if (this.destroyed) return;
    this.wanted = true;
    if (!this.ws) this.openSocket();
  }

  /** Closes the socket and stays closed until `connect`. */
  disconnect(): void {
    this.wanted = false;
    clearTimeout(this.retry);
    if (this.open) {
      // Tell the others this page left now, rather than when the relay notices.
      const { clientID } = this.doc;
      this.send({
        type: MessageType.Awareness,
        update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [clientID], new Map()),
      });
    }
    if (this.ws) this.drop(null);
  }

  destroy(): void {
    this.disconnect();
    this.destroyed = true;
    clearInterval(this.watchdog);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.handlers.clear();
    this.statusListeners.clear();
    this.syncedListeners.clear();
    this.closedListeners.clear();
  }

  /** Sends one message; false (and nothing sent) when the socket is not open. */
  send(message: ClientToRelayMessage): boolean {
    if (!this.open) return false;
    this.ws!.send(encode(message));
    return true;
  }

  /**
   * Calls `handler` with every message of `type` from the relay, after the
   * channel's own handling (a sync step 1 is already answered). Returns the
   * unsubscribe.
   */
  on<T extends IncomingType>(type: T, handler: (message: IncomingOf<T>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const wide = handler as (message: Incoming) => void;
    set.add(wide);
    return () => set.delete(wide);
  }

  onStatus(listener: (status: ChannelStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onSynced(listener: (synced: boolean) => void): () => void {
    this.syncedListeners.add(listener);
    return () => this.syncedListeners.delete(listener);
  }

  /** The relay closed for a reason a retry cannot fix (bad token, removed): no more attempts. */
  onPermanentClose(listener: (close: PermanentClose) => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  private openSocket(): void {
    const ws = new WebSocket(this.options.url());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.setSynced(false);
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.setStatus('connected');
      this.send({ type: MessageType.Sync, step: SyncStep.Step1, payload: Y.encodeStateVector(this.doc) });
      if (this.awareness.getLocalState() !== null) this.sendOwnAwareness();
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.receive(new Uint8Array(event.data));
    };
    ws.onclose = (event) => this.drop(ws === this.ws ? event : null, ws);
    // A close follows every error; nothing to do until then.
    ws.onerror = () => {};
    this.setStatus('connecting');
  }

  private receive(bytes: Uint8Array): void {
    let message: Incoming;
    try {
      message = decode(Direction.RelayToClient, bytes);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      console.warn('Tandem: ignored a malformed message from the relay:', error.message);
      return;
    }
    switch (message.type) {
      case MessageType.Sync:
        if (message.step === SyncStep.Step1) {
          const payload = Y.encodeStateAsUpdate(this.doc, message.payload);
          this.send({ type: MessageType.Sync, step: SyncStep.Step2, payload });
        } else {
          try {
            Y.applyUpdate(this.doc, message.payload, this);
          } catch (error) {
            console.error('Tandem: an update from the relay did not apply', error);
            return;
          }
          if (message.step === SyncStep.Step2) this.setSynced(true);
        }
        break;
      case MessageType.Awareness:
        awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, this);
        break;
      default:
        break;
    }
    for (const handler of this.handlers.get(message.type) ?? []) handler(message);
  }

  /** Forgets the socket `ws` (the current one unless given); `event` is the relay's close, null for ours. */
  private drop(event: CloseEvent | null, ws: WebSocket | null = this.ws): void {
    if (!ws || ws !== this.ws) return;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close();
    const wasConnected = this.statusNow === 'connected';
    this.setSynced(false);
    if (wasConnected) {
      // Everyone else's cursor goes with the socket; the next sync brings them back.
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    }
    this.setStatus('disconnected');
    this.failuresNow++;
    if (event && this.isPermanent(event.code)) {
      this.wanted = false;
      for (const listener of this.closedListeners) listener({ code: event.code, reason: event.reason });
      return;
    }
    if (!this.wanted) return;
    const delay = Math.min(2 ** this.failuresNow * 100, this.maxBackoffMs);
    this.retry = setTimeout(() => {
      if (this.wanted && !this.ws) this.openSocket();
    }, delay);
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return;
    this.send({ type: MessageType.Sync, step: SyncStep.Update, payload: update });
  };

  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this) return;
    const own = this.doc.clientID;
    if ([...changes.added, ...changes.updated, ...changes.removed].includes(own)) this.sendOwnAwareness();
  };

  private sendOwnAwareness(): void {
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
    this.send({ type: MessageType.Awareness, update });
  }

  private setStatus(status: ChannelStatus): void {
    if (this.statusNow === status) return;
    this.statusNow = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private setSynced(synced: boolean): void {
    if (this.syncedNow === synced) return;
    this.syncedNow = synced;
    if (synced) this.failuresNow = 0;
    for (const listener of this.syncedListeners) listener(synced);
  }
}
