/**
 * Loads rooms on demand, shares one Room per id, and unloads rooms nobody uses.
 * A room is loaded completely (snapshot + log tail applied) before anyone gets a
 * sync reply; if that fails the join is refused and nothing is written, so a
 * failed load can never store an empty document over a real one.
 */
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import type { Logger } from '../log.js';
import type { Storage } from '../storage/Storage.js';
import { Room } from './Room.js';

export interface RoomManagerOptions {
  storage: Storage;
  log: Logger;
  roomIdleUnloadMs: number;
  compactAfterUpdates: number;
}

export class RoomLoadError extends Error {
  override name = 'RoomLoadError';
}

export class RoomManager {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room | null>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: RoomManagerOptions) {}

  get loadedCount(): number {
    return this.rooms.size;
  }

  get connectionCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.connections.size;
    return count;
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
    if (room.connections.size > 0 || this.rooms.get(room.id) !== room) return;
    this.cancelUnload(room.id);
    const timer = setTimeout(() => void this.unload(room), this.options.roomIdleUnloadMs);
    timer.unref();
    this.unloadTimers.set(room.id, timer);
  }

  /** Stores everything and drops every room (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.loading.values()].map((p) => p.catch(() => null)));
    await Promise.all([...this.rooms.values()].map((room) => this.unload(room, true)));
  }

  private async load(roomId: string): Promise<Room | null> {
    const { storage, log } = this.options;
    const record = await storage.getRoom(roomId);
    if (!record) return null;
    const startedMs = Date.now();
    let room: Room;
    try {
      const state = await storage.loadState(roomId);
      const doc = new Y.Doc();
      doc.transact(() => {
        if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
        for (const update of state.tail) Y.applyUpdate(doc, update.data);
      });
      const lastSeq = state.tail.at(-1)?.seq ?? state.snapshotSeq;
      room = new Room(record, doc, lastSeq, state.tail.length, {
        storage,
        log,
        compactAfterUpdates: this.options.compactAfterUpdates,
        onBroken: (broken) => this.drop(broken),
      });
    } catch (error) {
      log.error('room.load_failed', { room: roomId, error: String(error) });
      throw new RoomLoadError(`room ${roomId} could not be loaded`);
    }
    this.rooms.set(roomId, room);
    log.debug('room.loaded', { room: roomId, ms: Date.now() - startedMs });
    return room;
  }

  private async unload(room: Room, shuttingDown = false): Promise<void> {
    this.cancelUnload(room.id);
    if (shuttingDown) {
      for (const conn of room.connections) conn.close(CloseCode.GoingAway);
    }
    await room.settle();
    // Someone may have joined meanwhile; they joined this instance, so keep it.
    if (!shuttingDown && room.connections.size > 0) return;
    // Detach first: a join from now on loads afresh from storage, which already
    // holds every update (settled above), with or without the snapshot below.
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    try {
      await room.compact();
    } catch (error) {
      this.options.log.error('room.unload_compact_failed', { room: room.id, error: String(error) });
    }
    room.destroy();
    this.options.log.debug('room.unloaded', { room: room.id });
  }

  /** Storing failed: close everyone and forget the room; the next join reloads it from the log. */
  private drop(room: Room): void {
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
    for (const conn of room.connections) conn.close(CloseCode.RoomUnavailable);
    room.destroy();
  }

  private cancelUnload(roomId: string): void {
    const timer = this.unloadTimers.get(roomId);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(roomId);
  }
}
