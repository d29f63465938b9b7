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
 *
 * Appends go through the append journal (AppendJournal.ts): every
 * `appendUpdates` made in one turn of the event loop (the relay flushes all
 * its rooms in one turn) is one `write` to the journal, after which it is
 * acknowledged; a timer moves the journal into SQLite in one transaction a few
 * times a second, and every other read or write of the log moves it first, so
 * no caller ever sees the two apart. Opening the database replays a journal
 * left behind by a process that died.
 *
 * Checkpoints (copying the WAL into the database file, with fsync) run on a
 * worker thread (Checkpointer.ts), not inside whichever commit SQLite picks.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppendJournal, type JournalRecord } from './AppendJournal.js';
import { Checkpointer, type CheckpointResult } from './Checkpointer.js';
import { RUNS_MIGRATION, SqliteRuns } from './sqliteRuns.js';
import { SHORT_LINKS_MIGRATION, SqliteShortLinks } from './sqliteShortLinks.js';
import { isRole } from '../../shared/roles.js';
import { defaultPolicy, parsePolicy } from './policy.js';
import { bytes, toStoredUpdate, type UpdateRow } from './rows.js';
import type {
  NewRoomRecord,
  NewUpdate,
  RoomPolicy,
  RoomRecord,
  RoomUser,
  RoomState,
  RunRecord,
  SealedEnvVar,
  ShortLinkRecord,
  Storage,
  StoredUpdate,
} from './Storage.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;
/**
 * The journal moves into SQLite this long after its first unmoved record, or at
 * this many records. Seldom and large is cheaper: rooms write to scattered
 * leaves of the (room_id, seq) index, and a transaction writes each leaf it
 * touches once, so at 250 busy rooms a move of 2,000 rows costs a third of
 * twenty moves of 100 per row (a move of 4,000 holds the event loop ~10 ms).
 */
const JOURNAL_FLUSH_MS = 1_000;
const JOURNAL_FLUSH_RECORDS = 4_000;
/** While the log is written, the WAL is checkpointed (off the event loop) about this often. */
const CHECKPOINT_EVERY_MS = 1_000;
const CHECKPOINT_WORKER_IDLE_MS = 30_000;
/** SQLite's own default, given back if the checkpoint worker cannot run. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

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
  SHORT_LINKS_MIGRATION,
];

interface PendingAppend {
  roomId: string;
  updates: NewUpdate[];
  resolve: (seqs: number[]) => void;
  reject: (error: unknown) => void;
}

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

interface SnapshotRow {
  seq: number;
  data: Buffer;
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
  private readonly shortLinks: SqliteShortLinks;
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
  private pendingAppends: PendingAppend[] = [];
  /** Null for an in-memory database: appends go straight into SQLite. */
  private readonly journal: AppendJournal | null;
  /** Null for an in-memory database (no WAL). */
  private readonly checkpointer: Checkpointer | null;
  /** In the journal, not yet in SQLite. */
  private unmoved: JournalRecord[] = [];
  private moveTimer: NodeJS.Timeout | null = null;
  private moveFailing = false;
  private nextSeq = 1;
  private readonly moveTx: (records: readonly JournalRecord[], ignoreDuplicates: boolean) => void;
  /** Rooms known to exist: an append checks each room once, not on every commit. */
  private readonly knownRooms = new Set<string>();
  private readonly loadTx: (roomId: string) => RoomState;
  private readonly snapshotTx: (roomId: string, seq: number, data: Uint8Array) => void;
  private readonly repairTx: (
    roomId: string,
    quarantine: number[],
    snapshot: { seq: number; data: Uint8Array } | null,
  ) => void;
  private readonly selectQuarantined: Database.Statement<[string], UpdateRow>;

  constructor(filePath: string) {
    const inMemory = filePath === ':memory:';
    if (!inMemory) mkdirSync(dirname(filePath), { recursive: true });
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
    this.checkpointer = inMemory ? null : this.startCheckpointer(filePath);
    this.runs = new SqliteRuns(db);
    this.shortLinks = new SqliteShortLinks(db);
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

    const insertWithSeq = db.prepare(
      'INSERT INTO updates (seq, at, author, room_id, data) VALUES (?, ?, ?, ?, ?)',
    );
    const insertWithSeqOrIgnore = db.prepare(
      'INSERT OR IGNORE INTO updates (seq, at, author, room_id, data) VALUES (?, ?, ?, ?, ?)',
    );
    const moveTx = db.transaction((records: readonly JournalRecord[], ignoreDuplicates: boolean) => {
      const insert = ignoreDuplicates ? insertWithSeqOrIgnore : insertWithSeq;
      for (const r of records) insert.run(r.seq, r.at, r.author, r.roomId, r.data);
    });
    this.moveTx = (records, ignoreDuplicates) => moveTx.immediate(records, ignoreDuplicates);
    // Last: replaying a journal left behind needs the statements above.
    this.journal = inMemory ? null : this.openJournal(`${filePath}.appendlog`);

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
    this.moveJournal();
    try {
      this.createRoomTx(room, initial);
    } catch (error) {
      if (isPrimaryKeyViolation(error)) throw new Error(`room already exists: ${room.id}`, { cause: error });
      throw error;
    }
    // The initial update took SQLite's next seq: appends continue after it.
    this.nextSeq = Math.max(this.nextSeq, this.lastSequence() + 1);
    this.knownRooms.add(room.id);
  }

  /** The highest seq SQLite ever issued (AUTOINCREMENT keeps it, deleted rows or not). */
  private lastSequence(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'updates'").get() as
      { seq: number } | undefined;
    return row?.seq ?? 0;
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
    return new Promise((resolve, reject) => {
      this.pendingAppends.push({ roomId, updates, resolve, reject });
      if (this.pendingAppends.length === 1) process.nextTick(() => this.commitAppends());
    });
  }

  /**
   * Writes every append queued this turn to the journal in one write, then
   * acknowledges them. A call for a room that does not exist fails alone.
   */
  private commitAppends(): void {
    const batch = this.pendingAppends;
    this.pendingAppends = [];
    const records: JournalRecord[] = [];
    const accepted: [PendingAppend, number[]][] = [];
    for (const pending of batch) {
      try {
        this.requireKnownRoom(pending.roomId);
      } catch (error) {
        pending.reject(error);
        continue;
      }
      const seqs = pending.updates.map((update) => {
        const seq = this.nextSeq++;
        // Our own copy: the caller may reuse its array once we resolve.
        records.push({
          seq,
          roomId: pending.roomId,
          at: update.at,
          author: update.author,
          data: update.data.slice(),
        });
        return seq;
      });
      accepted.push([pending, seqs]);
    }
    if (records.length === 0) return;
    try {
      if (this.journal) this.journal.append(records);
      else this.moveTx(records, false);
    } catch (error) {
      // Nothing of this batch was stored (a full disk): its seqs are free again.
      this.nextSeq = records[0]!.seq;
      for (const [pending] of accepted) pending.reject(error);
      return;
    }
    if (this.journal) {
      this.unmoved.push(...records);
      this.scheduleMove();
    }
    for (const [pending, seqs] of accepted) pending.resolve(seqs);
  }

  private requireKnownRoom(roomId: string): void {
    if (this.knownRooms.has(roomId)) return;
    this.requireRoom(roomId);
    this.knownRooms.add(roomId);
  }

  /** Moves the journal soon, or now if it is long; never throws (the journal keeps what it holds). */
  private scheduleMove(): void {
    if (this.unmoved.length >= JOURNAL_FLUSH_RECORDS && !this.moveFailing) return this.tryMove();
    if (this.moveTimer) return;
    this.moveTimer = setTimeout(() => this.tryMove(), JOURNAL_FLUSH_MS);
    this.moveTimer.unref();
  }

  /**
   * A move that fails (SQLite's disk is full) keeps the records in the journal
   * and in memory, and is tried again later; reads, which move first, fail
   * meanwhile rather than miss them.
   */
  private tryMove(): void {
    try {
      this.moveJournal();
      this.moveFailing = false;
    } catch (error) {
      if (!this.moveFailing)
        process.emitWarning(`moving the append journal into SQLite failed: ${(error as Error).message}`);
      this.moveFailing = true;
      this.scheduleMove();
    }
  }

  /** Moves what the journal holds into SQLite (one transaction), then empties it. */
  private moveJournal(): void {
    if (this.moveTimer) clearTimeout(this.moveTimer);
    this.moveTimer = null;
    if (this.unmoved.length === 0) return;
    this.moveTx(this.unmoved, false);
    this.unmoved = [];
    this.journal?.clear();
    this.checkpointer?.noteWrite();
  }

  private startCheckpointer(filePath: string): Checkpointer {
    this.db.pragma('wal_autocheckpoint = 0');
    return new Checkpointer(filePath, {
      everyMs: CHECKPOINT_EVERY_MS,
      idleMs: CHECKPOINT_WORKER_IDLE_MS,
      onFailure: (error) => {
        if (this.closed) return;
        process.emitWarning(`SQLite checkpoints are back on the main thread: ${error.message}`);
        this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      },
    });
  }

  /**
   * Checkpoints the WAL now, off the event loop (what the storage does by
   * itself about once a second while it writes). Null for an in-memory database.
   */
  async checkpoint(): Promise<CheckpointResult | null> {
    this.requireOpen();
    this.moveJournal();
    return this.checkpointer ? this.checkpointer.checkpoint() : null;
  }

  /**
   * Replays a journal a dead process left (what it acknowledged but had not
   * moved into SQLite; records already moved are skipped), then opens it.
   */
  private openJournal(path: string): AppendJournal {
    const left = AppendJournal.read(path).filter((record) => this.selectRoom.get(record.roomId));
    if (left.length > 0) this.moveTx(left, true);
    this.nextSeq = this.lastSequence() + 1;
    const journal = new AppendJournal(path);
    journal.clear();
    return journal;
  }

  /** An unknown room loads as empty rather than rejecting: it has no snapshot and no log. */
  async loadState(roomId: string): Promise<RoomState> {
    this.requireOpen();
    this.moveJournal();
    return this.loadTx(roomId);
  }

  async saveSnapshot(roomId: string, seq: number, data: Uint8Array): Promise<void> {
    this.requireOpen();
    this.moveJournal();
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`invalid snapshot seq: ${seq}`);
    this.snapshotTx(roomId, seq, data);
    this.checkpointer?.noteWrite();
  }

  async loadSnapshotAt(roomId: string, seq: number): Promise<{ seq: number; data: Uint8Array } | null> {
    this.requireOpen();
    this.moveJournal();
    const row = this.selectSnapshotAt.get(roomId, seq);
    return row ? { seq: row.seq, data: bytes(row.data) } : null;
  }

  async repairRoom(
    roomId: string,
    repair: { quarantine: number[]; snapshot: { seq: number; data: Uint8Array } | null },
  ): Promise<void> {
    this.requireOpen();
    this.moveJournal();
    this.repairTx(roomId, repair.quarantine, repair.snapshot);
    this.checkpointer?.noteWrite();
  }

  async listQuarantined(roomId: string): Promise<StoredUpdate[]> {
    this.requireOpen();
    return this.selectQuarantined.all(roomId).map(toStoredUpdate);
  }

  async readLog(roomId: string, afterSeq: number, limit: number): Promise<StoredUpdate[]> {
    this.requireOpen();
    this.moveJournal();
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

  async shortLink(link: ShortLinkRecord): Promise<string> {
    this.requireOpen();
    this.requireRoom(link.roomId);
    return this.shortLinks.ensure(link);
  }

  async findShortLink(code: string): Promise<ShortLinkRecord | null> {
    this.requireOpen();
    return this.shortLinks.find(code);
  }

  /** Closing the last connection checkpoints the WAL into the main file (with fsync). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.commitAppends();
    this.moveJournal();
    this.journal?.close();
    this.closed = true;
    await this.checkpointer?.close();
    this.db.close();
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  private requireRoom(roomId: string): void {
    if (!this.selectRoom.get(roomId)) throw new Error(`room not found: ${roomId}`);
  }
}
