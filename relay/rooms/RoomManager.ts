/**
 * Loads rooms on demand, shares one Room per id, and unloads rooms nobody uses.
 * A room is loaded completely (snapshot + log tail applied) before anyone gets a
 * sync reply; if that fails the join is refused and nothing is written, so a
 * failed load can never store an empty document over a real one.
 *
 * A room whose stored state does not load (a snapshot holding a change no log
 * entry has, as relays before the update inspection could write) is rebuilt
 * from its log alone, entry by entry; an entry Yjs cannot apply is quarantined
 * and the rebuild goes on from the entries before it. The mended state replaces
 * every snapshot, in one storage transaction, and the room opens as usual.
 */
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import type { Logger } from '../../server/log.js';
import type { Storage } from '../storage/Storage.js';
import { inspectUpdate } from '../../shared/sync/inspectUpdate.js';
import { validateUpdate } from '../../shared/sync/validateUpdate.js';
import type { StoredUpdate } from '../storage/Storage.js';
import { BusKind, type BusMessage, type RoomBus } from '../cluster/RoomBus.js';
import { PRESENCE_EVERY_MS } from '../cluster/presence.js';
import { FlushScheduler } from './FlushScheduler.js';
import { buildStoredDoc, type StoredDoc } from './storedDoc.js';
import { Room, type RoomLimits } from './Room.js';

export interface RoomManagerOptions {
  storage: Storage;
  log: Logger;
  roomIdleUnloadMs: number;
  compactAfterUpdates: number;
  limits: RoomLimits;
  /** How long each pass of a room's updates took to store (metrics). */
  onStored?: (seconds: number) => void;
  /** Relays sharing rooms over Redis (REDIS_URL); absent: this relay alone holds its rooms. */
  bus?: RoomBus;
  /** Other relays may write the same storage (PostgreSQL). */
  sharedStorage?: boolean;
}

/** A repair that has to set aside more entries than this gives up: something else is wrong. */
const QUARANTINE_MAX = 20;
const LOG_PAGE_ENTRIES = 5_000;

type Built = StoredDoc;

export class RoomLoadError extends Error {
  override name = 'RoomLoadError';
}

export class RoomManager {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room | null>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private readonly flushes = new FlushScheduler();
  /** Each loaded room's RoomBus listener, when rooms are shared. */
  private readonly subscriptions = new Map<Room, (message: BusMessage) => void>();
  /** One presence tick for every shared room (not a timer per room). */
  private readonly presenceTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RoomManagerOptions) {
    const { bus } = options;
    // Back from an outage (of Redis, or only of this relay's link to it): each room
    // takes what others stored meanwhile, and asks them to take what it stored.
    bus?.onReconnected(() => {
      for (const room of this.rooms.values()) {
        bus.publish(room.id, { kind: BusKind.Resync, payload: new Uint8Array(0) });
        room
          .resynchronise()
          .catch((error: unknown) => options.log.error('room.resync_failed', { room: room.id, err: error }));
      }
    });
    if (bus) {
      this.presenceTimer = setInterval(() => {
        for (const room of this.rooms.values()) room.presenceTick();
      }, PRESENCE_EVERY_MS);
      this.presenceTimer.unref();
    }
  }

  get loadedCount(): number {
    return this.rooms.size;
  }

  get connectionCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.connections.size;
    return count;
  }

  /** Bytes of updates held for missing dependencies, over every loaded room. */
  get heldBytes(): number {
    let bytes = 0;
    for (const room of this.rooms.values()) bytes += room.heldStats.bytes;
    return bytes;
  }

  /** The room if it is loaded now, without loading it. */
  peek(roomId: string): Room | null {
    return this.rooms.get(roomId) ?? null;
  }

  /** The loaded room, loading it if needed; null if no such room exists. Throws RoomLoadError. */
  async acquire(roomId: string): Promise<Room | null> {
    this.cancelUnload(roomId);
    const loaded = this.rooms.get(roomId);
    if (loaded) return loaded;
    let pending = this.loading.get(roomId);
    if (!pending) {
      pending = this.load(roomId).finally(() => this.loading.delete(roomId));
      this.loading.set(roomId, pending);
    }
    const room = await pending;
    // A room nobody joins after an HTTP read still has to go away.
    if (room) this.releaseIfIdle(room);
    return room;
  }

  /** Call when a room may have become unused (its last socket closed). */
  releaseIfIdle(room: Room): void {
    if (room.connections.size > 0 || room.pins > 0 || this.rooms.get(room.id) !== room) return;
    this.cancelUnload(room.id);
    const timer = setTimeout(() => void this.unload(room), this.options.roomIdleUnloadMs);
    timer.unref();
    this.unloadTimers.set(room.id, timer);
  }

  /** Stores everything and drops every room (shutdown). */
  async closeAll(): Promise<void> {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    await Promise.all([...this.loading.values()].map((p) => p.catch(() => null)));
    await Promise.all([...this.rooms.values()].map((room) => this.unload(room, true)));
  }

  /**
   * Sharing rooms, the relay subscribes to the room before it reads storage and
   * keeps what arrives meanwhile, then applies it to the loaded document: an
   * update another relay stores during the load is either in what was read or
   * in what arrived (often both: Yjs applies it once), never in neither.
   */
  private async load(roomId: string): Promise<Room | null> {
    const { bus } = this.options;
    if (!bus) return this.loadStored(roomId, null);
    const early: BusMessage[] = [];
    let loaded: Room | null = null;
    const deliver = (message: BusMessage) => (loaded ? loaded.receiveRemote(message) : early.push(message));
    await bus.join(roomId, deliver);
    try {
      loaded = await this.loadStored(roomId, (message) => bus.publish(roomId, message));
    } finally {
      if (!loaded) await bus.leave(roomId, deliver);
    }
    if (loaded) {
      this.subscriptions.set(loaded, deliver);
      for (const message of early) loaded.receiveRemote(message);
    }
    return loaded;
  }

  private async loadStored(
    roomId: string,
    publish: ((message: BusMessage) => void) | null,
  ): Promise<Room | null> {
    const { storage, log } = this.options;
    const record = await storage.getRoom(roomId);
    if (!record) return null;
    const startedMs = Date.now();
    let built: Built;
    try {
      built = buildStoredDoc(await storage.loadState(roomId));
    } catch (error) {
      log.error('room.load_failed', { room: roomId, err: error });
      try {
        built = await this.repair(roomId);
      } catch (repairError) {
        log.error('room.repair_failed', { room: roomId, error: String(repairError) });
        throw new RoomLoadError(`room ${roomId} could not be loaded`);
      }
    }
    const users = (await storage.listUsers(roomId)).map((user) => user.uid);
    const room = new Room(record, built.doc, built.lastSeq, built.sinceSnapshot, {
      storage,
      log,
      users,
      compactAfterUpdates: this.options.compactAfterUpdates,
      limits: this.options.limits,
      loadedBytes: built.bytes,
      onBroken: (broken) => this.drop(broken),
      scheduleFlush: (dirty) => this.flushes.schedule(dirty),
      ...(this.options.onStored && { onStored: this.options.onStored }),
      ...(publish && { publish }),
      sharedStorage: this.options.sharedStorage === true,
    });
    this.rooms.set(roomId, room);
    log.debug('room.loaded', { room: roomId, ms: Date.now() - startedMs });
    return room;
  }

  /**
   * Rebuilds a room from its log alone, ignoring snapshots. An entry that throws
   * leaves the document half-changed, so the document is rebuilt from the
   * entries before it and that entry is quarantined. Stores the result.
   */
  private async repair(roomId: string): Promise<Built> {
    const { storage, log } = this.options;
    const entries: StoredUpdate[] = [];
    for (let after = 0; ;) {
      const page = await storage.readLog(roomId, after, LOG_PAGE_ENTRIES);
      entries.push(...page);
      if (page.length < LOG_PAGE_ENTRIES) break;
      after = page[page.length - 1]!.seq;
    }
    const quarantine: number[] = [];
    let doc = new Y.Doc();
    let good: StoredUpdate[] = [];
    // Entries are held to today's nesting rule too: a chain that was let in once would break every delete of it.
    const rules = { userId: null, paths: false, typeDepthMax: this.options.limits.typeDepthMax };
    for (const entry of entries) {
      try {
        validateUpdate(entry.data);
        const verdict = inspectUpdate(entry.data, doc, rules);
        if (verdict.kind === 'refuse') throw new Error(verdict.reason);
        Y.applyUpdate(doc, entry.data);
        good.push(entry);
      } catch (error) {
        log.warn('room.entry_quarantined', { room: roomId, seq: entry.seq, err: error });
        quarantine.push(entry.seq);
        if (quarantine.length > QUARANTINE_MAX) {
          throw new Error(`more than ${QUARANTINE_MAX} entries fail to apply`, { cause: error });
        }
        doc.destroy();
        doc = new Y.Doc();
        const again = good;
        good = [];
        for (const kept of again) {
          Y.applyUpdate(doc, kept.data);
          good.push(kept);
        }
      }
    }
    const data = Y.encodeStateAsUpdate(doc);
    const lastSeq = good.at(-1)?.seq ?? 0;
    await storage.repairRoom(roomId, { quarantine, snapshot: lastSeq > 0 ? { seq: lastSeq, data } : null });
    log.warn('room.repaired', { room: roomId, entries: good.length, quarantined: quarantine });
    return { doc, lastSeq, sinceSnapshot: 0, bytes: data.byteLength };
  }

  private async unload(room: Room, shuttingDown = false): Promise<void> {
    this.cancelUnload(room.id);
    if (shuttingDown) {
      for (const conn of room.connections) conn.close(CloseCode.GoingAway);
      room.stopWaitingForStorage();
    }
    await room.settle();
    // Someone may have joined meanwhile; they joined this instance, so keep it.
    if (!shuttingDown && (room.connections.size > 0 || room.pins > 0)) return;
    // Detach first: a join from now on loads afresh from storage, which already
    // holds every update (settled above), with or without the snapshot below.
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    try {
      await room.compact();
    } catch (error) {
      this.options.log.error('room.unload_compact_failed', { room: room.id, err: error });
    }
    room.destroy();
    await this.unsubscribe(room);
    this.options.log.debug('room.unloaded', { room: room.id });
  }

  private async unsubscribe(room: Room): Promise<void> {
    const deliver = this.subscriptions.get(room);
    if (!deliver || !this.options.bus) return;
    this.subscriptions.delete(room);
    await this.options.bus
      .leave(room.id, deliver)
      .catch((error: unknown) =>
        this.options.log.warn('cluster.leave_failed', { room: room.id, err: error }),
      );
  }

  /** Storing failed: close everyone and forget the room; the next join reloads it from the log. */
  private drop(room: Room): void {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    for (const conn of room.connections) conn.close(CloseCode.RoomUnavailable);
    room.destroy();
    void this.unsubscribe(room);
  }

  private cancelUnload(roomId: string): void {
    const timer = this.unloadTimers.get(roomId);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(roomId);
  }
}
