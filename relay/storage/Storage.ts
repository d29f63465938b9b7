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
import type { RunSummary } from '../../shared/protocol/api.js';

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

export interface RunRecord extends RunSummary {
  roomId: string;
  /** Output chunks as the runner sent them, capped; see relay/runs/outputLog.ts. */
  output: Uint8Array;
}

export interface SealedEnvVar {
  name: string;
  /** The value encrypted by the relay (relay/runs/envCrypto.ts); storage never sees plain text. */
  sealed: Uint8Array;
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
  /** Stores a finished run. Throws if the room does not exist or the run id is taken in that room. */
  saveRun(run: RunRecord): Promise<void>;
  /** The room's runs, newest first, at most `limit`. */
  listRuns(roomId: string, limit: number): Promise<RunRecord[]>;
  /** Sets (or replaces) one environment variable of a room. Throws if the room does not exist. */
  setEnv(roomId: string, variable: SealedEnvVar): Promise<void>;
  /** Removes one; resolves false if it was not set. */
  deleteEnv(roomId: string, name: string): Promise<boolean>;
  /** Every variable of the room, sorted by name. */
  listEnv(roomId: string): Promise<SealedEnvVar[]>;
  /** Releases the backend; pending writes are durable when it resolves. */
  close(): Promise<void>;
}
