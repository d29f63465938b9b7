/**
 * Runs for rooms: takes a run request from an editor (socket or HTTP), snapshots
 * the files from the relay's own copy of the room (the authority: the runner
 * never asks for them), adds the room's decrypted environment, and hands the job
 * to the RunnerHub. Every frame of the run goes to everyone in the room; the run
 * and its (capped) output are stored when it ends.
 */
import { defaultEntry, type LanguageId } from '../../shared/languages.js';
import { metaOf, snapshotFiles } from '../../shared/schema/project.js';
import type { TokenClaims } from '../../shared/token.js';
import type { Logger } from '../../server/log.js';
import type * as Y from 'yjs';
import type { Storage } from '../storage/Storage.js';
import type { EnvCrypto } from './envCrypto.js';
import { OutputLog } from './outputLog.js';
import { exitOf, unavailable, type JobExecutor } from './RunnerHub.js';
import { encode } from '../../shared/protocol/codec.js';
import {
  MessageType,
  OutputStream,
  type RunExit,
  type RunInput,
  type RunLimits,
  RunMode,
  type RunnerJob,
  type RunOutput,
  type RunStarted,
  type RunStop,
} from '../../shared/protocol/table.js';

/**
 * What a run needs of its room: the document to snapshot and everyone in it to
 * tell. Declared here so runs/ depends on no room code (rooms/Room satisfies it).
 */
export interface RunRoom {
  readonly id: string;
  readonly doc: Y.Doc;
  /** Applies updates still queued, so the snapshot holds every acknowledged edit. */
  applyPending(): void;
  /** Sends a run's encoded frame to every connection of the room, on every relay sharing it. */
  broadcastRun(message: Uint8Array): void;
  /**
   * Passes a runInput or runStop (checked here) to the other relays sharing
   * the room, for the one the run belongs to; and sets who applies those that
   * come from them.
   */
  relayRunControl(message: Uint8Array): void;
  onRelayedRunControl(apply: (message: RunInput | RunStop) => void): void;
}

export interface RunRequest {
  runId: string;
  language: LanguageId;
  /** Empty: the room's entry if it is in that language, else the language's default. */
  entry: string;
  mode: RunMode;
  stdin?: string;
}

/** Someone besides the room who wants the run's frames (the HTTP API). */
export interface RunObserver {
  started?(message: RunStarted): void;
  output(message: RunOutput): void;
  exit(message: RunExit): void;
}

export interface RunSettings {
  limits: RunLimits;
  /** Replaces limits.timeoutMs for terminal (shared REPL) runs. */
  terminalTimeoutMs: number;
  queueMaxPerRoom: number;
  activeMaxPerRoom: number;
  snapshotMaxBytes: number;
  storedOutputBytes: number;
}

export class RunService {
  /**
   * Running or queued runs by id, with their room and, for a run on pipes,
   * how typed stdin reaches everyone's transcript (a terminal echoes its own).
   */
  private readonly active = new Map<string, { roomId: string; echo: ((bytes: Uint8Array) => void) | null }>();

  constructor(
    private readonly hub: JobExecutor,
    private readonly storage: Storage,
    private readonly crypto: EnvCrypto,
    private readonly settings: RunSettings,
    private readonly log: Logger,
    /** Every run's end: its language, exit reason and duration (metrics). */
    private readonly onEnded: (language: string, reason: string, durationMs: number) => void = () => {},
  ) {}

  /** Whether a run in this language may start now (some runner serves it, here or, sharing rooms, on another relay). */
  accepts(language: LanguageId): boolean {
    return this.hub.accepts(language);
  }

  /** Starts a run; the outcome always arrives as exactly one exit (to the room and `observer`). */
  async start(
    room: RunRoom,
    claims: TokenClaims,
    request: RunRequest,
    observer?: RunObserver,
  ): Promise<void> {
    const { runId, language, mode } = request;
    const finishEarly = (message: string) => {
      const exit = exitOf(runId, 'error', message, 0);
      room.broadcastRun(encode(exit));
      observer?.exit(exit);
    };
    if (this.active.has(runId)) return finishEarly('a run with this id is already running');
    if (!this.hub.accepts(language)) return finishEarly(unavailable(language));
    // The snapshot is taken now, from the relay's document, before any await, and
    // after the edits that arrived before this request.
    room.applyPending();
    const files = snapshotFiles(room.doc);
    const entry = request.entry || roomEntry(room, language) || defaultEntry(language);
    if (!(entry in files)) return finishEarly(`entry file "${entry}" is not in the project`);
    const size = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    if (size > this.settings.snapshotMaxBytes) {
      return finishEarly(`the project is ${size} bytes; runs take at most ${this.settings.snapshotMaxBytes}`);
    }
    const active = { roomId: room.id, echo: null as ((bytes: Uint8Array) => void) | null };
    this.active.set(runId, active);
    // People on other relays steer it too: what they type or stop comes here.
    room.onRelayedRunControl((message) =>
      message.type === MessageType.RunInput
        ? this.input(room, message.runId, message.bytes, message.eof, true)
        : this.stop(room, message.runId, true),
    );

    let env: Record<string, string>;
    try {
      env = await this.openEnv(room.id);
    } catch (error) {
      this.active.delete(runId);
      this.log.error('run.env_failed', { room: room.id, err: error });
      return finishEarly('the project environment could not be read');
    }
    const startedAt = Date.now();
    const started: RunStarted = {
      type: MessageType.RunStarted,
      runId,
      language,
      entry,
      mode,
      userId: claims.uid,
      name: claims.name,
      startedAt,
    };
    room.broadcastRun(encode(started));
    observer?.started?.(started);

    const limits =
      mode === RunMode.Terminal
        ? { ...this.settings.limits, timeoutMs: this.settings.terminalTimeoutMs }
        : this.settings.limits;
    const job: RunnerJob = {
      type: MessageType.RunnerJob,
      runId,
      language,
      entry,
      mode,
      limits,
      files,
      env,
    };
    const log = new OutputLog(this.settings.storedOutputBytes);
    let stoppedForOutput = false;
    const output = (message: RunOutput) => {
      log.add(message.stream, message.bytes);
      // The runner caps output; this caps it again in case a runner does not.
      if (log.total > this.settings.limits.outputBytes) {
        if (!stoppedForOutput) this.hub.stop(runId);
        stoppedForOutput = true;
        return;
      }
      room.broadcastRun(encode(message));
      observer?.output(message);
    };
    if (mode !== RunMode.Terminal) {
      active.echo = (bytes) =>
        output({ type: MessageType.RunOutput, runId, stream: OutputStream.Input, bytes });
    }
    this.hub.submit(
      room.id,
      job,
      {
        output,
        exit: (message) => {
          this.active.delete(runId);
          const exit: RunExit = stoppedForOutput ? { ...message, reason: 'output-limit' } : message;
          room.broadcastRun(encode(exit));
          observer?.exit(exit);
          this.store(room.id, started, exit, log);
        },
        queued: (position) => room.broadcastRun(encode({ type: MessageType.RunQueued, runId, position })),
      },
      { queueMaxPerRoom: this.settings.queueMaxPerRoom, activeMaxPerRoom: this.settings.activeMaxPerRoom },
    );
    if (request.stdin !== undefined) this.hub.input(runId, Buffer.from(request.stdin, 'utf8'), true);
  }

  /**
   * Stdin from an editor of the run's room. A run started through another
   * relay sharing the room is that relay's: the input goes there (`relayed`:
   * it came from there, and goes nowhere else).
   */
  input(room: RunRoom, runId: string, bytes: Uint8Array, eof: boolean, relayed = false): void {
    const run = this.active.get(runId);
    if (run?.roomId !== room.id) {
      if (!relayed) room.relayRunControl(encode({ type: MessageType.RunInput, runId, bytes, eof }));
      return;
    }
    if (bytes.length > 0) run.echo?.(bytes);
    this.hub.input(runId, bytes, eof);
  }

  stop(room: RunRoom, runId: string, relayed = false): void {
    if (this.active.get(runId)?.roomId === room.id) this.hub.stop(runId);
    else if (!relayed) room.relayRunControl(encode({ type: MessageType.RunStop, runId }));
  }

  /** The room's environment, opened (also for a relay executing another's run: cluster/RunRouter). */
  async openEnv(roomId: string): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const { name, sealed } of await this.storage.listEnv(roomId))
      env[name] = this.crypto.open(roomId, name, sealed);
    return env;
  }

  private store(roomId: string, started: RunStarted, exit: RunExit, log: OutputLog): void {
    this.onEnded(started.language, exit.reason, exit.durationMs);
    this.storage
      .saveRun({
        roomId,
        runId: started.runId,
        userId: started.userId,
        name: started.name,
        language: started.language,
        entry: started.entry,
        startedAt: started.startedAt,
        endedAt: Date.now(),
        exitCode: exit.code,
        signal: exit.signal,
        reason: exit.reason,
        durationMs: exit.durationMs,
        message: exit.message,
        output: log.toBytes(),
        outputTruncated: log.truncated,
      })
      .catch((error: unknown) =>
        this.log.error('run.store_failed', { room: roomId, run: started.runId, err: error }),
      );
  }
}

function roomEntry(room: RunRoom, language: LanguageId): string | null {
  const meta = metaOf(room.doc);
  const entry = meta.get('entry');
  return meta.get('language') === language && typeof entry === 'string' ? entry : null;
}
