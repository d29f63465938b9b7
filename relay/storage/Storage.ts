/**
 * Where rooms live between relay restarts. One contract, several backends:
 * `storageContract.ts` is the suite every backend must pass (SQLite now,
 * PostgreSQL when scaling out). Methods are async so a networked backend fits.
 *
 * The update log is append-only: each row is one Yjs update (v1) with the time it
 * was stored and the user id that sent it. Snapshots are a cache over the log
 * (the merged state up to and including a log sequence number); the log itself is
 * kept, because history and replay read it.
 */

export interface RoomRecord {
  id: string;
  name: string;
  ownerId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  template: string | null;
}

export interface NewUpdate {
  /** Milliseconds since the epoch. */
  at: number;
  /** User id from the sender's token, or "system" for the relay's own writes. */
  author: string;
  data: Uint8Array;
}

export interface StoredUpdate extends NewUpdate {
  /** Increases with every append, across the whole store; never reused. */
  seq: number;
}

export interface RoomState {
  /** Latest snapshot, or null when none has been taken. */
  snapshot: Uint8Array | null;
  /** Highest seq the snapshot covers; 0 without a snapshot. */
  snapshotSeq: number;
  /** Every update with seq > snapshotSeq, in seq order. */
  tail: StoredUpdate[];
}

export interface Storage {
  /** Creates a room with its first update (the template), atomically. Throws if the id exists. */
  createRoom(room: RoomRecord, initial: NewUpdate | null): Promise<void>;
  getRoom(roomId: string): Promise<RoomRecord | null>;
  /** Appends updates in order, atomically; returns their seqs. Throws if the room does not exist. */
  appendUpdates(roomId: string, updates: NewUpdate[]): Promise<number[]>;
  /** Everything needed to rebuild the room's document. */
  loadState(roomId: string): Promise<RoomState>;
  /** Stores a snapshot covering every update up to `seq`; older snapshots may be kept. */
  saveSnapshot(roomId: string, seq: number, data: Uint8Array): Promise<void>;
  /** Log entries with seq > afterSeq, oldest first, at most `limit`. */
  readLog(roomId: string, afterSeq: number, limit: number): Promise<StoredUpdate[]>;
  /** Releases the backend; pending writes are durable when it resolves. */
  close(): Promise<void>;
}
