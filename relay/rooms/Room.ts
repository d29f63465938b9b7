/**
 * A loaded room: its Yjs document (the relay's authority for snapshots and runs),
 * awareness, connections, and the path of every update:
 *
 *   receive -> validate -> queue on the connection -> flush (next macrotask):
 *   apply the connection's queued updates in one transaction -> append the
 *   resulting update to the log -> broadcast it to every other connection.
 *
 * Storing comes before broadcasting, so an update anyone has received survives a
 * kill -9. A burst of queued updates leaves as one merged frame (the
 * transaction's own update), which is what lets the relay keep up with a typist
 * faster than a relay that forwards every frame.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { MessageType, SyncStep } from '../../shared/protocol/messageTypes.js';
import { encodePeerMessage } from '../../shared/protocol/peers.js';
import { encodeRoomState } from '../../shared/protocol/roomState.js';
import { canReadNotes } from '../../shared/roles.js';
import { RoomKind, editRight, nextHandover, type EditRight, type RoomSettings } from '../../shared/rooms.js';
import type { TokenClaims } from '../../shared/token.js';
import type { Logger } from '../log.js';
import type { NewUpdate, RoomPolicy, RoomRecord, Storage } from '../storage/Storage.js';
import { RoomAwareness, encodeAwarenessUpdate, type AwarenessEntry } from '../sync/awareness.js';
import type { Connection } from './Connection.js';

/** Wait after the log passes the compaction threshold, so a burst finishes first. */
const COMPACT_DELAY_MS = 2_000;
const REMOVED: EditRight = { canEdit: false, reason: 'removed from the room by the owner' };
/** The driver timer's announcement fires this long after the handover instant. */
const HANDOVER_SLACK_MS = 5;

export interface RoomOptions {
  storage: Storage;
  log: Logger;
  compactAfterUpdates: number;
  /** Called when storing fails: the room must be dropped and reloaded from the log. */
  onBroken: (room: Room) => void;
}

export class Room {
  readonly connections = new Set<Connection>();
  readonly awareness = new RoomAwareness();
  /** Media the owner muted, by user id: a reload (a new connection) does not lift it. */
  readonly mediaMuted = new Map<string, { audio: boolean; video: boolean }>();
  private readonly dirty = new Set<Connection>();
  private flushScheduled = false;
  /** Storing and broadcasting, in flush order. */
  private chain: Promise<void> = Promise.resolve();
  private captured: Uint8Array | null = null;
  private compactTimer: NodeJS.Timeout | null = null;
  private handoverTimer: NodeJS.Timeout | null = null;
  private settingsChain: Promise<void> = Promise.resolve();
  private cachedSettings: RoomSettings | null = null;
  private closed = false;

  constructor(
    readonly record: RoomRecord,
    readonly doc: Y.Doc,
    private lastSeq: number,
    private sinceSnapshot: number,
    private readonly options: RoomOptions,
  ) {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) this.captured = update;
    });
    // A driver timer outlives a relay restart (it is stored): keep announcing its handovers.
    this.scheduleHandover();
  }

  get id(): string {
    return this.record.id;
  }

  /** The room's settings as clients see them (the policy without the removed list). Do not mutate. */
  get settings(): RoomSettings {
    if (!this.cachedSettings) {
      const { removed: _removed, linkGeneration: _links, ...policy } = this.record.policy;
      this.cachedSettings = { name: this.record.name, ...policy };
    }
    return this.cachedSettings;
  }

  /** Whether a user may change the document right now, and why not. Runs for every update: no allocation. */
  editRight(claims: Pick<TokenClaims, 'uid' | 'role'>): EditRight {
    if (this.isRemoved(claims.uid)) return REMOVED;
    return editRight(this.settings, claims, Date.now());
  }

  mayEdit(claims: Pick<TokenClaims, 'uid' | 'role'>): boolean {
    return this.editRight(claims).canEdit;
  }

  isRemoved(uid: string): boolean {
    return this.record.policy.removed.includes(uid);
  }

  /** Whether these claims may enter at all: not a removed user, not a share link the owner replaced. */
  admits(claims: Pick<TokenClaims, 'uid' | 'link'>): Admission {
    return admission(this.record.policy, claims);
  }

  /**
   * Changes the room's name and/or policy: stored first, then every connection
   * hears the new state and its own edit right (changes run one at a time, so
   * two owners' clicks cannot lose one another). `change` sees the current
   * record and returns what to change, or null for nothing.
   */
  updateSettings(
    change: (record: RoomRecord) => { name?: string; policy?: RoomPolicy } | null,
  ): Promise<void> {
    const step = this.settingsChain.then(async () => {
      const patch = change(this.record);
      if (!patch) return;
      await this.options.storage.updateRoom(this.id, patch);
      if (patch.name !== undefined) this.record.name = patch.name;
      if (patch.policy !== undefined) this.record.policy = patch.policy;
      this.cachedSettings = null;
      this.announce();
    });
    this.settingsChain = step.catch(() => undefined);
    return step;
  }

  /** The `roomState` message for one connection. */
  stateFor(conn: Connection): Uint8Array {
    const { claims } = conn;
    const right = this.editRight(claims);
    return encodeRoomState({
      type: MessageType.RoomState,
      settings: this.settings,
      canEdit: right.canEdit,
      reason: right.reason,
      notes: this.record.policy.kind === RoomKind.Interview && canReadNotes(claims.role),
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
      const editing = this.mayEdit(conn.claims);
      if (editing && !conn.editing) this.requestState(conn);
      conn.editing = editing;
    }
    this.scheduleHandover();
  }

  /** Announces again when the driver timer hands the keyboard over. */
  private scheduleHandover(): void {
    if (this.handoverTimer) clearTimeout(this.handoverTimer);
    this.handoverTimer = null;
    const driver = this.record.policy.driver;
    if (!driver || this.closed) return;
    const now = Date.now();
    // A little late rather than early: the rule, evaluated then, must already see the new driver.
    this.handoverTimer = setTimeout(
      () => this.announce(),
      nextHandover(driver, now) - now + HANDOVER_SLACK_MS,
    );
    this.handoverTimer.unref();
  }

  private requestState(conn: Connection): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.Sync);
    encoding.writeVarUint(encoder, SyncStep.Step1);
    encoding.writeVarUint8Array(encoder, Y.encodeStateVector(this.doc));
    conn.send(encoding.toUint8Array(encoder));
  }

  /** Greets a new connection: sync step 1 (editors only: a viewer's answer would be dropped) and who is here. */
  join(conn: Connection): void {
    this.connections.add(conn);
    conn.editing = this.mayEdit(conn.claims);
    if (conn.editing) this.requestState(conn);
    const live = this.awareness.encodeLive();
    if (live) conn.send(frame(MessageType.Awareness, live));
  }

  leave(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    conn.dispose();
    if (conn.tandem)
      this.broadcastTandem(encodePeerMessage({ type: MessageType.PeerLeft, peerId: conn.peerId }), conn);
    const removed = this.awareness.removeAll(conn);
    if (removed.length > 0) this.broadcastAwareness(removed, conn);
    // Updates it sent before closing are still flushed: the client may count them as sent.
  }

  /** Queues a validated, non-empty update from an editor. */
  queueUpdate(conn: Connection, update: Uint8Array): void {
    conn.pendingUpdates.push(update);
    this.markDirty(conn);
  }

  /** Echoes `counter` once everything `conn` sent before it is stored. */
  queueStatus(conn: Connection, counter: number): void {
    conn.pendingStatuses.push(counter);
    this.markDirty(conn);
  }

  broadcastAwareness(entries: readonly AwarenessEntry[], from: Connection | null): void {
    const bytes = frame(MessageType.Awareness, encodeAwarenessUpdate(entries));
    for (const conn of this.connections) if (conn !== from) conn.send(bytes);
  }

  /** Sends a Tandem frame to every connection that speaks them (said hello), but `except`. */
  broadcastTandem(bytes: Uint8Array, except: Connection | null = null): void {
    for (const conn of this.connections) if (conn.tandem && conn !== except) conn.send(bytes);
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
    this.applyPending();
    // One transaction, one update: the same capture integrate() uses.
    this.captured = null;
    let data: Uint8Array | null;
    try {
      this.doc.transact(() => edit(this.doc), this);
    } finally {
      data = this.captured;
      this.captured = null;
    }
    if (!data) return null;
    let stored: number | null = null;
    let failure: unknown = null;
    this.enqueue(async () => {
      try {
        const [seq] = await this.options.storage.appendUpdates(this.id, [{ at: Date.now(), author, data }]);
        stored = seq ?? null;
        this.lastSeq = seq ?? this.lastSeq;
        this.sinceSnapshot += 1;
      } catch (error) {
        failure = error;
        this.options.log.error('room.store_failed', { room: this.id, error: String(error) });
        this.options.onBroken(this);
        return;
      }
      this.broadcastUpdate(data, null);
      this.maybeScheduleCompaction();
    });
    await this.chain;
    if (failure !== null) throw new Error('the change could not be stored', { cause: failure });
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
      // Everything up to lastSeq is in the doc; anything newer in it is applied again
      // harmlessly on reload (Yjs ignores what it already has).
      const seq = this.lastSeq;
      const startedMs = Date.now();
      const snapshot = Y.encodeStateAsUpdate(this.doc);
      await this.options.storage.saveSnapshot(this.id, seq, snapshot);
      this.sinceSnapshot -= covered;
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
    if (this.handoverTimer) clearTimeout(this.handoverTimer);
    this.doc.destroy();
  }

  /** Runs `step` after every earlier one; a failing step is logged and does not stop later ones. */
  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.closed ? undefined : step()))
      .catch((error: unknown) =>
        this.options.log.error('room.step_failed', { room: this.id, error: String(error) }),
      );
  }

  private markDirty(conn: Connection): void {
    this.dirty.add(conn);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    const batches: { conn: Connection; update: Uint8Array | null; statuses: number[] }[] = [];
    for (const conn of this.dirty) {
      const updates = conn.pendingUpdates;
      const statuses = conn.pendingStatuses;
      conn.pendingUpdates = [];
      conn.pendingStatuses = [];
      batches.push({ conn, update: updates.length > 0 ? this.integrate(conn, updates) : null, statuses });
    }
    this.dirty.clear();
    const now = Date.now();
    const toStore: NewUpdate[] = [];
    for (const { conn, update } of batches) {
      if (update) toStore.push({ at: now, author: conn.claims.uid, data: update });
    }
    this.enqueue(async () => {
      if (toStore.length > 0) {
        try {
          const seqs = await this.options.storage.appendUpdates(this.id, toStore);
          this.lastSeq = seqs[seqs.length - 1] ?? this.lastSeq;
          this.sinceSnapshot += seqs.length;
        } catch (error) {
          this.options.log.error('room.store_failed', { room: this.id, error: String(error) });
          this.options.onBroken(this);
          return;
        }
      }
      for (const { conn, update, statuses } of batches) {
        if (update) this.broadcastUpdate(update, conn);
        for (const counter of statuses) conn.sendTandem({ type: MessageType.SyncStatus, counter });
      }
      this.maybeScheduleCompaction();
    });
  }

  /**
   * Applies one connection's queued updates in one transaction; returns the update
   * to store and forward, or null when nothing changed.
   */
  private integrate(conn: Connection, updates: Uint8Array[]): Uint8Array | null {
    this.captured = null;
    let failed = false;
    try {
      this.doc.transact(() => {
        for (const update of updates) Y.applyUpdate(this.doc, update, this);
      }, this);
    } catch (error) {
      // A well-formed update Yjs still could not integrate. Whatever it did integrate
      // is in `captured` (Yjs ends the transaction either way) and is kept consistent.
      failed = true;
      this.options.log.warn('room.update_rejected', {
        room: this.id,
        user: conn.claims.uid,
        error: String(error),
      });
      conn.close(CloseCode.MalformedMessage, 'update could not be applied');
    }
    const captured = this.captured;
    this.captured = null;
    if (failed) return captured;
    const { pendingStructs, pendingDs } = this.doc.store;
    if (pendingStructs !== null || pendingDs !== null) {
      // Parts wait for missing dependencies and are not in the transaction's update:
      // store the sender's bytes so the log holds them too.
      return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
    }
    if (captured === null) return null;
    return updates.length === 1 ? updates[0]! : captured;
  }

  private broadcastUpdate(update: Uint8Array, from: Connection | null): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.Sync);
    encoding.writeVarUint(encoder, SyncStep.Update);
    encoding.writeVarUint8Array(encoder, update);
    const bytes = encoding.toUint8Array(encoder);
    for (const conn of this.connections) if (conn !== from) conn.send(bytes);
  }

  private maybeScheduleCompaction(): void {
    if (this.compactTimer || this.sinceSnapshot < this.options.compactAfterUpdates) return;
    this.compactTimer = setTimeout(() => {
      this.compact().catch((error: unknown) =>
        this.options.log.error('room.compact_failed', { room: this.id, error: String(error) }),
      );
    }, COMPACT_DELAY_MS);
    this.compactTimer.unref();
  }
}

export type Admission = 'ok' | 'removed' | 'link_replaced';

export function admission(policy: RoomPolicy, claims: Pick<TokenClaims, 'uid' | 'link'>): Admission {
  if (policy.removed.includes(claims.uid)) return 'removed';
  if (claims.link !== undefined && claims.link !== policy.linkGeneration) return 'link_replaced';
  return 'ok';
}

/** `[type, varUint8Array(payload)]`: the shape of awareness frames. */
export function frame(type: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}
