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
import type { Role } from '../../shared/roles.js';
import type { RoomSettings } from '../../shared/rooms.js';

/** The room's settings (name aside) and who the owner removed: the relay's authority over editing. */
export interface RoomPolicy extends Omit<RoomSettings, 'name'> {
  /** User ids the owner removed; their tokens no longer join. */
  removed: string[];
  /** Share links of an earlier generation no longer join (the owner reset the links). */
  linkGeneration: number;
}

export interface RoomRecord {
  id: string;
  name: string;
  ownerId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  template: string | null;
  policy: RoomPolicy;
}

/** A new room: without a policy it gets the defaults (an open pair room). */
export type NewRoomRecord = Omit<RoomRecord, 'policy'> & { policy?: RoomPolicy };

/** Someone who joined the room: the name and role their token carried when last seen. */
export interface RoomUser {
  uid: string;
  name: string;
  role: Role;
  /** Milliseconds since the epoch. */
  firstSeen: number;
  lastSeen: number;
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

/** A short share link: a code that stands for a role in a room at one link generation. */
export interface ShortLinkRecord {
  code: string;
  roomId: string;
  role: string;
  generation: number;
  createdAt: number;
}

export interface Storage {
  /** Creates a room with its first update (the template), atomically. Throws if the id exists. */
  createRoom(room: NewRoomRecord, initial: NewUpdate | null): Promise<void>;
  getRoom(roomId: string): Promise<RoomRecord | null>;
  /** Renames the room and/or replaces its policy. Throws if the room does not exist. */
  updateRoom(roomId: string, change: { name?: string; policy?: RoomPolicy }): Promise<void>;
  /** Records that a user joined (first time or again): name and role as their token says now. */
  recordUser(roomId: string, user: { uid: string; name: string; role: Role; at: number }): Promise<void>;
  /** Everyone who ever joined the room, in order of first arrival. */
  listUsers(roomId: string): Promise<RoomUser[]>;
  /** Appends updates in order, atomically; returns their seqs. Throws if the room does not exist. */
  appendUpdates(roomId: string, updates: NewUpdate[]): Promise<number[]>;
  /** Everything needed to rebuild the room's document. */
  loadState(roomId: string): Promise<RoomState>;
  /** Stores a snapshot covering every update up to `seq`; older snapshots may be kept. */
  saveSnapshot(roomId: string, seq: number, data: Uint8Array): Promise<void>;
  /** The newest snapshot covering no update past `seq` (history reads the log only after it), or null. */
  loadSnapshotAt(roomId: string, seq: number): Promise<{ seq: number; data: Uint8Array } | null>;
  /**
   * Mends a room whose stored state would not load (see RoomManager's recovery),
   * atomically: drops every snapshot, moves the log entries `quarantine` out of
   * the log into a quarantine kept for inspection, and stores `snapshot` (the
   * state rebuilt from what remains, covering every entry up to its seq). The
   * only way an entry ever leaves the log.
   */
  repairRoom(
    roomId: string,
    repair: { quarantine: number[]; snapshot: { seq: number; data: Uint8Array } | null },
  ): Promise<void>;
  /** Entries moved out of the room's log by `repairRoom`, oldest first. */
  listQuarantined(roomId: string): Promise<StoredUpdate[]>;
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
  /**
   * The short link for a role at a link generation: the stored one's code if
   * there is one, else `link.code`, stored now (one code per role and
   * generation, however many browsers ask). Throws if the room does not exist.
   */
  shortLink(link: ShortLinkRecord): Promise<string>;
  /** The short link with this code, or null. */
  findShortLink(code: string): Promise<ShortLinkRecord | null>;
  /** Releases the backend; pending writes are durable when it resolves. */
  close(): Promise<void>;
}

/**
 * Why storing failed, when it is a failure that passes: the disk (or quota) is
 * full, or the database cannot be reached now (restarting, failing over, a
 * connection cut). A room then keeps what it has, tells everyone, and tries
 * again; anything else is a fault and throws. Retrying an append that may
 * have been stored after all is safe: applying a Yjs update twice changes
 * nothing.
 */
export type StorageTrouble = 'full' | 'unreachable';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  // PostgreSQL: connection exceptions (08...), shutting down or starting (57P01-03), a statement cut by its timeout.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '57014',
]);
/** node-postgres says these without a code. */
const UNREACHABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

export function storageTrouble(error: unknown): StorageTrouble | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FULL_CODES.has(code)) return 'full';
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return 'unreachable';
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message)) return 'unreachable';
  return null;
}
