/**
 * The embedded storage backend: one SQLite file under the data directory,
 * opened with better-sqlite3. The driver is synchronous; the methods are async
 * only to satisfy the `Storage` contract, so every failure becomes a rejection.
 *
 * Durability: WAL with `synchronous = NORMAL`. A commit is appended to the WAL
 * file before the call returns, so once a method resolves its rows are in the
 * operating system's page cache and survive the process dying (kill -9, crash).
 * Only a power cut or kernel panic can lose the last few commits, which is the
 * trade NORMAL makes for not fsyncing on every keystroke.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { RUNS_MIGRATION, SqliteRuns } from './sqliteRuns.js';
import { isRole } from '../../shared/roles.js';
import { defaultPolicy, parsePolicy } from './policy.js';
import type {
  NewRoomRecord,
  NewUpdate,
  RoomPolicy,
  RoomRecord,
  RoomUser,
  RoomState,
  RunRecord,
  SealedEnvVar,
  Storage,
  StoredUpdate,
} from './Storage.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many have
 * run. Never edit a shipped step: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    template TEXT
  ) STRICT;

  -- AUTOINCREMENT, not a plain rowid: a seq must never be reused, even for the
  -- highest row after a delete, because history and replay cite seqs.
  CREATE TABLE updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    at INTEGER NOT NULL,
    author TEXT NOT NULL,
    data BLOB NOT NULL
  ) STRICT;
  CREATE INDEX updates_room_seq ON updates(room_id, seq);

  -- Older snapshots are kept: replay can seek to the nearest one.
  CREATE TABLE snapshots (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (room_id, seq)
  ) STRICT;
  `,
  RUNS_MIGRATION,
  `
  -- Mode, kind, classroom editors, end, driver timer and removed users, as JSON
  -- (relay/storage/policy.ts validates it on every read). NULL: the defaults.
  ALTER TABLE rooms ADD COLUMN policy TEXT;

  CREATE TABLE room_users (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    uid TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (room_id, uid)
  ) STRICT;
  `,
  `
  -- Log entries no Yjs could apply, moved out of the log when a room was
  -- repaired (relay/rooms/RoomManager.ts), kept as they were for inspection.
  CREATE TABLE quarantined_updates (
    seq INTEGER PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    at INTEGER NOT NULL,
    author TEXT NOT NULL,
    data BLOB NOT NULL,
    quarantined_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX quarantined_room ON quarantined_updates(room_id, seq);
  `,
];

interface RoomRow {
  id: string;
  name: string;
  owner_id: string;
  created_at: number;
  template: string | null;
  policy: string | null;
}

interface UserRow {
  uid: string;
  name: string;
  role: string;
  first_seen: number;
  last_seen: number;
}

interface UpdateRow {
  seq: number;
  at: number;
  author: string;
  data: Buffer;
}

interface SnapshotRow {
  seq: number;
  data: Buffer;
}

/** The driver hands back Buffers; callers get plain Uint8Arrays that own their bytes. */
function bytes(data: Buffer): Uint8Array {
  return new Uint8Array(data);
}

function toStoredUpdate(row: UpdateRow): StoredUpdate {
  return { seq: row.seq, at: row.at, author: row.author, data: bytes(row.data) };
}

function isPrimaryKeyViolation(error: unknown): boolean {
  return (
    error instanceof Error && (error as Error & { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${version} is newer than this relay understands (${MIGRATIONS.length})`,
    );
  }
  for (let step = version; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step]!);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}

export class SqliteStorage implements Storage {
  /** Opens (creating if needed) the database file and its directory. */
  static async open(filePath: string): Promise<SqliteStorage> {
    return new SqliteStorage(filePath);
  }

  private readonly db: Database.Database;
  private readonly runs: SqliteRuns;
  private closed = false;

  private readonly insertRoom: Database.Statement<[string, string, string, number, string | null, string]>;
  private readonly updateName: Database.Statement<[string, string]>;
  private readonly updatePolicy: Database.Statement<[string, string]>;
  private readonly upsertUser: Database.Statement<[string, string, string, string, number, number]>;
  private readonly selectUsers: Database.Statement<[string], UserRow>;
  private readonly selectRoom: Database.Statement<[string], RoomRow>;
  private readonly insertUpdate: Database.Statement<[number, string, string, Uint8Array]>;
  private readonly selectLatestSnapshot: Database.Statement<[string], SnapshotRow>;
  private readonly selectSnapshotAt: Database.Statement<[string, number], SnapshotRow>;
  private readonly selectUpdatesAfter: Database.Statement<[string, number], UpdateRow>;
  private readonly selectLogPage: Database.Statement<[string, number, number], UpdateRow>;
  private readonly selectLastSeq: Database.Statement<[string], { seq: number | null }>;
  private readonly upsertSnapshot: Database.Statement<[string, number, number, Uint8Array]>;

  private readonly createRoomTx: (room: NewRoomRecord, initial: NewUpdate | null) => void;
  private readonly appendTx: (roomId: string, updates: NewUpdate[]) => number[];
  private readonly loadTx: (roomId: string) => RoomState;
  private readonly snapshotTx: (roomId: string, seq: number, data: Uint8Array) => void;
  private readonly repairTx: (
    roomId: string,
    quarantine: number[],
    snapshot: { seq: number; data: Uint8Array } | null,
  ) => void;
  private readonly selectQuarantined: Database.Statement<[string], UpdateRow>;

  constructor(filePath: string) {
    if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
    this.db = new Database(filePath);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }

    const db = this.db;
    this.runs = new SqliteRuns(db);
    this.insertRoom = db.prepare(
      'INSERT INTO rooms (id, name, owner_id, created_at, template, policy) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectRoom = db.prepare(
      'SELECT id, name, owner_id, created_at, template, policy FROM rooms WHERE id = ?',
    );
    this.updateName = db.prepare('UPDATE rooms SET name = ? WHERE id = ?');
    this.updatePolicy = db.prepare('UPDATE rooms SET policy = ? WHERE id = ?');
    this.upsertUser = db.prepare(
      `INSERT INTO room_users (room_id, uid, name, role, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (room_id, uid) DO UPDATE SET name = excluded.name, role = excluded.role,
         last_seen = excluded.last_seen`,
    );
    this.selectUsers = db.prepare(
      'SELECT uid, name, role, first_seen, last_seen FROM room_users WHERE room_id = ? ORDER BY first_seen, uid',
    );
    this.insertUpdate = db.prepare('INSERT INTO updates (at, author, room_id, data) VALUES (?, ?, ?, ?)');
    this.selectLatestSnapshot = db.prepare(
      'SELECT seq, data FROM snapshots WHERE room_id = ? ORDER BY seq DESC LIMIT 1',
    );
    this.selectSnapshotAt = db.prepare(
      'SELECT seq, data FROM snapshots WHERE room_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
    );
    this.selectUpdatesAfter = db.prepare(
      'SELECT seq, at, author, data FROM updates WHERE room_id = ? AND seq > ? ORDER BY seq',
    );
    this.selectLogPage = db.prepare(
      'SELECT seq, at, author, data FROM updates WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.selectLastSeq = db.prepare('SELECT max(seq) AS seq FROM updates WHERE room_id = ?');
    this.upsertSnapshot = db.prepare(
      'INSERT OR REPLACE INTO snapshots (room_id, seq, at, data) VALUES (?, ?, ?, ?)',
    );

    // Writes take the lock up front (IMMEDIATE): a deferred transaction that
    // reads and then writes can fail with SQLITE_BUSY without waiting when
    // another connection writes in between.
    const createRoomTx = db.transaction((room: NewRoomRecord, initial: NewUpdate | null) => {
      const policy = JSON.stringify(room.policy ?? defaultPolicy());
      this.insertRoom.run(room.id, room.name, room.ownerId, room.createdAt, room.template, policy);
      if (initial) this.insertUpdate.run(initial.at, initial.author, room.id, initial.data);
    });
    this.createRoomTx = (room, initial) => createRoomTx.immediate(room, initial);

    const appendTx = db.transaction((roomId: string, updates: NewUpdate[]) => {
      this.requireRoom(roomId);
      return updates.map((update) =>
        Number(this.insertUpdate.run(update.at, update.author, roomId, update.data).lastInsertRowid),
      );
    });
    this.appendTx = (roomId, updates) => appendTx.immediate(roomId, updates);

    // One read transaction, so the snapshot and the tail come from the same state.
    this.loadTx = db.transaction((roomId: string): RoomState => {
      const snapshot = this.selectLatestSnapshot.get(roomId);
      const snapshotSeq = snapshot?.seq ?? 0;
      return {
        snapshot: snapshot ? bytes(snapshot.data) : null,
        snapshotSeq,
        tail: this.selectUpdatesAfter.all(roomId, snapshotSeq).map(toStoredUpdate),
      };
    });

    const snapshotTx = db.transaction((roomId: string, seq: number, data: Uint8Array) => {
      this.requireRoom(roomId);
      // A snapshot claiming seqs the room has not logged would hide the
      // updates that later take those seqs from every future load.
      const lastSeq = this.selectLastSeq.get(roomId)?.seq ?? 0;
      if (seq > lastSeq) {
        throw new Error(`snapshot seq ${seq} is past the last update (${lastSeq}) of room ${roomId}`);
      }
      this.upsertSnapshot.run(roomId, seq, Date.now(), data);
    });
    this.snapshotTx = (roomId, seq, data) => snapshotTx.immediate(roomId, seq, data);

    const quarantineOne = db.prepare(
      `INSERT INTO quarantined_updates (seq, room_id, at, author, data, quarantined_at)
       SELECT seq, room_id, at, author, data, ? FROM updates WHERE room_id = ? AND seq = ?`,
    );
    const deleteOne = db.prepare('DELETE FROM updates WHERE room_id = ? AND seq = ?');
    const deleteSnapshots = db.prepare('DELETE FROM snapshots WHERE room_id = ?');
    this.selectQuarantined = db.prepare(
      'SELECT seq, at, author, data FROM quarantined_updates WHERE room_id = ? ORDER BY seq',
    );
    const repairTx = db.transaction(
      (roomId: string, quarantine: number[], snapshot: { seq: number; data: Uint8Array } | null) => {
        this.requireRoom(roomId);
        const now = Date.now();
        for (const seq of quarantine) {
          if (quarantineOne.run(now, roomId, seq).changes !== 1) {
            throw new Error(`seq ${seq} is not an entry of room ${roomId}`);
          }
          deleteOne.run(roomId, seq);
        }
        deleteSnapshots.run(roomId);
        if (snapshot) snapshotTx(roomId, snapshot.seq, snapshot.data);
      },
    );
    this.repairTx = (roomId, quarantine, snapshot) => repairTx.immediate(roomId, quarantine, snapshot);
  }

  async createRoom(room: NewRoomRecord, initial: NewUpdate | null): Promise<void> {
    this.requireOpen();
    try {
      this.createRoomTx(room, initial);
    } catch (error) {
      if (isPrimaryKeyViolation(error)) throw new Error(`room already exists: ${room.id}`, { cause: error });
      throw error;
    }
  }

  async getRoom(roomId: string): Promise<RoomRecord | null> {
    this.requireOpen();
    const row = this.selectRoom.get(roomId);
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      ownerId: row.owner_id,
      createdAt: row.created_at,
      template: row.template,
      policy: row.policy === null ? defaultPolicy() : parsePolicy(JSON.parse(row.policy)),
    };
  }

  async updateRoom(roomId: string, change: { name?: string; policy?: RoomPolicy }): Promise<void> {
    this.requireOpen();
    this.db
      .transaction(() => {
        this.requireRoom(roomId);
        if (change.name !== undefined) this.updateName.run(change.name, roomId);
        if (change.policy !== undefined) this.updatePolicy.run(JSON.stringify(change.policy), roomId);
      })
      .immediate();
  }

  async recordUser(
    roomId: string,
    user: { uid: string; name: string; role: string; at: number },
  ): Promise<void> {
    this.requireOpen();
    this.requireRoom(roomId);
    this.upsertUser.run(roomId, user.uid, user.name, user.role, user.at, user.at);
  }

  async listUsers(roomId: string): Promise<RoomUser[]> {
    this.requireOpen();
    return this.selectUsers.all(roomId).flatMap((row) =>
      isRole(row.role)
        ? [
            {
              uid: row.uid,
              name: row.name,
              role: row.role,
              firstSeen: row.first_seen,
              lastSeen: row.last_seen,
            },
          ]
        : [],
    );
  }

  async appendUpdates(roomId: string, updates: NewUpdate[]): Promise<number[]> {
    this.requireOpen();
    if (updates.length === 0) return [];
    return this.appendTx(roomId, updates);
  }

  /** An unknown room loads as empty rather than rejecting: it has no snapshot and no log. */
  async loadState(roomId: string): Promise<RoomState> {
    this.requireOpen();
    return this.loadTx(roomId);
  }

  async saveSnapshot(roomId: string, seq: number, data: Uint8Array): Promise<void> {
    this.requireOpen();
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`invalid snapshot seq: ${seq}`);
    this.snapshotTx(roomId, seq, data);
  }

  async loadSnapshotAt(roomId: string, seq: number): Promise<{ seq: number; data: Uint8Array } | null> {
    this.requireOpen();
    const row = this.selectSnapshotAt.get(roomId, seq);
    return row ? { seq: row.seq, data: bytes(row.data) } : null;
  }

  async repairRoom(
    roomId: string,
    repair: { quarantine: number[]; snapshot: { seq: number; data: Uint8Array } | null },
  ): Promise<void> {
    this.requireOpen();
    this.repairTx(roomId, repair.quarantine, repair.snapshot);
  }

  async listQuarantined(roomId: string): Promise<StoredUpdate[]> {
    this.requireOpen();
    return this.selectQuarantined.all(roomId).map(toStoredUpdate);
  }

  async readLog(roomId: string, afterSeq: number, limit: number): Promise<StoredUpdate[]> {
    this.requireOpen();
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid log page size: ${limit}`);
    if (limit === 0) return [];
    return this.selectLogPage.all(roomId, afterSeq, limit).map(toStoredUpdate);
  }

  async saveRun(run: RunRecord): Promise<void> {
    this.requireOpen();
    this.requireRoom(run.roomId);
    try {
      this.runs.saveRun(run);
    } catch (error) {
      if (isPrimaryKeyViolation(error)) throw new Error(`run already stored: ${run.runId}`, { cause: error });
      throw error;
    }
  }

  async listRuns(roomId: string, limit: number): Promise<RunRecord[]> {
    this.requireOpen();
    return this.runs.listRuns(roomId, limit);
  }

  async setEnv(roomId: string, variable: SealedEnvVar): Promise<void> {
    this.requireOpen();
    this.requireRoom(roomId);
    this.runs.setEnv(roomId, variable);
  }

  async deleteEnv(roomId: string, name: string): Promise<boolean> {
    this.requireOpen();
    return this.runs.deleteEnv(roomId, name);
  }

  async listEnv(roomId: string): Promise<SealedEnvVar[]> {
    this.requireOpen();
    return this.runs.listEnv(roomId);
  }

  /** Closing the last connection checkpoints the WAL into the main file (with fsync). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  private requireRoom(roomId: string): void {
    if (!this.selectRoom.get(roomId)) throw new Error(`room not found: ${roomId}`);
  }
}
