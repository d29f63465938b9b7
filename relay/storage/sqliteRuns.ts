/**
 * The runs and environment-variable tables of the SQLite backend: schema step 2
 * and the statements behind `saveRun`, `listRuns`, `setEnv`, `deleteEnv` and
 * `listEnv`. Split from SqliteStorage.ts to keep each file about one thing.
 */
import type Database from 'better-sqlite3';
import { runValues, toRunRecord, type RunRow } from './rows.js';
import type { RunRecord, SealedEnvVar } from './Storage.js';

export const RUNS_MIGRATION = `
  CREATE TABLE runs (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    run_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    entry TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    exit_code INTEGER,
    signal TEXT NOT NULL,
    reason TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    message TEXT NOT NULL,
    output BLOB NOT NULL,
    output_truncated INTEGER NOT NULL,
    PRIMARY KEY (room_id, run_id)
  ) STRICT;
  CREATE INDEX runs_room_started ON runs(room_id, started_at);

  CREATE TABLE env_vars (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    name TEXT NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (room_id, name)
  ) STRICT;
`;

export class SqliteRuns {
  private readonly insertRun: Database.Statement<unknown[]>;
  private readonly selectRuns: Database.Statement<[string, number], RunRow>;
  private readonly upsertEnv: Database.Statement<[string, string, Uint8Array]>;
  private readonly removeEnv: Database.Statement<[string, string]>;
  private readonly selectEnv: Database.Statement<[string], { name: string; sealed: Buffer }>;

  constructor(db: Database.Database) {
    this.insertRun = db.prepare(
      `INSERT INTO runs (room_id, run_id, user_id, name, language, entry, started_at, ended_at,
         exit_code, signal, reason, duration_ms, message, output, output_truncated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectRuns = db.prepare(
      'SELECT * FROM runs WHERE room_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
    );
    this.upsertEnv = db.prepare('INSERT OR REPLACE INTO env_vars (room_id, name, sealed) VALUES (?, ?, ?)');
    this.removeEnv = db.prepare('DELETE FROM env_vars WHERE room_id = ? AND name = ?');
    this.selectEnv = db.prepare('SELECT name, sealed FROM env_vars WHERE room_id = ? ORDER BY name');
  }

  saveRun(run: RunRecord): void {
    this.insertRun.run(...runValues(run), run.outputTruncated ? 1 : 0);
  }

  listRuns(roomId: string, limit: number): RunRecord[] {
    return this.selectRuns.all(roomId, limit).map(toRunRecord);
  }

  setEnv(roomId: string, variable: SealedEnvVar): void {
    this.upsertEnv.run(roomId, variable.name, variable.sealed);
  }

  deleteEnv(roomId: string, name: string): boolean {
    return this.removeEnv.run(roomId, name).changes > 0;
  }

  listEnv(roomId: string): SealedEnvVar[] {
    return this.selectEnv.all(roomId).map((row) => ({ name: row.name, sealed: new Uint8Array(row.sealed) }));
  }
}
