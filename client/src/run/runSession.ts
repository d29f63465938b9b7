/**
 * The room's runs as this page sees them. Every frame the relay broadcasts goes
 * into one transcript (the terminal shows it), so everyone in the room watches the
 * same run; an editor starts runs (making the run id), stops them and types stdin.
 * No round trips: a run this page starts is shown as "starting" until the relay's
 * runStarted (or, when it was refused, its runExit) arrives.
 */
import { computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { Role } from '../../../shared/roles.js';
import type { RunnerLanguage, StoredRun } from '../lib/api.js';
import type { SocketState } from '../room/connection.js';
import {
  exitLine,
  headerLine,
  isLanguageUnavailable,
  newRunId,
  noteLine,
  writeOutput,
  type ExitInfo,
  type RunHead,
} from './runText.js';
import { LanguageAvailability } from './availability.js';
import { RunTarget, type ProjectView } from './runTarget.js';
import { Transcript } from './transcript.js';
import type { RelayRunMessage, RunWire } from './runWire.js';
import { MessageType, RunMode } from '../../../shared/protocol/table.js';
import { outputStreamOf } from '../../../shared/protocol/outputLog.js';

/** The relay stores a run just after broadcasting its exit; ask for the list a little later. */
const HISTORY_SETTLE_MS = 500;

export interface LiveRun extends RunHead {
  runId: string;
  mine: boolean;
  /** The relay confirmed it (runStarted, or output): its header is on screen. */
  started: boolean;
  /** Position in the queue while it waits for a runner. */
  queued: number | null;
  stdinClosed: boolean;
  stopping: boolean;
  /** A shared terminal (REPL or shell on a pseudo-terminal): keystrokes go straight in. */
  terminal: boolean;
}

export interface RunSessionDeps {
  wire: RunWire;
  me: ReadonlySignal<{ name: string; role: Role }>;
  /** May this page edit now (role and the room's settings): runs follow it. */
  canEdit: ReadonlySignal<boolean>;
  socket: ReadonlySignal<SocketState>;
  project: ProjectView;
  fetchLanguages(): Promise<RunnerLanguage[]>;
  fetchHistory(): Promise<StoredRun[]>;
}

export class RunSession {
  readonly transcript = new Transcript();
  readonly target: RunTarget;
  /** Runs not yet ended, oldest first. */
  readonly live = signal<LiveRun[]>([]);
  /** The run Stop and stdin act on: the newest. */
  readonly focus = computed<LiveRun | null>(() => this.live.value.at(-1) ?? null);
  readonly lastExit = signal<ExitInfo | null>(null);
  readonly availability: LanguageAvailability;
  readonly history = signal<StoredRun[] | null>(null);
  readonly historyOpen = signal(false);
  readonly panelOpen = signal(false);
  readonly canRun = computed(() => this.deps.canEdit.value);
  private lastWriter: string | null = null;
  private readonly stops: (() => void)[] = [];
  private readonly encoder = new TextEncoder();

  constructor(private readonly deps: RunSessionDeps) {
    this.target = new RunTarget(deps.project);
    this.availability = new LanguageAvailability(deps.fetchLanguages);
    const online = computed(() => deps.socket.value === 'connected');
    this.stops.push(
      deps.wire.subscribe((message) => this.onMessage(message)),
      effect(() => {
        if (!online.value) this.connectionLost();
        // Someone joining later sees the room's last output (asked once online: no failed request offline).
        else if (this.history.peek() === null) void this.showLastRun();
      }),
      this.availability.poll(computed(() => this.canRun.value && online.value)),
    );
  }

  /** Runs the picked target; false when nothing was sent (viewer, a run active, offline). */
  start(): boolean {
    return this.begin(RunMode.Batch);
  }

  /** Opens a shared terminal: the language's REPL (or a shell) in the project, for everyone to watch. */
  startTerminal(): boolean {
    return this.begin(RunMode.Terminal);
  }

  /** Raw keystrokes from the terminal view into a terminal run; the terminal echoes them. */
  typeKeys(data: string): void {
    const run = this.focus.peek();
    if (!run?.terminal || run.stdinClosed || !this.canRun.peek()) return;
    this.deps.wire.send({
      type: MessageType.RunInput,
      runId: run.runId,
      bytes: this.encoder.encode(data),
      eof: false,
    });
  }

  private begin(mode: RunMode): boolean {
    if (!this.canRun.peek() || this.focus.peek()) return false;
    const language = this.target.language.peek();
    const entry = this.target.entry.peek();
    const runId = newRunId();
    this.panelOpen.value = true;
    const sent = this.deps.wire.send({
      type: MessageType.RunStart,
      runId,
      language,
      entry,
      mode,
    });
    if (!sent) {
      this.transcript.newLine();
      this.transcript.write(noteLine('Not connected to the server: the run was not started.'));
      return false;
    }
    const run: LiveRun = {
      runId,
      language,
      entry,
      name: this.deps.me.peek().name,
      startedAt: Date.now(),
      mine: true,
      started: false,
      queued: null,
      stdinClosed: false,
      stopping: false,
      terminal: mode === RunMode.Terminal,
    };
    this.live.value = [...this.live.value, run];
    return true;
  }

  stop(): void {
    const run = this.focus.peek();
    if (!run || !this.canRun.peek()) return;
    if (this.deps.wire.send({ type: MessageType.RunStop, runId: run.runId }))
      this.update(run.runId, { stopping: true });
  }

  /** Sends a line (and a newline) to the run's stdin; the relay echoes it to everyone, dimmed. */
  sendLine(text: string): boolean {
    const run = this.focus.peek();
    if (!run || run.stdinClosed || !this.canRun.peek()) return false;
    const bytes = this.encoder.encode(`${text}\n`);
    return this.deps.wire.send({ type: MessageType.RunInput, runId: run.runId, bytes, eof: false });
  }

  /** Ctrl+D: sends what is typed (no newline) and closes stdin. */
  closeStdin(text = ''): void {
    const run = this.focus.peek();
    if (!run || run.stdinClosed || !this.canRun.peek()) return;
    const bytes = this.encoder.encode(text);
    if (!this.deps.wire.send({ type: MessageType.RunInput, runId: run.runId, bytes, eof: true })) return;
    this.update(run.runId, { stdinClosed: true });
    this.transcript.newLine();
    this.transcript.write(noteLine('(stdin closed)'));
  }

  clear(): void {
    this.transcript.clear();
    this.lastWriter = null;
  }

  /** A stored run into the terminal: its header, its output (stderr in red) and exit. */
  showStored(run: StoredRun, note = 'earlier run'): void {
    this.panelOpen.value = true;
    this.transcript.newLine();
    this.transcript.write(headerLine(run, note));
    // Chunks in the order they arrived, as the run looked live.
    for (const chunk of run.output) writeOutput(this.transcript, outputStreamOf(chunk.stream), chunk.text);
    this.transcript.newLine();
    if (run.outputTruncated) this.transcript.write(noteLine('(output cut: only the start was stored)'));
    this.transcript.write(exitLine({ ...run, code: run.exitCode }));
    this.lastWriter = null;
  }

  async loadHistory(): Promise<StoredRun[] | null> {
    try {
      this.history.value = await this.deps.fetchHistory();
    } catch {
      this.history.value = this.history.peek() ?? [];
    }
    return this.history.peek();
  }

  private async showLastRun(): Promise<void> {
    const runs = await this.loadHistory();
    if (runs?.[0] && this.transcript.empty.peek() && this.live.peek().length === 0) {
      this.showStored(runs[0], 'last run');
    }
  }

  destroy(): void {
    for (const stop of this.stops) stop();
  }

  private onMessage(message: RelayRunMessage): void {
    switch (message.type) {
      case MessageType.RunStarted: {
        const { runId, language, entry, name, startedAt } = message;
        const known = this.find(runId);
        if (known?.started) return;
        const terminal = message.mode === RunMode.Terminal;
        const fields = { language, entry, name, startedAt, started: true, terminal };
        if (known) this.update(runId, fields);
        else this.live.value = [...this.live.value, { ...this.blank(runId), ...fields }];
        this.panelOpen.value = true;
        this.writeHeader({ ...fields });
        this.lastWriter = runId;
        return;
      }
      case MessageType.RunQueued:
        this.ensureStarted(message.runId);
        this.update(message.runId, { queued: message.position });
        this.transcript.newLine();
        this.transcript.write(noteLine(`waiting for a runner (position ${message.position})`));
        return;
      case MessageType.RunOutput: {
        const run = this.ensureStarted(message.runId);
        if (run.queued !== null) this.update(run.runId, { queued: null });
        if (this.lastWriter !== run.runId && this.live.peek().length > 1) {
          this.transcript.newLine();
          this.transcript.write(noteLine(`── ${run.name ?? 'another run'} · ${run.entry ?? ''} ──`));
        }
        this.lastWriter = run.runId;
        writeOutput(this.transcript, message.stream, message.bytes);
        return;
      }
      case MessageType.RunExit: {
        const run = this.find(message.runId);
        if (!run?.started)
          this.writeHeader(run ?? { name: 'A run', language: null, entry: null, startedAt: null });
        this.transcript.newLine();
        this.transcript.write(exitLine(message));
        this.live.value = this.live.value.filter((r) => r.runId !== message.runId);
        this.lastExit.value = message;
        this.lastWriter = null;
        if (isLanguageUnavailable(message)) void this.availability.refresh();
        if (this.historyOpen.peek()) setTimeout(() => void this.loadHistory(), HISTORY_SETTLE_MS);
        return;
      }
    }
  }

  /** A run this page learns of mid-way (it joined, or reconnected, after runStarted). */
  private ensureStarted(runId: string): LiveRun {
    const known = this.find(runId);
    if (known?.started) return known;
    if (known) this.update(runId, { started: true });
    else this.live.value = [...this.live.value, { ...this.blank(runId), started: true }];
    this.panelOpen.value = true;
    this.writeHeader(known ?? { name: null, language: null, entry: null, startedAt: null });
    return this.find(runId)!;
  }

  private writeHeader(head: RunHead): void {
    this.transcript.newLine();
    this.transcript.write(headerLine(head));
  }

  /** The socket dropped: frames sent meanwhile are lost, so these runs end here for this page. */
  private connectionLost(): void {
    const live = this.live.peek();
    if (live.length === 0) return;
    this.live.value = [];
    this.transcript.newLine();
    this.transcript.write(noteLine('Connection lost: output from here on was missed (see recent runs).'));
  }

  private blank(runId: string): LiveRun {
    return {
      runId,
      name: null,
      language: null,
      entry: null,
      startedAt: null,
      mine: false,
      started: false,
      queued: null,
      stdinClosed: false,
      stopping: false,
      terminal: false,
    };
  }

  private find(runId: string): LiveRun | undefined {
    return this.live.peek().find((r) => r.runId === runId);
  }

  private update(runId: string, fields: Partial<LiveRun>): void {
    this.live.value = this.live.peek().map((r) => (r.runId === runId ? { ...r, ...fields } : r));
  }
}
