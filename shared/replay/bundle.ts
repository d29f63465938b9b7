/**
 * The replay bundle: a room's recorded history as one JSON document. The relay
 * answers `GET /api/rooms/:roomId/history` with it, and the client saves and
 * opens the same thing as an export file, so it is versioned and every reader
 * validates it (`parseReplayBundle`) instead of trusting it.
 *
 *   { "format": "tandem-replay", "version": 1,
 *     "room": { "id", "name" }, "exportedAt": <ms epoch>,
 *     "entries": [ { "seq", "at", "author", "data": <base64 Yjs v1 update> }, ... ],
 *     "users": { "<uid>": { "name" } },
 *     "runs": [ { ...RunSummary, "output": <base64 of the stored output> }, ... ] }
 *
 * Entries are the room's update log in seq order (strictly increasing; seqs
 * have gaps, since they count across every room of a relay). `users` comes
 * after `entries` so a writer can stream the log and name its authors at the
 * end. A run's output is the relay's stored form: chunks of `varUint(stream)
 * varUint8Array(bytes)`, stream 0 stdout, 1 stderr (`readRunOutput`).
 *
 * Base64 is base64.ts's: strict, and the same in Node, a tab and a worker.
 */
import type { RunSummary } from '../protocol/api.js';
import { readOutputLog, type OutputChunk } from '../protocol/outputLog.js';
import { validateUpdate } from '../sync/validateUpdate.js';
import { decodeBase64, encodeBase64 } from './base64.js';

export const REPLAY_FORMAT = 'tandem-replay';
export const REPLAY_VERSION = 1;

/** One row of the update log. */
export interface ReplayEntry {
  /** Increases along the log; never reused. */
  seq: number;
  /** When the relay stored it, ms since the epoch. */
  at: number;
  /** User id from the sender's token, or "system" for the relay's own writes. */
  author: string;
  /** A Yjs v1 update. */
  data: Uint8Array;
}

export interface ReplayRun extends RunSummary {
  /** The stored output (see `readRunOutput`). */
  output: Uint8Array;
}

export interface ReplayUser {
  name: string;
}

export interface ReplayRoom {
  id: string;
  name: string;
}

export interface ReplayBundle {
  format: typeof REPLAY_FORMAT;
  version: typeof REPLAY_VERSION;
  room: ReplayRoom;
  /** ms since the epoch. */
  exportedAt: number;
  /** Every author of an entry, by user id. A null-prototype object: index it freely. */
  users: Record<string, ReplayUser>;
  entries: ReplayEntry[];
  /** Oldest first. */
  runs: ReplayRun[];
}

export class ReplayFormatError extends Error {
  override name = 'ReplayFormatError';
}

// ---------------------------------------------------------------------------
// Writing. The three pieces let the relay stream a long log page by page:
// replayJsonStart, then the entries joined by commas, then replayJsonEnd.

export function replayJsonStart(room: ReplayRoom, exportedAt: number): string {
  const head = JSON.stringify({
    format: REPLAY_FORMAT,
    version: REPLAY_VERSION,
    room: { id: room.id, name: room.name },
    exportedAt,
  });
  return `${head.slice(0, -1)},"entries":[`;
}

export function replayEntryJson(entry: ReplayEntry): string {
  return JSON.stringify({
    seq: entry.seq,
    at: entry.at,
    author: entry.author,
    data: encodeBase64(entry.data),
  });
}

export function replayJsonEnd(users: Record<string, ReplayUser>, runs: readonly ReplayRun[]): string {
  const runsJson = runs.map((run) => JSON.stringify({ ...run, output: encodeBase64(run.output) }));
  const usersJson = Object.entries(users).map(([uid, user]) => [uid, { name: user.name }]);
  return `],"users":${JSON.stringify(Object.fromEntries(usersJson))},"runs":[${runsJson.join(',')}]}`;
}

export function serializeReplayBundle(bundle: ReplayBundle): string {
  return (
    replayJsonStart(bundle.room, bundle.exportedAt) +
    bundle.entries.map(replayEntryJson).join(',') +
    replayJsonEnd(bundle.users, bundle.runs)
  );
}

// ---------------------------------------------------------------------------
// Reading

/** Parses the text of a bundle (an export file, an HTTP answer); throws ReplayFormatError. */
export function readReplayBundle(text: string): ReplayBundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReplayFormatError('not a Tandem replay: the file is not JSON');
  }
  return parseReplayBundle(value);
}

/** Validates a parsed JSON value and decodes its bytes; throws ReplayFormatError naming the first fault. */
export function parseReplayBundle(value: unknown): ReplayBundle {
  const top = record(value, 'the bundle');
  if (top.format !== REPLAY_FORMAT) {
    throw new ReplayFormatError(
      `not a Tandem replay: "format" is ${describe(top.format)}, expected "${REPLAY_FORMAT}"`,
    );
  }
  if (top.version !== REPLAY_VERSION) {
    throw new ReplayFormatError(
      `replay version ${describe(top.version)} is not supported (this version of Tandem reads version ${REPLAY_VERSION})`,
    );
  }
  const roomValue = record(top.room, 'room');
  const room = { id: string(roomValue.id, 'room.id', true), name: string(roomValue.name, 'room.name') };
  const exportedAt = time(top.exportedAt, 'exportedAt');
  const users = parseUsers(top.users);
  const entries = array(top.entries, 'entries').map((entry, i) => parseEntry(entry, `entries[${i}]`));
  for (let i = 0; i < entries.length; i++) {
    const { seq, author } = entries[i]!;
    if (i > 0 && seq <= entries[i - 1]!.seq) {
      throw new ReplayFormatError(
        `entries[${i}].seq: ${seq} does not follow ${entries[i - 1]!.seq}; seqs must increase`,
      );
    }
    if (!Object.hasOwn(users, author))
      throw new ReplayFormatError(`entries[${i}].author: "${author}" is not listed in users`);
  }
  const runs = array(top.runs, 'runs').map((run, i) => parseRun(run, `runs[${i}]`));
  return { format: REPLAY_FORMAT, version: REPLAY_VERSION, room, exportedAt, users, entries, runs };
}

/** Decodes a run's stored output; throws ReplayFormatError if it is not in the stored form. */
export function readRunOutput(bytes: Uint8Array): OutputChunk[] {
  try {
    return readOutputLog(bytes);
  } catch (error) {
    throw new ReplayFormatError((error as Error).message);
  }
}

function parseUsers(value: unknown): Record<string, ReplayUser> {
  const users = Object.create(null) as Record<string, ReplayUser>;
  for (const [uid, user] of Object.entries(record(value, 'users'))) {
    users[uid] = { name: string(record(user, `users["${uid}"]`).name, `users["${uid}"].name`) };
  }
  return users;
}

function parseEntry(value: unknown, where: string): ReplayEntry {
  const entry = record(value, where);
  const seq = entry.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    throw new ReplayFormatError(`${where}.seq: expected a whole number from 1, got ${describe(seq)}`);
  const data = base64(entry.data, `${where}.data`);
  if (data.byteLength === 0) throw new ReplayFormatError(`${where}.data: empty update`);
  try {
    // The relay's own check on every update it receives: every struct, the delete
    // set, bounded counts, and no trailing bytes.
    validateUpdate(data);
  } catch (error) {
    throw new ReplayFormatError(`${where}.data: not a valid Yjs update (${String(error)})`);
  }
  return {
    seq,
    at: time(entry.at, `${where}.at`),
    author: string(entry.author, `${where}.author`, true),
    data,
  };
}

function parseRun(value: unknown, where: string): ReplayRun {
  const run = record(value, where);
  const field = (key: string, nonEmpty = false) => string(run[key], `${where}.${key}`, nonEmpty);
  const exitCode = run.exitCode;
  if (exitCode !== null && (typeof exitCode !== 'number' || !Number.isSafeInteger(exitCode)))
    throw new ReplayFormatError(
      `${where}.exitCode: expected a whole number or null, got ${describe(exitCode)}`,
    );
  if (typeof run.outputTruncated !== 'boolean')
    throw new ReplayFormatError(`${where}.outputTruncated: expected true or false`);
  const output = base64(run.output, `${where}.output`);
  try {
    readRunOutput(output);
  } catch (error) {
    throw new ReplayFormatError(`${where}.output: ${(error as Error).message}`);
  }
  return {
    runId: field('runId', true),
    userId: field('userId', true),
    name: field('name'),
    language: field('language'),
    entry: field('entry'),
    startedAt: time(run.startedAt, `${where}.startedAt`),
    endedAt: time(run.endedAt, `${where}.endedAt`),
    exitCode,
    signal: field('signal'),
    reason: field('reason'),
    durationMs: time(run.durationMs, `${where}.durationMs`),
    message: field('message'),
    outputTruncated: run.outputTruncated,
    output,
  };
}

function base64(value: unknown, where: string): Uint8Array {
  const bytes = typeof value === 'string' ? decodeBase64(value) : null;
  if (!bytes) throw new ReplayFormatError(`${where}: not valid base64`);
  return bytes;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ReplayFormatError(`${where}: expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value))
    throw new ReplayFormatError(`${where}: expected an array, got ${describe(value)}`);
  return value;
}

function string(value: unknown, where: string, nonEmpty = false): string {
  if (typeof value !== 'string' || (nonEmpty && value === ''))
    throw new ReplayFormatError(
      `${where}: expected a ${nonEmpty ? 'non-empty ' : ''}string, got ${describe(value)}`,
    );
  return value;
}

/** A time or duration in ms: a finite number, not negative. */
function time(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ReplayFormatError(`${where}: expected a number of milliseconds, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}
