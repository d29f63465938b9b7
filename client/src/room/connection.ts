/**
 * One open room: the Y.Doc, its IndexedDB copy and its WebSocket to the relay.
 *
 * IndexedDB is loaded first, then the socket connects, so edits made offline (even
 * before a reload) go out in the first sync. Tandem's own messages ride the same
 * socket: `hello` on every (re)connect, `welcome` back, `error` for refused
 * updates, `syncStatus` echoes that drive the "Saved" indicator, `roomState`
 * with this connection's edit right (see policy.ts), and `ping`/`pong`, the
 * heartbeat that notices a dead socket within seconds (see heartbeat.ts).
 *
 * Losing the edit right with edits the relay has not confirmed (or making one
 * without it) puts those edits in `discarded`: the relay refuses them, and the
 * owner of this connection must drop this copy and open a fresh one from the
 * relay (`discardLocalCopy`), or they would go out again in the next sync.
 */
import { computed, signal, type Signal } from '@preact/signals';
import { clearDocument, IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { CloseCode } from '../../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../../shared/protocol/errors.js';
import {
  MessageType,
  PROTOCOL_VERSION,
  SyncStep,
  type RoomStateMessage,
} from '../../../shared/protocol/table.js';
import { canEdit, type Role } from '../../../shared/roles.js';
import { loadString, saveString } from '../lib/storage.js';
import { RelayChannel, type ChannelStatus } from '../transport/RelayChannel.js';
import type { Discarded } from './discard.js';
import { Heartbeat } from './heartbeat.js';
import { RoomPolicy } from './policy.js';
import { SyncTracker } from './syncTracker.js';

export type SocketState = 'connecting' | 'connected' | 'offline';

export interface Me {
  userId: string;
  name: string;
  role: Role;
}

/** Wait this long after the last local edit before asking the relay to confirm. */
const SYNC_STATUS_DEBOUNCE_MS = 200;
/** Connect anyway if IndexedDB does not answer (private windows can block it). */
const LOCAL_LOAD_TIMEOUT_MS = 3000;
/** Another tab of this room can hold the IndexedDB copy open; do not wait for it longer. */
const CLEAR_LOCAL_TIMEOUT_MS = 3000;

/** The room's project document, or an interview room's private notes (`/yjs/:roomId/notes`). */
export type DocKind = 'project' | 'notes';

export class RoomConnection {
  readonly doc = new Y.Doc();
  readonly policy: RoomPolicy;
  /** Set once edits were made or lost without the edit right; see the top of this file. */
  readonly discarded = signal<Discarded | null>(null);
  /** The socket to the relay: every message in and out goes through it. */
  readonly channel: RelayChannel;
  /** Null for viewers: their copy must always be the relay's (see below). */
  readonly persistence: IndexeddbPersistence | null;
  readonly socket = signal<SocketState>('connecting');
  /** Milliseconds from a ping to its pong on the current socket; null until one came back. */
  readonly roundTripMs = signal<number | null>(null);
  /**
   * The relay has answered this socket's hello in full: welcome, the room's
   * state, and the workspace's status if it has one (none: it is off). The
   * fence is the pong to the ping sent on welcome, as the relay answers a
   * socket's messages in order.
   */
  readonly greeted = signal(false);
  readonly synced = signal(false);
  readonly localLoaded = signal(false);
  readonly unsent: Signal<number>;
  readonly me: Signal<Me>;
  /** The last typed error from the relay (e.g. `read_only`), for a toast. */
  readonly lastError = signal<{ code: string; message: string } | null>(null);
  /** The relay said it cannot store changes now (a full disk): why, until it acknowledges again. */
  readonly notSaved = signal<string | null>(null);
  /** Set when the relay closed for good (bad token, room gone, room full). */
  readonly closed = signal<{ code: number; reason: string } | null>(null);
  /** Chat messages typed while not connected: sent after the next `welcome`. */
  readonly chatOutbox = signal<string[]>([]);
  private welcomed = false;

  private readonly tracker: SyncTracker;
  private answeredStep1 = false;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  /** Pings while welcomed; a missed answer means the socket is gone, whatever the browser says. */
  private readonly heartbeat = new Heartbeat(
    () => this.ping(),
    () => this.reconnect(),
  );
  private pingNonce = 0;
  private pingSentAt = 0;
  private readonly unsentKey: string;
  private readonly storeName: string;

  constructor(
    readonly roomId: string,
    /** This person's token: the WebSocket's, and the owner's for minting links. */
    readonly token: string,
    me: Me,
    kind: DocKind = 'project',
  ) {
    this.me = signal(me);
    const docName = kind === 'project' ? roomId : `${roomId}/notes`;
    this.unsentKey = `tandem.unsent.${docName}`;
    this.storeName = `tandem:${docName}`;
    this.policy = new RoomPolicy(
      `tandem.roomState.${docName}.${me.userId}`,
      computed(() => this.me.value.role),
    );
    this.tracker = new SyncTracker(Number(loadString(this.unsentKey)) || 0);
    this.unsent = signal(this.tracker.unsent);
    // A viewer's local changes (typed into the console, say) are refused by the
    // relay; stored in IndexedDB they would come back on every load. Viewers keep
    // no local copy.
    this.persistence = canEdit(me.role) ? new IndexeddbPersistence(this.storeName, this.doc) : null;
    const wsBase = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
    const url = `${wsBase}/${docName}?token=${encodeURIComponent(token)}`;
    this.channel = new RelayChannel({ url: () => url, doc: this.doc });
    this.installHandlers();
    this.doc.on('update', this.onUpdate);
    this.channel.onStatus((status) => this.onStatus(status));
    this.channel.onSynced((synced) => this.onSync(synced));
    this.channel.onPermanentClose((close) => (this.closed.value = close));
    addEventListener('online', this.onNetworkChange);
    addEventListener('offline', this.onNetworkChange);

    const connect = () => {
      if (this.localLoaded.value) return;
      this.localLoaded.value = true;
      this.channel.connect();
    };
    if (this.persistence) {
      void this.persistence.whenSynced.then(connect);
      setTimeout(connect, LOCAL_LOAD_TIMEOUT_MS);
    } else connect();
  }

  get awareness() {
    return this.channel.awareness;
  }

  /** May this page edit now (role and the relay's roomState); reading it in a render or effect tracks it. */
  get canEdit(): boolean {
    return this.policy.editable.value;
  }

  /** Resolves once the first sync with the relay is done. */
  whenSynced(): Promise<void> {
    if (this.synced.peek()) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.synced.subscribe((synced) => {
        if (!synced) return;
        queueMicrotask(() => stop());
        resolve();
      });
    });
  }

  /**
   * Gives up this copy for good: closes the connection and deletes the IndexedDB
   * copy, so the next connection to the room starts from the relay's document.
   */
  async discardLocalCopy(): Promise<void> {
    this.destroy();
    saveString(this.unsentKey, '0');
    await Promise.race([
      clearDocument(this.storeName),
      new Promise((resolve) => setTimeout(resolve, CLEAR_LOCAL_TIMEOUT_MS)),
    ]);
  }

  destroy(): void {
    clearTimeout(this.debounce);
    this.heartbeat.stop();
    removeEventListener('online', this.onNetworkChange);
    removeEventListener('offline', this.onNetworkChange);
    this.doc.off('update', this.onUpdate);
    this.channel.destroy();
    void this.persistence?.destroy();
    this.doc.destroy();
  }

  /**
   * Posts a chat message. The relay writes it into the chat stamped with who
   * sent it (a client cannot write chat entries itself); offline, it waits.
   */
  sendChat(text: string): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    if (this.welcomed && this.channel.send({ type: MessageType.ChatSend, text: trimmed })) return;
    this.chatOutbox.value = [...this.chatOutbox.value, trimmed];
  }

  private installHandlers(): void {
    // Our reply to the relay's sync step 1 (step 2, already sent) carries every
    // edit the relay lacks, so a syncStatus sent after it covers the offline edits.
    this.channel.on(MessageType.Sync, (message) => {
      if (message.step !== SyncStep.Step1) return;
      this.answeredStep1 = true;
      this.flushSyncStatus();
    });
    this.channel.on(MessageType.Welcome, (message) => {
      this.me.value = { userId: message.userId, name: message.name, role: message.role };
      this.welcomed = true;
      this.heartbeat.start();
      const outbox = this.chatOutbox.peek();
      this.chatOutbox.value = [];
      for (const text of outbox) this.sendChat(text);
    });
    this.channel.on(MessageType.Pong, (message) => {
      this.heartbeat.answered();
      if (this.welcomed) this.greeted.value = true;
      if (message.nonce === this.pingNonce)
        this.roundTripMs.value = Math.round(performance.now() - this.pingSentAt);
    });
    this.channel.on(MessageType.SyncStatus, (message) => {
      this.notSaved.value = null; // it stores again
      this.tracker.ack(message.counter);
      this.updateUnsent();
    });
    // The relay pairs its y-protocols "permission denied" (auth) with this typed error.
    this.channel.on(MessageType.Error, (message) => {
      this.lastError.value = { code: message.code, message: message.message };
      // The relay refused an edit of ours for good: later ones build on it, so this copy
      // has to go the way a revoked one does (start again from the relay's).
      if (message.code === ErrorCode.DocumentTooLarge) this.discard(message.message);
      if (message.code === ErrorCode.NotSaved) this.notSaved.value = message.message;
    });
    this.channel.on(MessageType.RoomState, (message) => this.onRoomState(message));
  }

  private onRoomState(message: RoomStateMessage): void {
    const could = this.policy.editable.peek();
    this.policy.apply(message);
    // Edits the relay has not confirmed may have reached it after the change: refused.
    if (could && !this.policy.editable.peek() && this.tracker.unsent > 0) this.discard();
  }

  private discard(refused?: string): void {
    if (this.discarded.peek()) return;
    const { updates, unknown } = this.tracker.unconfirmed();
    if (refused !== undefined) {
      this.discarded.value = { updates, unknown, reason: refused, cause: 'too-large' };
      return;
    }
    const reason = this.policy.readOnlyReason.peek() ?? 'the relay does not let you edit now';
    this.discarded.value = { updates, unknown, reason };
  }

  private onStatus(status: ChannelStatus): void {
    if (status === 'connected') {
      this.answeredStep1 = false;
      this.notSaved.value = null; // a relay still unable to store says so again on joining
      this.tracker.reconnected();
      this.channel.send({ type: MessageType.Hello, protocolVersion: PROTOCOL_VERSION });
      this.socket.value = 'connected';
    } else {
      this.welcomed = false;
      this.greeted.value = false;
      this.roundTripMs.value = null;
      if (status === 'disconnected') this.synced.value = false;
      this.heartbeat.stop();
      // Only "offline" once a socket was lost or refused; the first attempt is "connecting".
      if (status === 'disconnected' || this.socket.value === 'offline') this.socket.value = 'offline';
      else if (this.channel.failures > 0) this.socket.value = 'offline';
    }
  }

  private onSync(synced: boolean): void {
    this.synced.value = synced;
    if (synced) this.flushSyncStatus();
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.channel || (this.persistence && origin === this.persistence)) return;
    // The relay refuses a viewer's updates and a viewer keeps no local copy: nothing to wait for.
    if (!canEdit(this.me.peek().role)) return;
    this.tracker.localEdit(update);
    this.updateUnsent();
    if (!this.policy.editable.peek()) return this.discard(); // refused: it must not go out later
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.flushSyncStatus(), SYNC_STATUS_DEBOUNCE_MS);
  };

  private flushSyncStatus(): void {
    if (!this.synced.value || !this.answeredStep1 || !this.canEdit) return;
    const counter = this.tracker.counterToSend();
    if (counter !== null) this.channel.send({ type: MessageType.SyncStatus, counter });
  }

  /** The heartbeat's beat; it also measures the round trip. */
  private ping(): void {
    if (!this.welcomed) return;
    this.pingNonce++;
    this.pingSentAt = performance.now();
    this.channel.send({ type: MessageType.Ping, nonce: this.pingNonce });
  }

  /** Drops this socket (shown offline at once) and starts a new one. */
  private reconnect(): void {
    this.channel.disconnect();
    this.channel.connect();
  }

  /**
   * The browser lost its network: the socket is as good as gone, and waiting
   * for the heartbeat would only delay saying so. It is back: try now rather
   * than after the backoff, or behind an attempt stuck on the dead network.
   */
  private readonly onNetworkChange = (): void => {
    // Not before the local copy is loaded, nor after a close for good (removed, say).
    if (!this.localLoaded.peek() || this.closed.peek()) return;
    if (!navigator.onLine || this.socket.peek() !== 'connected') this.reconnect();
  };

  private updateUnsent(): void {
    this.unsent.value = this.tracker.unsent;
    saveString(this.unsentKey, String(this.tracker.unsent));
  }
}

export const REMOVED_SENTENCE = 'You were removed from this room by the owner.';
export const NOT_FOUND_SENTENCE = 'This room does not exist (any more).';

/** A sentence for a close that the channel will not retry. */
export function closeMessage(code: number): string {
  switch (code) {
    case CloseCode.TokenExpired:
      return 'Your access to this room has expired. Ask for a new link.';
    case CloseCode.Forbidden:
      return 'This link does not give access to this room.';
    case CloseCode.Removed:
      return REMOVED_SENTENCE;
    case CloseCode.ProtocolMismatch:
      return 'Tandem was updated. Reload the page.';
    case CloseCode.UpdateRefused:
      return 'A change made in this tab broke a rule of the room, so the server refused it and closed the connection.';
    default:
      return 'The server closed the connection.';
  }
}
