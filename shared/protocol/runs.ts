/**
 * Run messages (120-132): client <-> relay on the room socket, relay <-> runner on
 * the runner link. Data flows one way with no acknowledgements:
 *
 *   client  runStart{runId}  -> relay snapshots the room's files from its own doc
 *   relay   runnerJob{...}   -> runner; runStarted{...} -> every client of the room
 *   runner  runOutput*       -> relay -> every client
 *   runner  runExit (once)   -> relay -> every client; the relay stores the run
 *
 * runInput and runStop travel client -> relay -> runner. The client makes the run
 * id; every read validates while it decodes and throws ProtocolError.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { isLanguageId, type LanguageId } from '../languages.js';
import { MessageType } from './messageTypes.js';
import { ProtocolError, guard } from './tandem.js';

export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const TEXT_MAX_CHARS = 4096;
const NAME_MAX_CHARS = 256;

export const RunMode = { Batch: 0, Terminal: 1 } as const;
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/**
 * The pseudo-terminal of a terminal run: one size for everyone who watches it,
 * so every page shows the program's screen as the program drew it.
 */
export const TERMINAL_SIZE = { cols: 100, rows: 30 } as const;

export const OutputStream = { Stdout: 0, Stderr: 1 } as const;
export type OutputStream = (typeof OutputStream)[keyof typeof OutputStream];

export const EXIT_REASONS = ['exited', 'timeout', 'memory', 'output-limit', 'killed', 'error'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface RunLimits {
  timeoutMs: number;
  memoryBytes: number;
  pids: number;
  /** Thousandths of a CPU. */
  cpuMillis: number;
  outputBytes: number;
  diskBytes: number;
}

export interface RunStart {
  type: typeof MessageType.RunStart;
  runId: string;
  language: LanguageId;
  /** Entry file path; empty for the language's default. */
  entry: string;
  mode: RunMode;
}
export interface RunInput {
  type: typeof MessageType.RunInput;
  runId: string;
  bytes: Uint8Array;
  /** Closes stdin after these bytes. */
  eof: boolean;
}
export interface RunStop {
  type: typeof MessageType.RunStop;
  runId: string;
}
export interface RunStarted {
  type: typeof MessageType.RunStarted;
  runId: string;
  language: LanguageId;
  entry: string;
  mode: RunMode;
  userId: string;
  name: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
}
export interface RunOutput {
  type: typeof MessageType.RunOutput;
  runId: string;
  stream: OutputStream;
  bytes: Uint8Array;
}
export interface RunExit {
  type: typeof MessageType.RunExit;
  runId: string;
  /** Exit code, or null when the process never exited by itself. */
  code: number | null;
  /** Signal name, or empty. */
  signal: string;
  reason: ExitReason;
  durationMs: number;
  /** A sentence for people, e.g. why a run could not start. */
  message: string;
}
export interface RunQueued {
  type: typeof MessageType.RunQueued;
  runId: string;
  position: number;
}
export interface RunnerHello {
  type: typeof MessageType.RunnerHello;
  protocolVersion: number;
  runnerId: string;
  capacity: number;
  languages: LanguageId[];
}
export interface RunnerJob {
  type: typeof MessageType.RunnerJob;
  runId: string;
  language: LanguageId;
  entry: string;
  mode: RunMode;
  limits: RunLimits;
  files: Record<string, string>;
  env: Record<string, string>;
}
export interface RunnerStatus {
  type: typeof MessageType.RunnerStatus;
  languages: LanguageId[];
}

export type RunMessage =
  | RunStart
  | RunInput
  | RunStop
  | RunStarted
  | RunOutput
  | RunExit
  | RunQueued
  | RunnerHello
  | RunnerJob
  | RunnerStatus;

const RUN_TYPES = new Set<number>([120, 121, 122, 123, 124, 125, 126, 130, 131, 132]);

export function isRunType(type: number): type is RunMessage['type'] {
  return RUN_TYPES.has(type);
}

export function encodeRunMessage(message: RunMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, message.type);
  switch (message.type) {
    case MessageType.RunStart:
      writeStrings(e, message.runId, message.language, message.entry);
      encoding.writeVarUint(e, message.mode);
      break;
    case MessageType.RunInput:
      encoding.writeVarString(e, message.runId);
      encoding.writeVarUint8Array(e, message.bytes);
      encoding.writeVarUint(e, message.eof ? 1 : 0);
      break;
    case MessageType.RunStop:
      encoding.writeVarString(e, message.runId);
      break;
    case MessageType.RunStarted:
      writeStrings(e, message.runId, message.language, message.entry);
      encoding.writeVarUint(e, message.mode);
      writeStrings(e, message.userId, message.name);
      encoding.writeVarUint(e, message.startedAt);
      break;
    case MessageType.RunOutput:
      encoding.writeVarString(e, message.runId);
      encoding.writeVarUint(e, message.stream);
      encoding.writeVarUint8Array(e, message.bytes);
      break;
    case MessageType.RunExit:
      encoding.writeVarString(e, message.runId);
      // code + 1 so that "no code" (null) is 0 and negative codes cannot occur
      encoding.writeVarUint(e, message.code === null ? 0 : message.code + 1);
      writeStrings(e, message.signal, message.reason);
      encoding.writeVarUint(e, message.durationMs);
      encoding.writeVarString(e, message.message);
      break;
    case MessageType.RunQueued:
      encoding.writeVarString(e, message.runId);
      encoding.writeVarUint(e, message.position);
      break;
    case MessageType.RunnerHello:
      encoding.writeVarUint(e, message.protocolVersion);
      encoding.writeVarString(e, message.runnerId);
      encoding.writeVarUint(e, message.capacity);
      writeList(e, message.languages);
      break;
    case MessageType.RunnerJob: {
      writeStrings(e, message.runId, message.language, message.entry);
      encoding.writeVarUint(e, message.mode);
      const l = message.limits;
      for (const n of [l.timeoutMs, l.memoryBytes, l.pids, l.cpuMillis, l.outputBytes, l.diskBytes]) {
        encoding.writeVarUint(e, n);
      }
      writeRecord(e, message.files);
      writeRecord(e, message.env);
      break;
    }
    case MessageType.RunnerStatus:
      writeList(e, message.languages);
      break;
  }
  return encoding.toUint8Array(e);
}

/** Reads the body of a run message whose type the caller has already read. */
export function readRunMessage(d: decoding.Decoder, type: RunMessage['type']): RunMessage {
  const message = guard(() => readBody(d, type));
  if (decoding.hasContent(d)) throw new ProtocolError(`trailing bytes after message ${type}`);
  return message;
}

export function decodeRunMessage(bytes: Uint8Array): RunMessage {
  const d = decoding.createDecoder(bytes);
  const type = guard(() => decoding.readVarUint(d));
  if (!isRunType(type)) throw new ProtocolError(`not a run message type: ${type}`);
  return readRunMessage(d, type);
}

function readBody(d: decoding.Decoder, type: RunMessage['type']): RunMessage {
  switch (type) {
    case MessageType.RunStart:
      return { type, runId: runId(d), language: language(d), entry: text(d, NAME_MAX_CHARS), mode: mode(d) };
    case MessageType.RunInput:
      return { type, runId: runId(d), bytes: decoding.readVarUint8Array(d), eof: flag(d) };
    case MessageType.RunStop:
      return { type, runId: runId(d) };
    case MessageType.RunStarted:
      return {
        type,
        runId: runId(d),
        language: language(d),
        entry: text(d, NAME_MAX_CHARS),
        mode: mode(d),
        userId: text(d, NAME_MAX_CHARS),
        name: text(d, NAME_MAX_CHARS),
        startedAt: uint(d),
      };
    case MessageType.RunOutput: {
      const id = runId(d);
      const stream = uint(d);
      if (stream !== OutputStream.Stdout && stream !== OutputStream.Stderr) {
        throw new ProtocolError(`unknown output stream ${stream}`);
      }
      return { type, runId: id, stream, bytes: decoding.readVarUint8Array(d) };
    }
    case MessageType.RunExit: {
      const id = runId(d);
      const code = uint(d);
      const signal = text(d, NAME_MAX_CHARS);
      const reason = text(d, NAME_MAX_CHARS);
      if (!(EXIT_REASONS as readonly string[]).includes(reason))
        throw new ProtocolError(`unknown exit reason ${reason}`);
      return {
        type,
        runId: id,
        code: code === 0 ? null : code - 1,
        signal,
        reason: reason as ExitReason,
        durationMs: uint(d),
        message: text(d, TEXT_MAX_CHARS),
      };
    }
    case MessageType.RunQueued:
      return { type, runId: runId(d), position: uint(d) };
    case MessageType.RunnerHello:
      return {
        type,
        protocolVersion: uint(d),
        runnerId: text(d, NAME_MAX_CHARS),
        capacity: uint(d),
        languages: languages(d),
      };
    case MessageType.RunnerJob: {
      const head = { runId: runId(d), language: language(d), entry: text(d, NAME_MAX_CHARS), mode: mode(d) };
      const limits: RunLimits = {
        timeoutMs: uint(d),
        memoryBytes: uint(d),
        pids: uint(d),
        cpuMillis: uint(d),
        outputBytes: uint(d),
        diskBytes: uint(d),
      };
      return { type, ...head, limits, files: record(d), env: record(d) };
    }
    case MessageType.RunnerStatus:
      return { type, languages: languages(d) };
  }
}

function writeStrings(e: encoding.Encoder, ...values: string[]): void {
  for (const value of values) encoding.writeVarString(e, value);
}

function writeList(e: encoding.Encoder, values: readonly string[]): void {
  encoding.writeVarUint(e, values.length);
  writeStrings(e, ...values);
}

function writeRecord(e: encoding.Encoder, record: Record<string, string>): void {
  const entries = Object.entries(record);
  encoding.writeVarUint(e, entries.length);
  for (const [key, value] of entries) writeStrings(e, key, value);
}

function uint(d: decoding.Decoder): number {
  const value = decoding.readVarUint(d);
  if (!Number.isSafeInteger(value)) throw new ProtocolError('integer out of range');
  return value;
}

function flag(d: decoding.Decoder): boolean {
  const value = uint(d);
  if (value > 1) throw new ProtocolError('flag must be 0 or 1');
  return value === 1;
}

function text(d: decoding.Decoder, maxChars: number): string {
  const value = decoding.readVarString(d);
  if (value.length > maxChars) throw new ProtocolError('string too long');
  return value;
}

function runId(d: decoding.Decoder): string {
  const value = text(d, 64);
  if (!RUN_ID_PATTERN.test(value)) throw new ProtocolError('run id must match [A-Za-z0-9_-]{1,64}');
  return value;
}

function language(d: decoding.Decoder): LanguageId {
  const value = text(d, 32);
  if (!isLanguageId(value)) throw new ProtocolError(`unknown language ${value}`);
  return value;
}

function languages(d: decoding.Decoder): LanguageId[] {
  const count = uint(d);
  if (count > 64) throw new ProtocolError('too many languages');
  return Array.from({ length: count }, () => language(d));
}

function mode(d: decoding.Decoder): RunMode {
  const value = uint(d);
  if (value !== RunMode.Batch && value !== RunMode.Terminal)
    throw new ProtocolError(`unknown run mode ${value}`);
  return value;
}

function record(d: decoding.Decoder): Record<string, string> {
  const count = uint(d);
  if (count * 2 > d.arr.length - d.pos) throw new ProtocolError('count exceeds message size');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < count; i++) {
    const key = decoding.readVarString(d);
    if (key in out) throw new ProtocolError(`duplicate key ${key}`);
    out[key] = decoding.readVarString(d);
  }
  return out;
}
