/**
 * The PostgreSQL backend (`DATABASE_URL`), for relays that share rooms: the
 * same contract as SqliteStorage (storageContract.ts), on a pool of `pg`
 * connections.
 *
 * Appends to one room are serialised by a transaction-scoped advisory lock on
 * the room, so the seqs a room's entries get (one identity sequence for the
 * whole store) rise in the order they commit: a reader paging a room's log by
 * seq never passes an entry that commits later. Snapshots of one room are
 * taken one at a time (another advisory lock), so two relays compacting the
 * same room cannot interleave. Schema steps are versioned in
 * `tandem_schema` and applied at open under a lock, so relays starting
 * together do not race.
 *
 * Every write is one round trip in one transaction and is durable (committed)
 * when its promise resolves: the relay acknowledges an update only then.
 */
import pg from 'pg';
import { isRole } from '../../shared/roles.js';
import { defaultPolicy, parsePolicy } from './policy.js';
import { bytes, runValues, toRunRecord, toStoredUpdate, type RunRow, type UpdateRow } from './rows.js';
import type {
  NewRoomRecord,
  NewUpdate,
  RoomPolicy,
  RoomRecord,
  RoomState,
  RoomUser,
  RunRecord,
  SealedEnvVar,
  ShortLinkRecord,
  Storage,
  StoredUpdate,
} from './Storage.js';

/** Advisory lock namespaces (the first key of pg_advisory_xact_lock(int, int)). */
const LOCK_MIGRATE = 0x74616e;
const LOCK_APPEND = 1;
const LOCK_SNAPSHOT = 2;
const POOL_SIZE = 8;
const CONNECT_TIMEOUT_MS = 10_000;
const STATEMENT_TIMEOUT_MS = 30_000;

/** Schema steps, applied in order; `tandem_schema.version` records how many have run. Never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    template TEXT,
    policy TEXT
  );
  -- One sequence for the whole store: a seq is never reused, even after a repair.
  CREATE TABLE updates (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    at BIGINT NOT NULL,
    author TEXT NOT NULL,
    data BYTEA NOT NULL
  );
  CREATE INDEX updates_room_seq ON updates(room_id, seq);
  CREATE TABLE snapshots (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (room_id, seq)
  );
  CREATE TABLE room_users (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    uid TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (room_id, uid)
  );
  CREATE TABLE quarantined_updates (
    seq BIGINT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    at BIGINT NOT NULL,
    author TEXT NOT NULL,
    data BYTEA NOT NULL,
    quarantined_at BIGINT NOT NULL
  );
  CREATE INDEX quarantined_room ON quarantined_updates(room_id, seq);
  CREATE TABLE runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    run_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    entry TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    exit_code INTEGER,
    signal TEXT NOT NULL,
    reason TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    message TEXT NOT NULL,
    output BYTEA NOT NULL,
    output_truncated BOOLEAN NOT NULL,
    PRIMARY KEY (room_id, run_id)
  );
  CREATE INDEX runs_room_started ON runs(room_id, started_at, id);
  CREATE TABLE env_vars (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    name TEXT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (room_id, name)
  );
  CREATE TABLE short_links (
    code TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms(id),
    role TEXT NOT NULL,
    generation INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (room_id, role, generation)
  );
  `,
];

const PG_UNIQUE_VIOLATION = '23505';
const PG_FOREIGN_KEY_VIOLATION = '23503';

/** BIGINT columns come back as numbers (every value here is a safe integer), bytea as Buffers. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function code(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

export class PostgresStorage implements Storage {
  private closed = false;

  private constructor(private readonly pool: pg.Pool) {}

  /** Connects, applies the schema steps this database lacks, and returns the store. */
  static async open(connectionString: string): Promise<PostgresStorage> {
    const pool = new pg.Pool({
      connectionString,
      max: POOL_SIZE,
      types: TYPES,
      // A database that went away must fail writes (the room's failure path), not hang them:
      // a partitioned relay holding a room's append lock would otherwise stall every other.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      lock_timeout: STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
    });
    // An idle client's error (the server restarted) must not crash the relay; the next query reconnects.
    pool.on('error', () => undefined);
    const storage = new PostgresStorage(pool);
    try {
      await storage.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return storage;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_MIGRATE]);
      await client.query('CREATE TABLE IF NOT EXISTS tandem_schema (version INTEGER NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM tandem_schema');
      const version = rows[0]?.version ?? 0;
      if (rows.length === 0) await client.query('INSERT INTO tandem_schema (version) VALUES (0)');
      if (version > MIGRATIONS.length) {
        throw new Error(
          `database schema version ${version} is newer than this relay understands (${MIGRATIONS.length})`,
        );
      }
      for (let step = version; step < MIGRATIONS.length; step++) await client.query(MIGRATIONS[step]!);
      await client.query('UPDATE tandem_schema SET version = $1', [MIGRATIONS.length]);
    });
  }

  /** Runs `body` in one transaction (`begin` starts it) on one pooled connection. */
  private async transaction<T>(body: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    this.requireOpen();
    const client = await this.pool.connect();
    // While checked out, the pool no longer listens for this client's errors: a connection
    // lost mid-transaction (a restart, a failover) would otherwise throw from an emitter.
    const ignore = () => undefined;
    client.on('error', ignore);
    let failure: Error | undefined;
    try {
      await client.query(begin);
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // The server refusing a statement leaves the connection fine; anything else may not.
      if (!(error instanceof pg.DatabaseError))
        failure = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release(failure); // with an error: discarded, not reused
    }
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    this.requireOpen();
    return this.pool.query<R>(text, values);
  }

  async createRoom(room: NewRoomRecord, initial: NewUpdate | null): Promise<void> {
    try {
      await this.transaction(async (client) => {
        await client.query(
          'INSERT INTO rooms (id, name, owner_id, created_at, template, policy) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            room.id,
            room.name,
            room.ownerId,
            room.createdAt,
            room.template,
            JSON.stringify(room.policy ?? defaultPolicy()),
          ],
        );
        if (initial) {
          await client.query('INSERT INTO updates (room_id, at, author, data) VALUES ($1, $2, $3, $4)', [
            room.id,
            initial.at,
            initial.author,
            Buffer.from(initial.data),
          ]);
        }
      });
    } catch (error) {
      if (code(error) === PG_UNIQUE_VIOLATION)
        throw new Error(`room already exists: ${room.id}`, { cause: error });
      throw error;
    }
  }

  async getRoom(roomId: string): Promise<RoomRecord | null> {
    const { rows } = await this.query<{
      id: string;
      name: string;
      owner_id: string;
      created_at: number;
      template: string | null;
      policy: string | null;
    }>('SELECT * FROM rooms WHERE id = $1', [roomId]);
    const row = rows[0];
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
    const { rowCount } = await this.query(
      'UPDATE rooms SET name = COALESCE($2, name), policy = COALESCE($3, policy) WHERE id = $1',
      [roomId, change.name ?? null, change.policy === undefined ? null : JSON.stringify(change.policy)],
    );
    if (rowCount !== 1) throw new Error(`room not found: ${roomId}`);
  }

  async recordUser(
    roomId: string,
    user: { uid: string; name: string; role: string; at: number },
  ): Promise<void> {
    await this.withRoom(roomId, () =>
      this.query(
        `INSERT INTO room_users (room_id, uid, name, role, first_seen, last_seen) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (room_id, uid) DO UPDATE SET name = excluded.name, role = excluded.role, last_seen = excluded.last_seen`,
        [roomId, user.uid, user.name, user.role, user.at],
      ),
    );
  }

  async listUsers(roomId: string): Promise<RoomUser[]> {
    const { rows } = await this.query<{
      uid: string;
      name: string;
      role: string;
      first_seen: number;
      last_seen: number;
    }>(
      'SELECT uid, name, role, first_seen, last_seen FROM room_users WHERE room_id = $1 ORDER BY first_seen, uid',
      [roomId],
    );
    return rows.flatMap((row) =>
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
    // Copies taken now: the caller may reuse its arrays once this returns a promise.
    const at = updates.map((u) => u.at);
    const authors = updates.map((u) => u.author);
    const data = updates.map((u) => Buffer.from(u.data));
    const seqs = await this.withRoom(roomId, () =>
      this.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_APPEND, roomId]);
        const { rows } = await client.query<{ seq: number }>(
          `INSERT INTO updates (room_id, at, author, data)
           SELECT $1, a, b, d FROM unnest($2::bigint[], $3::text[], $4::bytea[]) WITH ORDINALITY AS t(a, b, d, n)
           ORDER BY n
           RETURNING seq`,
          [roomId, at, authors, data],
        );
        return rows.map((row) => row.seq);
      }),
    );
    return seqs.sort((a, b) => a - b);
  }

  async loadState(roomId: string): Promise<RoomState> {
    // One transaction that sees one state: the snapshot and the tail after it agree.
    return this.transaction(async (client) => {
      const snapshot = await client.query<{ seq: number; data: Buffer }>(
        'SELECT seq, data FROM snapshots WHERE room_id = $1 ORDER BY seq DESC LIMIT 1',
        [roomId],
      );
      const snapshotSeq = snapshot.rows[0]?.seq ?? 0;
      const tail = await client.query<UpdateRow>(
        'SELECT seq, at, author, data FROM updates WHERE room_id = $1 AND seq > $2 ORDER BY seq',
        [roomId, snapshotSeq],
      );
      return {
        snapshot: snapshot.rows[0] ? bytes(snapshot.rows[0].data) : null,
        snapshotSeq,
        tail: tail.rows.map(toStoredUpdate),
      };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async saveSnapshot(roomId: string, seq: number, data: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`invalid snapshot seq: ${seq}`);
    const copy = Buffer.from(data);
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SNAPSHOT, roomId]);
      await this.insertSnapshot(client, roomId, seq, copy);
    });
  }

  /** A snapshot claiming seqs the room has not logged would hide the updates that later take them. */
  private async insertSnapshot(
    client: pg.PoolClient,
    roomId: string,
    seq: number,
    data: Buffer,
  ): Promise<void> {
    const room = await client.query('SELECT 1 FROM rooms WHERE id = $1', [roomId]);
    if (room.rowCount !== 1) throw new Error(`room not found: ${roomId}`);
    const { rows } = await client.query<{ seq: number | null }>(
      'SELECT max(seq) AS seq FROM updates WHERE room_id = $1',
      [roomId],
    );
    const lastSeq = rows[0]?.seq ?? 0;
    if (seq > lastSeq)
      throw new Error(`snapshot seq ${seq} is past the last update (${lastSeq}) of room ${roomId}`);
    await client.query(
      `INSERT INTO snapshots (room_id, seq, at, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (room_id, seq) DO UPDATE SET at = excluded.at, data = excluded.data`,
      [roomId, seq, Date.now(), data],
    );
  }

  async loadSnapshotAt(roomId: string, seq: number): Promise<{ seq: number; data: Uint8Array } | null> {
    const { rows } = await this.query<{ seq: number; data: Buffer }>(
      'SELECT seq, data FROM snapshots WHERE room_id = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1',
      [roomId, seq],
    );
    return rows[0] ? { seq: rows[0].seq, data: bytes(rows[0].data) } : null;
  }

  async repairRoom(
    roomId: string,
    repair: { quarantine: number[]; snapshot: { seq: number; data: Uint8Array } | null },
  ): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_APPEND, roomId]);
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SNAPSHOT, roomId]);
      const room = await client.query('SELECT 1 FROM rooms WHERE id = $1', [roomId]);
      if (room.rowCount !== 1) throw new Error(`room not found: ${roomId}`);
      const now = Date.now();
      for (const seq of repair.quarantine) {
        const moved = await client.query(
          `WITH gone AS (DELETE FROM updates WHERE room_id = $1 AND seq = $2 RETURNING seq, room_id, at, author, data)
           INSERT INTO quarantined_updates (seq, room_id, at, author, data, quarantined_at)
           SELECT seq, room_id, at, author, data, $3 FROM gone`,
          [roomId, seq, now],
        );
        if (moved.rowCount !== 1) throw new Error(`seq ${seq} is not an entry of room ${roomId}`);
      }
      await client.query('DELETE FROM snapshots WHERE room_id = $1', [roomId]);
      if (repair.snapshot) {
        await this.insertSnapshot(client, roomId, repair.snapshot.seq, Buffer.from(repair.snapshot.data));
      }
    });
  }

  async listQuarantined(roomId: string): Promise<StoredUpdate[]> {
    const { rows } = await this.query<UpdateRow>(
      'SELECT seq, at, author, data FROM quarantined_updates WHERE room_id = $1 ORDER BY seq',
      [roomId],
    );
    return rows.map(toStoredUpdate);
  }

  async readLog(roomId: string, afterSeq: number, limit: number): Promise<StoredUpdate[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid log page size: ${limit}`);
    if (limit === 0) return [];
    const { rows } = await this.query<UpdateRow>(
      'SELECT seq, at, author, data FROM updates WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [roomId, afterSeq, limit],
    );
    return rows.map(toStoredUpdate);
  }

  async saveRun(run: RunRecord): Promise<void> {
    try {
      await this.withRoom(run.roomId, () =>
        this.query(
          `INSERT INTO runs (room_id, run_id, user_id, name, language, entry, started_at, ended_at,
             exit_code, signal, reason, duration_ms, message, output, output_truncated)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [...runValues({ ...run, output: Buffer.from(run.output) }), run.outputTruncated],
        ),
      );
    } catch (error) {
      if (code(error) === PG_UNIQUE_VIOLATION)
        throw new Error(`run already stored: ${run.runId}`, { cause: error });
      throw error;
    }
  }

  async listRuns(roomId: string, limit: number): Promise<RunRecord[]> {
    const { rows } = await this.query<RunRow>(
      'SELECT * FROM runs WHERE room_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2',
      [roomId, limit],
    );
    return rows.map(toRunRecord);
  }

  async setEnv(roomId: string, variable: SealedEnvVar): Promise<void> {
    await this.withRoom(roomId, () =>
      this.query(
        `INSERT INTO env_vars (room_id, name, sealed) VALUES ($1, $2, $3)
         ON CONFLICT (room_id, name) DO UPDATE SET sealed = excluded.sealed`,
        [roomId, variable.name, Buffer.from(variable.sealed)],
      ),
    );
  }

  async deleteEnv(roomId: string, name: string): Promise<boolean> {
    const { rowCount } = await this.query('DELETE FROM env_vars WHERE room_id = $1 AND name = $2', [
      roomId,
      name,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async listEnv(roomId: string): Promise<SealedEnvVar[]> {
    const { rows } = await this.query<{ name: string; sealed: Buffer }>(
      'SELECT name, sealed FROM env_vars WHERE room_id = $1 ORDER BY name',
      [roomId],
    );
    return rows.map((row) => ({ name: row.name, sealed: bytes(row.sealed) }));
  }

  async shortLink(link: ShortLinkRecord): Promise<string> {
    return this.withRoom(link.roomId, async () => {
      const { rows } = await this.query<{ code: string }>(
        `WITH added AS (
           INSERT INTO short_links (code, room_id, role, generation, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (room_id, role, generation) DO NOTHING RETURNING code)
         SELECT code FROM added
         UNION ALL
         SELECT code FROM short_links WHERE room_id = $2 AND role = $3 AND generation = $4
         LIMIT 1`,
        [link.code, link.roomId, link.role, link.generation, link.createdAt],
      );
      return rows[0]!.code;
    });
  }

  async findShortLink(code: string): Promise<ShortLinkRecord | null> {
    const { rows } = await this.query<{
      code: string;
      room_id: string;
      role: string;
      generation: number;
      created_at: number;
    }>('SELECT * FROM short_links WHERE code = $1', [code]);
    const row = rows[0];
    return row
      ? {
          code: row.code,
          roomId: row.room_id,
          role: row.role,
          generation: row.generation,
          createdAt: row.created_at,
        }
      : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs a write that names a room; a missing room (a foreign key refusal) becomes "room not found". */
  private async withRoom<T>(roomId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (code(error) === PG_FOREIGN_KEY_VIOLATION)
        throw new Error(`room not found: ${roomId}`, { cause: error });
      throw error;
    }
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }
}
