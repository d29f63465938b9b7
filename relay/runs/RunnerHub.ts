/**
 * The runners connected to this relay and the jobs they hold. A runner dials
 * `/runner` with its token, says `runnerHello {capacity, languages}`, then takes
 * `runnerJob`s and streams `runOutput` and one `runExit` back.
 *
 * Guarantees, whatever a runner does: every submitted job ends with exactly one
 * exit (a runner that disconnects or goes silent past the time limit ends its
 * jobs with reason `error`); a job for a language no runner serves fails at once
 * with "language unavailable"; jobs wait in a queue that takes rooms in turn, and
 * a room holds at most `activeMaxPerRoom` runner slots at once, so one busy room
 * (four long terminals, say) cannot starve the others.
 */
import type { WebSocket } from 'ws';
import type { LanguageId } from '../../shared/languages.js';
import type { Logger } from '../../server/log.js';
import { encode } from '../../shared/protocol/codec.js';
import {
  MessageType,
  OutputStream,
  type RunExit,
  type RunMessage,
  type RelayToRunnerMessage,
  type RunnerJob,
  type RunnerStatus,
  type RunOutput,
} from '../../shared/protocol/table.js';

/** Input kept for a job still in the queue, at most (an HTTP run's whole stdin fits; past it, typing ahead is dropped, but not its end). */
const EARLY_INPUT_MAX_BYTES = 4 * 1024 * 1024;
/** A runner that stays silent this long past a job's time limit has lost it. */
const RUNNER_GRACE_MS = 15_000;

export interface JobSink {
  output(message: RunOutput): void;
  /** Called exactly once. */
  exit(message: RunExit): void;
  queued(position: number): void;
}

interface Job {
  roomId: string;
  /** Runner slots its room may hold at once. */
  activeMax: number;
  message: RunnerJob;
  sink: JobSink;
  runner: RunnerLink | null;
  watchdog: NodeJS.Timeout | null;
  startedMs: number;
  ended: boolean;
  /** Input typed (or an HTTP run's stdin) while it waited in the queue, for the runner that takes it. */
  early: { bytes: Uint8Array; eof: boolean }[];
}

export interface RunnerLink {
  id: string;
  ws: WebSocket;
  capacity: number;
  languages: Set<LanguageId>;
  /** Sandbox images it is building, as its last runnerStatus said. */
  preparing?: readonly ImageBuild[];
  jobs: Map<string, Job>;
}

export type ImageBuild = RunnerStatus['preparing'][number];

/** Who executes jobs: this relay's runners (RunnerHub), or any relay's (cluster/RunRouter). */
export interface JobExecutor {
  /** Whether a job in this language may be submitted now. */
  accepts(language: LanguageId): boolean;
  /** Ends, whatever happens, with exactly one `sink.exit`. */
  submit(roomId: string, message: RunnerJob, sink: JobSink, options: SubmitOptions): void;
  input(runId: string, bytes: Uint8Array, eof: boolean): void;
  stop(runId: string): void;
}

export interface SubmitOptions {
  queueMaxPerRoom: number;
  /** Jobs of one room running at once; the room's next ones wait for one of them. */
  activeMaxPerRoom: number;
}

export class RunnerHub implements JobExecutor {
  private readonly runners = new Set<RunnerLink>();
  private readonly jobs = new Map<string, Job>();
  /** Waiting jobs per room, rooms in arrival order; dispatch takes one per room in turn. */
  private readonly queues = new Map<string, Job[]>();
  /** Jobs on a runner now, per room. */
  private readonly active = new Map<string, number>();

  /** Until then, a job no runner serves waits for one that may still be connecting. */
  private readonly startupUntil: number;
  private startupTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    options: { startupWaitMs?: number } = {},
  ) {
    this.startupUntil = Date.now() + (options.startupWaitMs ?? 0);
  }

  /** Whether a job nobody serves may wait now, rather than fail. */
  private inStartup(): boolean {
    return Date.now() < this.startupUntil;
  }

  /** At the end of the start-up wait, jobs nobody serves yet fail as they would have at once. */
  private failUnservedAfterStartup(): void {
    if (this.startupTimer) return;
    this.startupTimer = setTimeout(() => this.failUnserved(), Math.max(0, this.startupUntil - Date.now()));
    this.startupTimer.unref();
  }

  private failUnserved(): void {
    for (const [roomId, queue] of this.queues) {
      for (const job of [...queue]) {
        if (!this.serves(job.message.language)) this.fail(job, unavailable(job.message.language));
      }
      if (queue.length === 0) this.queues.delete(roomId);
    }
  }

  get runnerCount(): number {
    return this.runners.size;
  }

  /** Jobs waiting for a runner slot, over every room. */
  get queueLength(): number {
    let waiting = 0;
    // A job leaves its room's queue when a runner takes it or it ends.
    for (const queue of this.queues.values()) waiting += queue.length;
    return waiting;
  }

  serves(language: LanguageId): boolean {
    for (const runner of this.runners) if (runner.languages.has(language)) return true;
    return false;
  }

  /** Whether a job in this language may be submitted now: served, or worth waiting for in start-up. */
  accepts(language: LanguageId): boolean {
    return this.serves(language) || this.inStartup();
  }

  /** Languages some connected runner serves now. */
  languages(): LanguageId[] {
    const all = new Set<LanguageId>();
    for (const runner of this.runners) for (const language of runner.languages) all.add(language);
    return [...all].sort();
  }

  /** Registers a runner link after its hello. */
  addRunner(link: RunnerLink): void {
    this.runners.add(link);
    this.log.info('runner.connected', {
      runner: link.id,
      capacity: link.capacity,
      languages: [...link.languages],
    });
    this.dispatch();
  }

  removeRunner(link: RunnerLink): void {
    if (!this.runners.delete(link)) return;
    this.log.warn('runner.disconnected', { runner: link.id, jobs: link.jobs.size });
    for (const job of [...link.jobs.values()]) this.fail(job, 'the runner went away during the run');
  }

  /**
   * How far the image for `language` is on its way, where some runner lacks it
   * and none serves the language yet: the furthest build, else why none can.
   */
  preparing(language: LanguageId): { percent: number; what: string; problem: string } | null {
    if (this.serves(language)) return null;
    let best: ImageBuild | null = null;
    const rank = (b: ImageBuild) => (b.problem ? -1 : b.percent);
    for (const runner of this.runners) {
      for (const build of runner.preparing ?? []) {
        if (build.languages.includes(language) && (!best || rank(build) > rank(best))) best = build;
      }
    }
    return best && { percent: best.percent, what: best.what, problem: best.problem };
  }

  setStatus(link: RunnerLink, status: RunnerStatus): void {
    link.preparing = status.preparing;
    this.setLanguages(link, status.languages);
  }

  setLanguages(link: RunnerLink, languages: LanguageId[]): void {
    link.languages = new Set(languages);
    // Queued jobs nobody can serve any more would wait forever (in start-up, until its end).
    if (!this.inStartup()) this.failUnserved();
    this.dispatch();
  }

  /** Messages from a runner after its hello. */
  fromRunner(link: RunnerLink, message: RunMessage): void {
    if (message.type === MessageType.RunnerStatus) return this.setStatus(link, message);
    if (message.type !== MessageType.RunOutput && message.type !== MessageType.RunExit) {
      throw new Error(`a runner may not send message type ${message.type}`);
    }
    const job = link.jobs.get(message.runId);
    if (!job) return; // ended already (stopped, timed out); late frames are dropped
    if (message.type === MessageType.RunOutput) {
      // Echoed stdin is the relay's to send: a runner speaks for the program only.
      if (message.stream === OutputStream.Input) throw new Error('a runner may not send typed input');
      job.sink.output(message);
    } else this.finish(job, message);
  }

  submit(roomId: string, message: RunnerJob, sink: JobSink, options: SubmitOptions): void {
    const job: Job = {
      roomId,
      activeMax: options.activeMaxPerRoom,
      message,
      sink,
      runner: null,
      watchdog: null,
      startedMs: Date.now(),
      ended: false,
      early: [],
    };
    if (this.jobs.has(message.runId)) {
      return this.end(job, exitOf(message.runId, 'error', 'a run with this id is already running', 0));
    }
    if (!this.serves(message.language)) {
      if (!this.inStartup())
        return this.end(job, exitOf(message.runId, 'error', unavailable(message.language), 0));
      this.failUnservedAfterStartup();
    }
    const queue = this.queues.get(roomId) ?? [];
    if (queue.length >= options.queueMaxPerRoom) {
      return this.end(
        job,
        exitOf(
          message.runId,
          'error',
          `too many runs waiting in this room (at most ${options.queueMaxPerRoom})`,
          0,
        ),
      );
    }
    this.jobs.set(message.runId, job);
    queue.push(job);
    this.queues.set(roomId, queue);
    this.dispatch();
    if (!job.runner && !job.ended) sink.queued(queue.indexOf(job) + 1);
  }

  input(runId: string, bytes: Uint8Array, eof: boolean): void {
    const job = this.jobs.get(runId);
    if (job?.runner) sendToRunner(job.runner, { type: MessageType.RunInput, runId, bytes, eof });
    else if (job) {
      const kept = job.early.reduce((sum, e) => sum + e.bytes.byteLength, 0);
      if (kept + bytes.byteLength <= EARLY_INPUT_MAX_BYTES) job.early.push({ bytes, eof });
      else if (eof) job.early.push({ bytes: new Uint8Array(0), eof });
    }
  }

  stop(runId: string): void {
    const job = this.jobs.get(runId);
    if (!job) return;
    if (job.runner) sendToRunner(job.runner, { type: MessageType.RunStop, runId });
    else this.end(job, exitOf(runId, 'killed', 'stopped before it started', 0));
  }

  isActive(runId: string): boolean {
    return this.jobs.has(runId);
  }

  /** Starts queued jobs while runners have room, one room at a time in turn. */
  private dispatch(): void {
    for (let started = true; started;) {
      started = false;
      for (const [roomId, queue] of this.queues) {
        if ((this.active.get(roomId) ?? 0) >= queue[0]!.activeMax) continue;
        const index = queue.findIndex((job) => this.freeRunner(job.message.language) !== null);
        if (index < 0) continue;
        const job = queue.splice(index, 1)[0]!;
        // Round-robin: the room that just got a slot goes to the back of the line.
        this.queues.delete(roomId);
        if (queue.length > 0) this.queues.set(roomId, queue);
        this.startOn(job, this.freeRunner(job.message.language)!);
        started = true;
        break;
      }
    }
  }

  private freeRunner(language: LanguageId): RunnerLink | null {
    let best: RunnerLink | null = null;
    for (const runner of this.runners) {
      if (!runner.languages.has(language) || runner.jobs.size >= runner.capacity) continue;
      if (!best || runner.jobs.size / runner.capacity < best.jobs.size / best.capacity) best = runner;
    }
    return best;
  }

  private startOn(job: Job, runner: RunnerLink): void {
    job.runner = runner;
    this.active.set(job.roomId, (this.active.get(job.roomId) ?? 0) + 1);
    job.startedMs = Date.now();
    runner.jobs.set(job.message.runId, job);
    job.watchdog = setTimeout(
      () => this.fail(job, 'the runner did not finish the run in time'),
      job.message.limits.timeoutMs + RUNNER_GRACE_MS,
    );
    job.watchdog.unref();
    sendToRunner(runner, job.message);
    for (const { bytes, eof } of job.early.splice(0)) {
      sendToRunner(runner, { type: MessageType.RunInput, runId: job.message.runId, bytes, eof });
    }
  }

  private fail(job: Job, message: string): void {
    if (job.runner && job.runner.ws.readyState === job.runner.ws.OPEN) {
      sendToRunner(job.runner, { type: MessageType.RunStop, runId: job.message.runId });
    }
    this.end(job, exitOf(job.message.runId, 'error', message, Date.now() - job.startedMs));
  }

  private finish(job: Job, exit: RunExit): void {
    this.end(job, exit);
  }

  private end(job: Job, exit: RunExit): void {
    if (job.ended) return;
    job.ended = true;
    if (job.watchdog) clearTimeout(job.watchdog);
    if (job.runner) {
      job.runner.jobs.delete(job.message.runId);
      const left = (this.active.get(job.roomId) ?? 1) - 1;
      if (left > 0) this.active.set(job.roomId, left);
      else this.active.delete(job.roomId);
    }
    if (this.jobs.get(job.message.runId) === job) this.jobs.delete(job.message.runId);
    const queue = this.queues.get(job.roomId);
    if (queue) {
      const index = queue.indexOf(job);
      if (index >= 0) queue.splice(index, 1);
      if (queue.length === 0) this.queues.delete(job.roomId);
    }
    job.sink.exit(exit);
    // A slot came free (on the runner, and in the room's share): the queue moves on.
    if (job.runner) this.dispatch();
  }
}

/** Sends a frame on a runner's link if it is open (a closed one has ended its work already). */
export function sendToRunner(runner: RunnerLink, message: RelayToRunnerMessage): void {
  if (runner.ws.readyState === runner.ws.OPEN) runner.ws.send(encode(message), { binary: true });
}

export function unavailable(language: LanguageId): string {
  return `language unavailable: no runner can run ${language} right now`;
}

export function exitOf(
  runId: string,
  reason: RunExit['reason'],
  message: string,
  durationMs: number,
): RunExit {
  return { type: MessageType.RunExit, runId, code: null, signal: '', reason, durationMs, message };
}
