/**
 * A loaded room: its Yjs document (the relay's authority for snapshots and runs),
 * awareness, connections, and the path of every update (its settings, rights,
 * driver timer and mutes live beside it, in RoomControls):
 *
 *   receive -> validate -> queue on the connection -> flush (next macrotask):
 *   inspect each update against the document (shared/sync/inspectUpdate.ts)
 *   and apply the connection's admitted updates in one transaction -> append
 *   the resulting update to the log -> broadcast it to every other connection.
 *
 * An update that builds on changes the room lacks is held (HeldUpdates) and
 * applied once they arrive; one that breaks a rule is never applied and its
 * sender is closed; one that would push the document past its size limit is
 * refused with `document_too_large`. If Yjs still throws while applying, the
 * document may be half-changed: the room is dropped at once (every socket
 * closed with a code that reconnects) and the next join loads it from the log,
 * so nothing that is not in the log is ever served, stored or snapshotted.
 *
 * Storing comes before broadcasting, so an update anyone has received survives a
 * kill -9. A burst of queued updates leaves as one merged frame (the
 * transaction's own update), which is what lets the relay keep up with a typist
 * faster than a relay that forwards every frame.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { decode, encode } from '../../shared/protocol/codec.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import {
  Direction,
  MessageType,
  SyncStep,
  type MessageOf,
  type PeerInfo,
  type RunInput,
  type RunStop,
} from '../../shared/protocol/table.js';
import { canReadNotes } from '../../shared/roles.js';
import { RoomKind } from '../../shared/rooms.js';
import { inspectUpdate } from '../../shared/sync/inspectUpdate.js';
import type { Logger } from '../../server/log.js';
import {
  storageTrouble,
  type NewUpdate,
  type RoomRecord,
  type Storage,
  type StorageTrouble,
} from '../storage/Storage.js';
import { BusKind, type BusMessage } from '../cluster/RoomBus.js';
import { RemotePresence, decodePresence, encodePresence, type Presence } from '../cluster/presence.js';
import {
  RoomAwareness,
  decodeAwarenessUpdate,
  encodeAwarenessUpdate,
  type AwarenessEntry,
} from '../sync/awareness.js';
import { asBuffer, type Connection, type QueuedUpdate } from './Connection.js';
import { HeldUpdates, type HeldUpdate } from './HeldUpdates.js';
import { RoomControls } from './RoomControls.js';
import { buildStoredDoc } from './storedDoc.js';

/** Wait after the log passes the compaction threshold, so a burst finishes first. */
const COMPACT_DELAY_MS = 2_000;
/** Past the size limit by its running estimate, the document is measured exactly at most this often. */
const SIZE_REMEASURE_MS = 5_000;
/** Why storing waits, in the sentence everyone in the room is told. */
const TROUBLE: Record<StorageTrouble, string> = {
  full: 'its disk is full',
  unreachable: 'its database cannot be reached',
};
/** Frames another relay may have this one broadcast to the room (BusKind.Broadcast): a run's. */
const RUN_FRAMES = new Set<number>([
  MessageType.RunStarted,
  MessageType.RunOutput,
  MessageType.RunExit,
  MessageType.RunQueued,
]);
/** A gap left by a remote update is filled from storage if it is still there after this. */
const GAP_WAIT_MS = 250;
const GAP_TRIES_MAX = 3;
/** The origin of updates another relay stored (RoomBus). */
const REMOTE = Symbol('remote relay');
/** A store that failed for want of disk space is tried again after this, doubling up to the max. */
const STORE_RETRY_MS = 250;
const STORE_RETRY_MAX_MS = 4_000;

export interface RoomLimits {
  /** Deepest nesting of shared types an update may create. */
  typeDepthMax: number;
  /** Size of the document (its full state as one update) past which new content is refused. */
  maxDocumentBytes: number;
  /** Updates held for missing dependencies: bytes and structs, for the whole room. */
  heldMaxBytes: number;
  heldMaxItems: number;
}

/** One connection's share of a flush: what to store and forward, then the statuses to echo. */
interface Batch {
  conn: Connection;
  update: Uint8Array | null;
  statuses: number[];
}

type UpdateAdmission = ReturnType<typeof inspectUpdate> | { readonly kind: 'too-large' };
const TOO_LARGE: UpdateAdmission = Object.freeze({ kind: 'too-large' });

export interface RoomOptions {
  storage: Storage;
  log: Logger;
  compactAfterUpdates: number;
  limits: RoomLimits;
  /** Size of the stored state when the room was loaded (snapshot plus log tail), in bytes. */
  loadedBytes: number;
  /** User ids of everyone who ever connected. */
  users: Iterable<string>;
  /** Called when storing or applying fails: the room must be dropped and reloaded from the log. */
  onBroken: (room: Room) => void;
  /** Has `applyPending` called soon (the manager flushes every dirty room in one turn). */
  scheduleFlush: (room: Room) => void;
  /**
   * Relays sharing rooms (relay/cluster/RoomBus.ts): sends what this relay
   * stored, and its connections' awareness, to the other relays holding the room.
   */
  publish?: (message: BusMessage) => void;
  /**
   * Other relays may write this room's log (PostgreSQL): snapshots are then
   * built from the database, never from this relay's copy, which may lack an
   * update another relay stored below this one's last seq.
   */
  sharedStorage?: boolean;
  /** How long one pass of updates took to store, in seconds (for metrics). */
  onStored?: (seconds: number) => void;
}

export class Room {
  readonly connections = new Set<Connection>();
  readonly awareness = new RoomAwareness();
  /** Settings, rights, the driver timer and mutes: everything about the room but its document. */
  readonly controls: RoomControls;
  private readonly dirty = new Set<Connection>();
  private flushScheduled = false;
  /** Storing and broadcasting, in flush order. */
  private chain: Promise<void> = Promise.resolve();
  /** The update Yjs emits for a transaction of ours, while `capture` listens for it. */
  private captured: Uint8Array | null = null;
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) this.captured = update;
  };
  private readonly held: HeldUpdates;
  /** Updates in the document but not yet in the log: a snapshot now would hold state the log lacks. */
  private unstored = 0;
  /** Running over-estimate of the document's encoded size (exact after a snapshot or a measure). */
  private sizeBytes: number;
  private sizeMeasuredAt = 0;
  /** Something was deleted since the last exact measure: the estimate may be far too high. */
  private shrunk = false;
  private compactTimer: NodeJS.Timeout | null = null;
  private gapTimer: NodeJS.Timeout | null = null;
  /** Reads from storage for the gap now open (reset once none is open). */
  private gapTries = 0;
  private closed = false;
  /** Storing fails for now (disk full, database away): nothing is acknowledged or sent on until a retry stores. */
  private notSaving: StorageTrouble | null = null;
  /** Applies runInput and runStop other relays pass on (RunService sets it). */
  private runControl: ((message: RunInput | RunStop) => void) | null = null;
  /** Connections and peers other relays sharing the room hold, as they last said (Presence). */
  private readonly elsewhere = new RemotePresence({
    joined: (peer) => {
      this.broadcastTandem(encode({ type: MessageType.PeerJoined, peer }));
      const mute = this.controls.mediaMuted.get(peer.userId);
      if (mute) this.broadcastTandem(encode({ type: MessageType.MediaControl, peer: peer.peerId, mute }));
    },
    left: (peerId) => this.broadcastTandem(encode({ type: MessageType.PeerLeft, peerId })),
    // Its connections' cursors go with it (they never said goodbye if it was killed),
    // and what it stored but never published (killed in between) is read from the database.
    gone: (relayId) => {
      const removed = this.awareness.removeAll(relayId);
      if (removed.length > 0) this.sendAwareness(encodeAwarenessUpdate(removed), null);
      this.resynchroniseLogged();
    },
  });
  /** Set when shutting down: a store waiting out a full disk gives up. */
  private givingUp = false;
  private wakeRetry: (() => void) | null = null;

  constructor(
    record: RoomRecord,
    readonly doc: Y.Doc,
    private lastSeq: number,
    private sinceSnapshot: number,
    private readonly options: RoomOptions,
  ) {
    const { limits } = options;
    this.controls = new RoomControls(
      record,
      options.users,
      (patch) => options.storage.updateRoom(record.id, patch),
      () => this.announce(),
      () => this.options.publish?.({ kind: BusKind.Settings, payload: new Uint8Array(0) }),
    );
    this.held = new HeldUpdates(limits.heldMaxBytes, limits.heldMaxItems);
    this.sizeBytes = options.loadedBytes;
  }

  get id(): string {
    return this.controls.record.id;
  }

  /** The `roomState` message for one connection. */
  stateFor(conn: Connection): Uint8Array {
    const { claims } = conn;
    const { controls } = this;
    const right = controls.editRight(claims);
    return encode({
      type: MessageType.RoomState,
      settings: controls.settings,
      canEdit: right.canEdit,
      reason: right.reason,
      notes: controls.record.policy.kind === RoomKind.Interview && canReadNotes(claims.role),
      serverTime: Date.now(),
    });
  }

  /**
   * Tells every connection the room's state and its edit right. A connection that
   * just gained the right is asked for what it has (sync step 1), since it was
   * not asked while it could not edit.
   */
  announce(): void {
    for (const conn of this.connections) {
      if (conn.tandem) conn.send(this.stateFor(conn));
      const editing = this.controls.mayEdit(conn.claims);
      if (editing && !conn.editing) this.requestState(conn);
      conn.editing = editing;
    }
    this.controls.scheduleHandover();
  }

  private requestState(conn: Connection): void {
    conn.send(
      encode({ type: MessageType.Sync, step: SyncStep.Step1, payload: Y.encodeStateVector(this.doc) }),
    );
  }

  /** Greets a new connection: sync step 1 (editors only: a viewer's answer would be dropped) and who is here. */
  join(conn: Connection): void {
    this.connections.add(conn);
    this.sayPresence();
    conn.editing = this.controls.mayEdit(conn.claims);
    if (conn.editing) this.requestState(conn);
    const live = this.awareness.encodeLive();
    if (live) conn.send(encode({ type: MessageType.Awareness, update: live }));
  }

  leave(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.sayPresence();
    conn.dispose();
    // What it held waits for changes that may never come; a real client sends it again when it reconnects.
    this.held.drop(conn);
    if (conn.tandem) this.broadcastTandem(encode({ type: MessageType.PeerLeft, peerId: conn.peerId }), conn);
    const removed = this.awareness.removeAll(conn);
    if (removed.length > 0) this.broadcastAwareness(removed, conn);
    // Updates it sent before closing are still flushed: the client may count them as sent.
  }

  /** Queues a validated, non-empty update from an editor. */
  queueUpdate(conn: Connection, queued: QueuedUpdate): void {
    conn.pendingUpdates.push(queued);
    this.markDirty(conn);
  }

  /** Bytes and structs held for missing dependencies (for /healthz and tests). */
  get heldStats(): { bytes: number; items: number } {
    return { bytes: this.held.bytes, items: this.held.items };
  }

  /** Echoes `counter` once everything `conn` sent before it is stored. */
  queueStatus(conn: Connection, counter: number): void {
    conn.pendingStatuses.push(counter);
    this.markDirty(conn);
  }

  broadcastAwareness(entries: readonly AwarenessEntry[], from: Connection | null): void {
    const update = encodeAwarenessUpdate(entries);
    this.sendAwareness(update, from);
    this.options.publish?.({ kind: BusKind.Awareness, payload: update });
  }

  /** To the connections here only, but `except`. */
  private sendAwareness(update: Uint8Array, except: Connection | null): void {
    const bytes = asBuffer(encode({ type: MessageType.Awareness, update }));
    for (const conn of this.connections) if (conn !== except) conn.send(bytes);
  }

  /**
   * What another relay holding this room stored or heard: its updates are
   * applied and forwarded (not stored again: that relay did), its awareness
   * forwarded to every connection here.
   */
  receiveRemote(message: BusMessage): void {
    if (this.closed) return;
    if (
      message.kind !== BusKind.Update &&
      message.kind !== BusKind.Resync &&
      message.kind !== BusKind.Settings
    ) {
      if (!message.from) return;
      try {
        this.receiveFrame(message.from, message);
      } catch (error) {
        this.options.log.warn('cluster.bad_frame', { room: this.id, kind: message.kind, err: error });
      }
      return;
    }
    if (message.kind === BusKind.Resync) {
      void this.resynchronise().catch((error: unknown) =>
        this.options.log.error('room.resync_failed', { room: this.id, err: error }),
      );
      return;
    }
    if (message.kind === BusKind.Settings) {
      void this.reloadControls().catch((error: unknown) =>
        this.options.log.error('room.settings_reload_failed', { room: this.id, err: error }),
      );
      return;
    }
    try {
      Y.applyUpdate(this.doc, message.payload, REMOTE);
    } catch (error) {
      // Its relay applied it; if ours cannot, our copy is not to be trusted: reload from storage.
      this.options.log.error('room.remote_apply_failed', { room: this.id, err: error });
      this.options.onBroken(this);
      return;
    }
    this.sizeBytes += message.payload.byteLength;
    this.broadcastUpdate(message.payload, null);
    const { pendingStructs, pendingDs } = this.doc.store;
    if (pendingStructs !== null || pendingDs !== null) this.healGapSoon();
    else this.gapTries = 0;
    // It may be what an update held here was waiting for.
    if (this.held.items > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      this.options.scheduleFlush(this);
    }
  }

  /** Sends a Tandem frame to every connection that speaks them (said hello), but `except`. */
  /** Something besides connections needs the room loaded (a live workspace); see RoomManager. */
  pins = 0;

  broadcastTandem(bytes: Uint8Array, except: Connection | null = null): void {
    const buffer = asBuffer(bytes);
    for (const conn of this.connections) if (conn.tandem && conn !== except) conn.send(buffer);
  }

  /** A connection that said hello, by its peer id. */
  peer(peerId: string): Connection | null {
    for (const conn of this.connections) if (conn.tandem && conn.peerId === peerId) return conn;
    return null;
  }

  /**
   * Applies every queued update to the document now (storing and forwarding them
   * still follow in order). A run calls this before it snapshots the files, so a
   * run started right after an edit, in the same read from the socket, runs it.
   */
  applyPending(): void {
    if (this.flushScheduled) this.flush();
  }

  /**
   * Changes the document on the relay's own behalf (a restore, a rename), after
   * everything queued before it. The change is stored with `author` and sent to
   * every connection, like any editor's update; resolves with its log seq once
   * it is stored and sent (null: it altered nothing, so nothing was stored), and
   * rejects if storing failed.
   */
  async change(author: string, edit: (doc: Y.Doc) => void): Promise<number | null> {
    // Waiting for disk space could take hours: the caller is told now instead.
    if (this.notSaving)
      throw new Error(`the server cannot store changes right now (${TROUBLE[this.notSaving]})`);
    this.applyPending();
    const data = this.capture(() => edit(this.doc));
    if (!data) return null;
    let stored: number | null = null;
    let failure: unknown = null;
    this.unstored++;
    this.sizeBytes += data.byteLength;
    this.enqueue(async () => {
      try {
        const [seq] = await this.append([{ at: Date.now(), author, data }]);
        stored = seq ?? null;
        this.lastSeq = seq ?? this.lastSeq;
        this.sinceSnapshot += 1;
        this.unstored--;
      } catch (error) {
        failure = error;
        this.options.log.error('room.store_failed', { room: this.id, err: error });
        this.options.onBroken(this);
        return;
      }
      this.broadcastUpdate(data, null);
      this.options.publish?.({ kind: BusKind.Update, payload: data });
      this.maybeScheduleCompaction();
    });
    await this.chain;
    if (failure !== null) throw new Error('the change could not be stored', { cause: failure });
    if (stored === null) throw new Error('the room was reset before the change could be stored');
    return stored;
  }

  /** Resolves once everything queued so far is stored and sent. */
  async settle(): Promise<void> {
    this.applyPending();
    await this.chain;
  }

  /** Stores a snapshot of the current state (if the log grew since the last one). */
  async compact(): Promise<void> {
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = null;
    this.applyPending();
    this.enqueue(async () => {
      const covered = this.sinceSnapshot;
      if (covered === 0) return;
      // Updates applied after those stored so far are in the document: wait for them to be stored.
      if (this.unstored > 0) return this.maybeScheduleCompaction(true);
      const startedMs = Date.now();
      // Everything up to lastSeq is in the doc; anything newer in it is applied again
      // harmlessly on reload (Yjs ignores what it already has). Sharing the room with
      // other relays, an update they stored below our lastSeq may still be on its way
      // here: the snapshot is then built from what the database holds.
      const { seq, snapshot } = this.options.sharedStorage
        ? await this.storedState()
        : { seq: this.lastSeq, snapshot: Y.encodeStateAsUpdate(this.doc) };
      await this.options.storage.saveSnapshot(this.id, seq, snapshot);
      this.sinceSnapshot -= covered;
      this.sizeBytes = snapshot.byteLength;
      this.options.log.debug('room.compacted', {
        room: this.id,
        seq,
        bytes: snapshot.byteLength,
        ms: Date.now() - startedMs,
      });
    });
    await this.chain;
  }

  /** Stops timers; the caller has settled and compacted what it wanted. */
  destroy(): void {
    this.closed = true;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.controls.stop();
    this.doc.destroy();
  }

  /**
   * Stores updates, waiting out a full disk or a database that is away
   * (storageTrouble): everyone in the room is told their
   * changes are not saved, and the store is tried again with a growing pause
   * until it succeeds (then acknowledgements and broadcasts go on in order) or
   * the relay shuts down. Any other failure throws at once.
   */
  private async append(updates: NewUpdate[]): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const seqs = await this.options.storage.appendUpdates(this.id, updates);
        if (this.notSaving) {
          this.notSaving = null;
          this.options.log.info('room.store_resumed', { room: this.id, attempts: attempt });
        }
        return seqs;
      } catch (error) {
        const trouble = storageTrouble(error);
        if (!trouble || this.closed || this.givingUp) throw error;
        if (!this.notSaving) {
          this.notSaving = trouble;
          this.options.log.error(trouble === 'full' ? 'room.store_full' : 'room.store_unreachable', {
            room: this.id,
            err: error,
          });
          for (const conn of this.connections) this.tellNotSaved(conn);
        }
        await new Promise<void>((resume) => {
          const timer = setTimeout(resume, Math.min(STORE_RETRY_MAX_MS, STORE_RETRY_MS * 2 ** attempt));
          this.wakeRetry = () => {
            clearTimeout(timer);
            resume();
          };
        });
        this.wakeRetry = null;
      }
    }
  }

  /**
   * Connections to this room on every relay sharing it: exact here, as the
   * others last said elsewhere (at most a few seconds old; a relay that died
   * stops counting within PRESENCE_STALE_MS). Limits count these.
   */
  get connectionsEverywhere(): number {
    return this.connections.size + this.elsewhere.connections;
  }

  /** The peers (connections that said hello) here and on the other relays sharing the room. */
  peersEverywhere(except: Connection | null): PeerInfo[] {
    const here = [...this.connections].filter((other) => other.tandem && other !== except);
    return [...here.map((other) => other.peer), ...this.elsewhere.peers];
  }

  /**
   * Tells the other relays sharing the room what this one holds in it: on every
   * join, hello and leave, and on the relay's presence tick (see RoomManager).
   */
  sayPresence(): void {
    const { publish } = this.options;
    if (!publish || this.closed) return;
    const peers = [...this.connections].filter((conn) => conn.tandem).map((conn) => conn.peer);
    publish({
      kind: BusKind.Presence,
      payload: encodePresence({ connections: this.connections.size, peers }),
    });
  }

  /** What another relay heard from its people or sends them: checked here before anyone gets it. */
  private receiveFrame(from: string, { kind, payload }: BusMessage): void {
    switch (kind) {
      case BusKind.Signal:
        return this.deliverSignal(from, payload);
      case BusKind.Presence:
        return this.heardPresence(from, decodePresence(payload));
      case BusKind.Awareness: {
        const news = this.awareness.applyRemote(from, decodeAwarenessUpdate(payload));
        if (news.length > 0) this.sendAwareness(encodeAwarenessUpdate(news), null);
        return;
      }
      case BusKind.Broadcast: {
        const { type } = decode(Direction.RelayToClient, payload);
        if (RUN_FRAMES.has(type)) this.broadcastTandem(payload);
        return;
      }
      case BusKind.Mute: {
        const decoder = decoding.createDecoder(payload);
        const uid = decoding.readVarString(decoder);
        const bits = decoding.readVarUint(decoder);
        return this.mute(uid, { audio: (bits & 1) !== 0, video: (bits & 2) !== 0 }, true);
      }
      case BusKind.RunControl: {
        const message = decode(Direction.ClientToRelay, payload);
        if (message.type === MessageType.RunInput || message.type === MessageType.RunStop)
          this.runControl?.(message);
        return;
      }
    }
  }

  /**
   * The owner muted (or let speak) a user: every peer of that user, on every
   * relay sharing the room, is told to everyone (a second tab is the same
   * person), and the state is kept for newcomers. `fromRemote`: another relay
   * said so, and has told the others.
   */
  mute(uid: string, mute: MessageOf<'MediaControl'>['mute'], fromRemote = false): void {
    if (mute.audio || mute.video) this.controls.mediaMuted.set(uid, mute);
    else this.controls.mediaMuted.delete(uid);
    for (const peer of this.peersEverywhere(null)) {
      if (peer.userId !== uid) continue;
      this.broadcastTandem(encode({ type: MessageType.MediaControl, peer: peer.peerId, mute }));
    }
    if (!fromRemote) this.publishMute(uid, mute);
  }

  private publishMute(uid: string, mute: MessageOf<'MediaControl'>['mute']): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, uid);
    encoding.writeVarUint(encoder, (mute.audio ? 1 : 0) | (mute.video ? 2 : 0));
    this.options.publish?.({ kind: BusKind.Mute, payload: encoding.toUint8Array(encoder) });
  }

  /** A run's frame, to every connection of the room on every relay sharing it. */
  broadcastRun(message: Uint8Array): void {
    this.broadcastTandem(message);
    this.options.publish?.({ kind: BusKind.Broadcast, payload: message });
  }

  /** A runInput or runStop (its sender's right checked here) for the relay the run belongs to. */
  relayRunControl(message: Uint8Array): void {
    this.options.publish?.({ kind: BusKind.RunControl, payload: message });
  }

  onRelayedRunControl(apply: (message: RunInput | RunStop) => void): void {
    this.runControl = apply;
  }

  /**
   * A relay said what it holds. One heard for the first time is told at once
   * who is here, where their cursors are and who is muted: its newcomers see
   * them now, not at their next renewal (up to 15 s).
   */
  private heardPresence(relayId: string, presence: Presence): void {
    if (!this.elsewhere.heard(relayId, presence) || this.connections.size === 0) return;
    this.sayPresence();
    const live = this.awareness.encodeLive(true);
    if (live) this.options.publish?.({ kind: BusKind.Awareness, payload: live });
    for (const [uid, mute] of this.controls.mediaMuted) this.publishMute(uid, mute);
  }

  /** The presence tick: relays gone silent are forgotten, and this one says it is still here. */
  presenceTick(): void {
    this.elsewhere.prune();
    if (this.connections.size > 0) this.sayPresence();
  }

  /**
   * Passes a WebRTC signal from `from` to the peer `to`, on this relay or on
   * another sharing the room; false if no relay holds that peer.
   */
  signal(from: Connection, to: string, data: string): boolean {
    const frame = encode({ type: MessageType.Signal, peer: from.peerId, data });
    const target = this.peer(to);
    if (target) {
      if (target === from) return false;
      target.send(frame);
      return true;
    }
    const { publish } = this.options;
    if (!publish || this.elsewhere.relayOf(to) === null) return false;
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, to);
    encoding.writeVarUint8Array(encoder, frame);
    publish({ kind: BusKind.Signal, payload: encoding.toUint8Array(encoder) });
    return true;
  }

  /** A signal another relay passed on: to our peer it names, if that sender is one that relay holds. */
  private deliverSignal(from: string, payload: Uint8Array): void {
    const decoder = decoding.createDecoder(payload);
    const to = decoding.readVarString(decoder);
    const frame = decoding.readVarUint8Array(decoder);
    const signal = decode(Direction.RelayToClient, frame);
    if (signal.type !== MessageType.Signal || this.elsewhere.relayOf(signal.peer) !== from) return;
    this.peer(to)?.send(frame);
  }

  /** Tells a newcomer (on its hello) if storing waits for disk space. */
  tellIfNotSaving(conn: Connection): void {
    if (this.notSaving) this.tellNotSaved(conn);
  }

  private tellNotSaved(conn: Connection): void {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.NotSaved,
      message: `The server cannot store changes right now (${TROUBLE[this.notSaving ?? 'full']}). Yours are kept in this browser and saved when it can.`,
    });
  }

  /** Shutting down: a store waiting out a full disk stops waiting (what it held was never acknowledged). */
  stopWaitingForStorage(): void {
    this.givingUp = true;
    this.wakeRetry?.();
  }

  /**
   * Answers a sync step 1 with what the document has that `stateVector` lacks.
   * While storing waits for disk space, the answer waits too: the document then
   * holds changes the log does not, and nothing the log lacks is ever served.
   */
  answerStep1(conn: Connection, stateVector: Uint8Array): void {
    const answer = () =>
      conn.send(
        encode({
          type: MessageType.Sync,
          step: SyncStep.Step2,
          payload: Y.encodeStateAsUpdate(this.doc, stateVector),
        }),
      );
    if (!this.notSaving) return answer();
    this.enqueue(async () => {
      if (conn.open) answer();
    });
  }

  /** Runs `step` after every earlier one; a failing step is logged and does not stop later ones. */
  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.closed ? undefined : step()))
      .catch((error: unknown) => this.options.log.error('room.step_failed', { room: this.id, err: error }));
  }

  private markDirty(conn: Connection): void {
    this.dirty.add(conn);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.options.scheduleFlush(this);
  }

  private flush(): void {
    if (!this.flushScheduled || this.closed) return;
    this.flushScheduled = false;
    const batches: Batch[] = [];
    for (const conn of this.dirty) {
      const updates = conn.pendingUpdates;
      const statuses = conn.pendingStatuses;
      conn.pendingUpdates = [];
      conn.pendingStatuses = [];
      const update = updates.length > 0 ? this.integrate(conn, updates, false) : null;
      if (this.closed) return; // an update broke the room: it is gone, reloading from the log
      batches.push({ conn, update, statuses });
    }
    this.dirty.clear();
    if (!this.releaseHeld(batches)) return;
    // A connection's statuses wait while it has updates held: they are not stored yet.
    for (const batch of batches) {
      const { conn } = batch;
      if (this.held.holds(conn)) {
        conn.heldStatuses.push(...batch.statuses);
        batch.statuses = [];
      } else if (conn.heldStatuses.length > 0) {
        batch.statuses = [...conn.heldStatuses, ...batch.statuses];
        conn.heldStatuses = [];
      }
    }
    const now = Date.now();
    const toStore: NewUpdate[] = [];
    for (const { conn, update } of batches) {
      if (update) toStore.push({ at: now, author: conn.claims.uid, data: update });
    }
    this.unstored += toStore.length;
    this.enqueue(async () => {
      if (toStore.length > 0) {
        try {
          const startedAt = performance.now();
          const seqs = await this.append(toStore);
          this.options.onStored?.((performance.now() - startedAt) / 1000);
          this.lastSeq = seqs[seqs.length - 1] ?? this.lastSeq;
          this.sinceSnapshot += seqs.length;
          this.unstored -= toStore.length;
        } catch (error) {
          this.options.log.error('room.store_failed', { room: this.id, err: error });
          this.options.onBroken(this);
          return;
        }
      }
      for (const { conn, update, statuses } of batches) {
        if (update) {
          this.broadcastUpdate(update, conn);
          this.options.publish?.({ kind: BusKind.Update, payload: update });
        }
        for (const counter of statuses) conn.sendTandem({ type: MessageType.SyncStatus, counter });
      }
      this.maybeScheduleCompaction();
    });
  }

  /**
   * Applies held updates whose dependencies have arrived, until nothing more
   * moves, adding a batch per connection. False if the room broke meanwhile.
   */
  private releaseHeld(batches: Batch[]): boolean {
    const has = (client: number, clock: number) => Y.getState(this.doc.store, client) > clock;
    for (;;) {
      const ready = this.held.takeReady(has);
      if (ready.size === 0) return true;
      for (const [conn, updates] of ready) {
        // Its right may have gone while they waited (a classroom revoke).
        if (!conn.open || !this.controls.mayEdit(conn.claims)) continue;
        const update = this.integrate(conn, updates, true);
        if (this.closed) return false;
        batches.push({ conn, update, statuses: [] });
      }
    }
  }

  /**
   * Applies one connection's updates in one transaction, each after its
   * inspection, and returns the update to store and forward (null: nothing
   * changed). From the first that must wait, the rest are held in order
   * (`released`: they come from the held queue, so they go back to its front).
   */
  private integrate(conn: Connection, updates: QueuedUpdate[], released: boolean): Uint8Array | null {
    let applied = 0;
    let fresh = false;
    let last: Uint8Array | null = null;
    // Yjs encodes a transaction's update only while someone listens: for one update that
    // only adds structs (a keystroke), the sender's bytes are what we store and forward.
    // Several merge into one frame; deletes may delete nothing new, which the encoding tells.
    const merge = updates.length > 1 || updates.some((queued) => queued.deleteRanges > 0);
    let captured: Uint8Array | null = null;
    try {
      const applyAll = () => {
        for (let i = 0; i < updates.length; i++) {
          if (conn.closing) return;
          if (!released && this.held.holds(conn)) return this.hold(conn, updates.slice(i), null, false);
          const { update } = updates[i]!;
          const admission = this.admit(conn, updates[i]!);
          switch (admission.kind) {
            case 'apply':
              Y.applyUpdate(this.doc, update, this);
              this.sizeBytes += update.byteLength;
              if (updates[i]!.deleteRanges > 0) this.shrunk = true;
              applied++;
              fresh ||= admission.fresh;
              last = update;
              break;
            case 'wait':
              return this.hold(conn, updates.slice(i), admission, released);
            case 'refuse':
              conn.log.warn('room.update_refused', { reason: admission.reason });
              this.held.drop(conn);
              conn.close(CloseCode.UpdateRefused, `update refused: ${admission.reason}`);
              return;
            case 'too-large':
              this.refuseTooLarge(conn);
              break;
          }
        }
      };
      if (merge) captured = this.capture(applyAll);
      else this.doc.transact(applyAll, this);
    } catch (error) {
      this.breakDown(conn, error);
      return null;
    }
    if (applied === 0 || (merge ? captured === null : !fresh)) return null;
    const { pendingStructs, pendingDs } = this.doc.store;
    if (pendingStructs !== null || pendingDs !== null) {
      // Inspection should make this impossible; if Yjs parked parts anyway, store
      // what the sender sent so the log holds them too.
      conn.log.warn('room.pending_after_inspection');
      return Y.mergeUpdates(updates.map((queued) => queued.update));
    }
    return applied === 1 || !merge ? last : captured;
  }

  /**
   * Another relay changed the room's settings: take them from storage, tell
   * everyone here their new rights, and close whoever the room no longer
   * admits (removed, or holding a link the owner replaced), as that relay did.
   */
  private async reloadControls(): Promise<void> {
    const { storage } = this.options;
    await this.controls.reload(async () => {
      const [record, users] = await Promise.all([storage.getRoom(this.id), storage.listUsers(this.id)]);
      return record ? { record, users: users.map((user) => user.uid) } : null;
    });
    for (const conn of [...this.connections]) {
      const admission = this.controls.admits(conn.claims);
      if (admission === 'removed') conn.close(CloseCode.Removed);
      else if (admission === 'link_replaced')
        conn.close(CloseCode.Forbidden, 'the owner replaced this link with a new one');
    }
  }

  /**
   * After an outage of the relays' bus: what other relays stored meanwhile
   * never arrived here. The database has it: whatever it holds that this
   * document lacks is applied and sent to everyone here, and the settings are
   * read again.
   */
  /**
   * A remote update that builds on one this relay never got: the relay that
   * stored that one died before publishing it. If the gap is still there a
   * moment later (updates from several relays may cross), the database fills it.
   */
  private healGapSoon(): void {
    if (this.gapTimer || this.closed) return;
    // The database may not have it either (an update it refused): a few tries, then it waits
    // for what comes next rather than reading the room again and again.
    if (this.gapTries >= GAP_TRIES_MAX) return;
    this.gapTimer = setTimeout(
      () => {
        this.gapTimer = null;
        const { pendingStructs, pendingDs } = this.doc.store;
        if (this.closed || (pendingStructs === null && pendingDs === null)) return;
        this.gapTries++;
        this.options.log.warn('room.gap_filled_from_storage', { room: this.id, tries: this.gapTries });
        this.resynchroniseLogged();
      },
      GAP_WAIT_MS * 2 ** this.gapTries,
    );
    this.gapTimer.unref();
  }

  private resynchroniseLogged(): void {
    if (this.closed) return;
    this.resynchronise().catch((error: unknown) =>
      this.options.log.error('room.resync_failed', { room: this.id, err: error }),
    );
  }

  async resynchronise(): Promise<void> {
    const { doc } = buildStoredDoc(await this.options.storage.loadState(this.id));
    try {
      if (this.closed) return;
      this.receiveRemote({
        kind: BusKind.Update,
        payload: Y.encodeStateAsUpdate(doc, Y.encodeStateVector(this.doc)),
      });
    } finally {
      doc.destroy();
    }
    await this.reloadControls();
  }

  /** The room as the database holds it now: its last seq and the merged state up to it. */
  private async storedState(): Promise<{ seq: number; snapshot: Uint8Array }> {
    const { doc, lastSeq } = buildStoredDoc(await this.options.storage.loadState(this.id));
    try {
      return { seq: lastSeq, snapshot: Y.encodeStateAsUpdate(doc) };
    } finally {
      doc.destroy();
    }
  }

  /** Runs `edit` in one transaction of ours; returns the update it made (null: it changed nothing). */
  private capture(edit: () => void): Uint8Array | null {
    this.captured = null;
    this.doc.on('update', this.onUpdate);
    try {
      this.doc.transact(edit, this);
    } finally {
      this.doc.off('update', this.onUpdate);
    }
    const captured = this.captured as Uint8Array | null;
    this.captured = null;
    return captured;
  }

  private admit(conn: Connection, { update, structs }: QueuedUpdate): UpdateAdmission {
    const { typeDepthMax } = this.options.limits;
    const verdict = inspectUpdate(update, this.doc, { userId: conn.claims.uid, typeDepthMax });
    if (verdict.kind !== 'apply' || structs === 0) return verdict; // deleting always fits
    return this.fits(update.byteLength) ? verdict : TOO_LARGE;
  }

  /** Whether `bytes` more still fit the document's size limit. */
  fits(bytes: number): boolean {
    const max = this.options.limits.maxDocumentBytes;
    if (this.sizeBytes + bytes <= max) return true;
    const now = Date.now();
    if (this.shrunk || now - this.sizeMeasuredAt >= SIZE_REMEASURE_MS) {
      this.sizeMeasuredAt = now;
      this.shrunk = false;
      this.sizeBytes = Y.encodeStateAsUpdate(this.doc).byteLength;
    }
    return this.sizeBytes + bytes <= max;
  }

  /** Holds `updates` (the first waits for `wait`; the rest queue behind it). */
  private hold(
    conn: Connection,
    updates: QueuedUpdate[],
    wait: { client: number; clock: number } | null,
    released: boolean,
  ): void {
    const waitFor = wait ? { client: wait.client, clock: wait.clock } : { client: 0, clock: -1 };
    const held: HeldUpdate[] = updates.map((queued) => ({ ...queued, waitFor }));
    if (released) return this.held.putBack(conn, held);
    for (const one of held) {
      for (const evicted of this.held.add(conn, one)) {
        evicted.log.warn('room.held_evicted');
        evicted.close(CloseCode.UpdatesWaiting);
      }
      if (conn.closing) return;
    }
  }

  private refuseTooLarge(conn: Connection): void {
    const mib = (this.options.limits.maxDocumentBytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
    conn.refuse(
      ErrorCode.DocumentTooLarge,
      `this room has reached its size limit (${mib} MiB): that change was not saved; delete files to make room`,
    );
  }

  /** Yjs threw while applying: the document may be half-changed, so it must never be served again. */
  private breakDown(conn: Connection, error: unknown): void {
    conn.log.error('room.apply_failed', { err: error });
    conn.close(CloseCode.MalformedMessage, 'update could not be applied');
    this.options.onBroken(this);
  }

  private broadcastUpdate(update: Uint8Array, from: Connection | null): void {
    const bytes = asBuffer(encode({ type: MessageType.Sync, step: SyncStep.Update, payload: update }));
    for (const conn of this.connections) if (conn !== from) conn.send(bytes);
  }

  private maybeScheduleCompaction(force = false): void {
    if (this.compactTimer || (!force && this.sinceSnapshot < this.options.compactAfterUpdates)) return;
    this.compactTimer = setTimeout(() => {
      this.compact().catch((error: unknown) =>
        this.options.log.error('room.compact_failed', { room: this.id, err: error }),
      );
    }, COMPACT_DELAY_MS);
    this.compactTimer.unref();
  }
}
