/**
 * Rows as both SQL backends return them, turned into the records of the
 * Storage contract. The drivers hand back Buffers; callers get plain
 * Uint8Arrays that own their bytes.
 */
import type { RunRecord, StoredUpdate } from './Storage.js';

export function bytes(data: Buffer): Uint8Array {
  return new Uint8Array(data);
}

export interface UpdateRow {
  seq: number;
  at: number;
  author: string;
  data: Buffer;
}

export function toStoredUpdate(row: UpdateRow): StoredUpdate {
  return { seq: row.seq, at: row.at, author: row.author, data: bytes(row.data) };
}

export interface RunRow {
  room_id: string;
  run_id: string;
  user_id: string;
  name: string;
  language: string;
  entry: string;
  started_at: number;
  ended_at: number;
  exit_code: number | null;
  signal: string;
  reason: string;
  duration_ms: number;
  message: string;
  output: Buffer;
  /** SQLite stores 0 or 1; PostgreSQL a boolean. */
  output_truncated: number | boolean;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    roomId: row.room_id,
    runId: row.run_id,
    userId: row.user_id,
    name: row.name,
    language: row.language,
    entry: row.entry,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    exitCode: row.exit_code,
    signal: row.signal,
    reason: row.reason,
    durationMs: row.duration_ms,
    message: row.message,
    output: bytes(row.output),
    outputTruncated: row.output_truncated === true || row.output_truncated === 1,
  };
}

/** A run's columns in insertion order, for both backends' INSERT. */
export function runValues(run: RunRecord): unknown[] {
  return [
    run.roomId,
    run.runId,
    run.userId,
    run.name,
    run.language,
    run.entry,
    run.startedAt,
    run.endedAt,
    run.exitCode,
    run.signal,
    run.reason,
    run.durationMs,
    run.message,
    run.output,
  ];
}
