/**
 * The runner's connection to the relay: dials `/runner` with its token, says
 * `runnerHello`, executes the jobs it is given and streams `runOutput` and one
 * `runExit` per job back. Reconnects with backoff when the link drops; jobs
 * running on a dropped link are killed (the relay has already ended them).
 */
import { WebSocket } from 'ws';
import type { LanguageId } from '../shared/languages.js';
import type { ImageBuild } from './imageBuilds.js';
import { decode, encode, unhandled } from '../shared/protocol/codec.js';
import {
  Direction,
  MessageType,
  OutputStream,
  PROTOCOL_VERSION,
  type RunnerJob,
  type RunnerToRelayMessage,
} from '../shared/protocol/table.js';
import type { RunHandle, RunHooks } from './sandbox/types.js';
import type { WorkspaceHost } from './workspace/WorkspaceHost.js';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

export interface Executor {
  run(job: RunnerJob, hooks: RunHooks): RunHandle;
}

export interface LinkLog {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
}

export interface RelayLinkOptions {
  relayUrl: string;
  token: string;
  runnerId: string;
  capacity: number;
  executor: Executor;
  log: LinkLog;
}

export class RelayLink {
  private ws: WebSocket | null = null;
  private readonly handles = new Map<string, RunHandle>();
  private languages: LanguageId[] = [];
  private preparing: ImageBuild[] = [];
  private delayMs = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private workspaces: WorkspaceHost | null = null;

  constructor(private readonly options: RelayLinkOptions) {}

  /** Serves workspaces too: their frames go to `host`, which sends through this link. */
  attachWorkspaces(host: WorkspaceHost): void {
    this.workspaces = host;
  }

  start(): void {
    this.connect();
  }

  /** What this runner can serve now; the relay hears of every change. */
  setLanguages(languages: LanguageId[]): void {
    const next = [...languages].sort();
    if (next.join() === this.languages.join()) return;
    this.languages = next;
    this.sendStatus();
  }

  /** The sandbox images this runner is building, and how far; the relay hears of every change. */
  setPreparing(builds: readonly ImageBuild[]): void {
    this.preparing = [...builds];
    this.sendStatus();
  }

  private sendStatus(): void {
    this.send({ type: MessageType.RunnerStatus, languages: this.languages, preparing: this.preparing });
  }

  get activeRuns(): number {
    return this.handles.size;
  }

  /** Closes the link and kills running jobs; resolves once they have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const done = [...this.handles.values()].map((handle) => {
      handle.kill();
      return handle.done.catch(() => undefined);
    });
    this.ws?.close(1001, 'runner stopping');
    await Promise.all([...done, this.workspaces?.closeAll('the runner stopped')]);
  }

  private connect(): void {
    const url = `${this.options.relayUrl.replace(/^http/, 'ws')}/runner`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.options.token}` } });
    this.ws = ws;
    ws.on('open', () => {
      this.delayMs = RECONNECT_MIN_MS;
      this.options.log.info('runner.linked', { relay: this.options.relayUrl });
      this.send({
        type: MessageType.RunnerHello,
        protocolVersion: PROTOCOL_VERSION,
        runnerId: this.options.runnerId,
        capacity: this.options.capacity,
        languages: this.languages,
      });
      if (this.preparing.length > 0) this.sendStatus();
      this.workspaces?.announce();
    });
    ws.on('message', (data) => {
      try {
        this.onMessage(data as Buffer);
      } catch (error) {
        this.options.log.warn('runner.bad_frame', { err: error });
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      this.options.log.warn('runner.refused', { status: res.statusCode });
      ws.terminate();
    });
    ws.on('error', (error) => this.options.log.warn('runner.link_error', { err: error }));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const handle of this.handles.values()) handle.kill();
      // The relay has ended this link's workspaces; their containers go too.
      void this.workspaces?.closeAll('the runner lost its link to the relay');
      if (this.stopped) return;
      this.options.log.warn('runner.unlinked', { code, reason: reason.toString(), retryMs: this.delayMs });
      this.timer = setTimeout(() => this.connect(), this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, RECONNECT_MAX_MS);
    });
  }

  private onMessage(bytes: Buffer): void {
    const message = decode(
      Direction.RelayToRunner,
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    );
    switch (message.type) {
      case MessageType.RunnerJob:
        return this.startJob(message);
      case MessageType.RunInput: {
        const handle = this.handles.get(message.runId);
        if (message.bytes.byteLength > 0) handle?.writeStdin(message.bytes);
        if (message.eof) handle?.closeStdin();
        return;
      }
      case MessageType.RunStop:
        return this.handles.get(message.runId)?.kill();
      case MessageType.WorkspaceOpen:
      case MessageType.WorkspaceClose:
      case MessageType.WorkspaceFiles:
      case MessageType.RunnerShellOpen:
      case MessageType.RunnerCommandOpen:
      case MessageType.PreviewOpen:
      case MessageType.PreviewData:
      case MessageType.PreviewEnd:
      case MessageType.PreviewAbort:
      case MessageType.PreviewCredit:
      case MessageType.ShellInput:
      case MessageType.ShellResize:
      case MessageType.ShellClose:
      case MessageType.RunnerLspRequest:
        return this.workspaces?.handle(message);
      default:
        return unhandled(message);
    }
  }

  private startJob(job: RunnerJob): void {
    const { runId } = job;
    const handle = this.options.executor.run(job, {
      onOutput: (stream, bytes) =>
        this.send({
          type: MessageType.RunOutput,
          runId,
          stream: stream === 'stdout' ? OutputStream.Stdout : OutputStream.Stderr,
          bytes,
        }),
      onExit: (exit) => {
        this.handles.delete(runId);
        this.send({
          type: MessageType.RunExit,
          runId,
          code: exit.code,
          signal: exit.signal,
          reason: exit.reason,
          durationMs: exit.durationMs,
          message: exit.message ?? '',
        });
      },
    });
    // onExit may already have run (an immediate refusal): only keep live handles.
    void handle.done.finally(() => this.handles.delete(runId));
    this.handles.set(runId, handle);
  }

  send(message: RunnerToRelayMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encode(message), { binary: true });
  }
}
