/**
 * Runs one job in a sandbox and reports it through hooks: output as it streams,
 * then exactly one onExit, whatever happens (invalid job, Docker down, timeout,
 * output flood, out of memory, kill). The container is killed through the API
 * (killing this process would not stop it) and removed with its volumes after
 * its exit code is read.
 */
import { constants as osConstants } from 'node:os';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { resolveImage } from '../languages.js';
import { RUNNER_INSTANCE, type SandboxConfig } from './containerSpec.js';
import { jobPayload } from './payload.js';
import { OutputGate } from './outputGate.js';
import { SandboxError, createSandbox, describeDockerError, destroySandbox, type Sandbox } from './sandbox.js';
import type { ExitInfo, ExitReason, Job, OutputStreamName, RunHandle, RunHooks } from './types.js';
import { JobError, validateJob } from './validate.js';
import type { WarmPool } from './WarmPool.js';

export interface RunOptions extends SandboxConfig {
  /** Takes a warm container from here when one matches; else creates one. */
  pool?: WarmPool;
  /** Image override; default resolveImage(job.language). */
  image?: string;
}

/** How long a killed container may take to report its end before the run ends anyway. */
const KILL_GRACE_MS = 5_000;
/** After the exit status, how long the output stream may take to drain. */
const DRAIN_GRACE_MS = 1_000;
/** How long making a sandbox may take before the run ends with an error. */
const PREPARE_TIMEOUT_MS = 60_000;
/** Stdin bytes kept while the program does not read them; more are dropped. */
const STDIN_PENDING_MAX_BYTES = 1024 * 1024;

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name]),
);

const REASON_MESSAGES: Record<Exclude<ExitReason, 'exited' | 'error'>, (job: Job) => string> = {
  timeout: (job) => `stopped after the ${job.limits.timeoutMs} ms time limit`,
  memory: (job) => `killed: used more than the ${job.limits.memoryBytes}-byte memory limit`,
  'output-limit': (job) => `stopped after the ${job.limits.outputBytes}-byte output limit`,
  killed: () => 'stopped',
};

export function runJob(docker: Docker, job: Job, hooks: RunHooks, options: RunOptions = {}): RunHandle {
  return new Run(docker, job, hooks, options).handle;
}

class Run {
  readonly handle: RunHandle;
  private readonly startedAt = performance.now();
  private finished = false;
  private stopReason: 'timeout' | 'output-limit' | 'killed' | null = null;
  private sandbox: Sandbox | null = null;
  private stdinOpen: boolean;
  private stdinEndRequested = false;
  private stdinPending: Buffer[] = [];
  private stdinPendingBytes = 0;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private resolveDone!: (exit: ExitInfo) => void;
  private gate: OutputGate | null = null;

  constructor(
    private readonly docker: Docker,
    private job: Job,
    private readonly hooks: RunHooks,
    private readonly options: RunOptions,
  ) {
    this.stdinOpen = job.stdin === undefined;
    const done = new Promise<ExitInfo>((resolve) => (this.resolveDone = resolve));
    // A Docker engine that stops answering must not leave a run without an end.
    this.timers.push(
      setTimeout(() => {
        if (!this.sandbox) this.abandon('did not start the sandbox in time');
      }, PREPARE_TIMEOUT_MS),
    );
    this.handle = {
      runId: job.runId,
      kill: () => this.stop('killed'),
      writeStdin: (bytes) => this.writeStdin(bytes),
      closeStdin: () => this.closeStdin(),
      done,
    };
    void this.execute();
  }

  private async execute(): Promise<void> {
    let sandbox: Sandbox;
    try {
      this.job = validateJob(this.job);
      const gate = new OutputGate(
        this.job.limits.outputBytes,
        (stream, bytes) => this.safeHook(() => this.hooks.onOutput(stream, bytes)),
        () => this.stop('output-limit'),
      );
      this.gate = gate;
      const image = this.options.image ?? resolveImage(this.job.language);
      const payload = await jobPayload(this.job);
      if (this.finished) return;
      const { language, limits } = this.job;
      sandbox =
        this.options.pool?.take(language, limits, image) ??
        (await createSandbox(this.docker, language, limits, {
          image,
          runtime: this.options.runtime,
          seccompProfile: this.options.seccompProfile,
          runnerName: this.options.runnerName,
          instanceId: this.options.instanceId ?? RUNNER_INSTANCE,
          runId: this.job.runId,
        }));
      if (this.finished) {
        // Killed or abandoned while the sandbox was being made.
        await destroySandbox(sandbox).catch(() => undefined);
        return;
      }
      this.sandbox = sandbox;
      this.timers.push(setTimeout(() => this.stop('timeout'), this.job.limits.timeoutMs));
      // Last resort if Docker stops answering: the run still ends, once.
      this.timers.push(
        setTimeout(
          () => this.abandon('did not report the end of the run'),
          this.job.limits.timeoutMs + KILL_GRACE_MS * 3,
        ),
      );
      const drained = this.attachOutput(sandbox, gate);
      const status = sandbox.container.wait();
      status.catch(() => undefined);
      sandbox.stream.write(payload);
      if (this.job.stdin !== undefined) {
        sandbox.stream.write(Buffer.from(this.job.stdin));
        sandbox.stream.end();
      } else {
        for (const chunk of this.stdinPending) sandbox.stream.write(chunk);
        this.stdinPending = [];
        if (this.stdinEndRequested) sandbox.stream.end();
      }
      await Promise.race([drained, status]);
      const { StatusCode } = (await status) as { StatusCode: number };
      await Promise.race([drained, delay(DRAIN_GRACE_MS)]);
      const state = (await sandbox.container.inspect()).State;
      this.finish(this.exitOf(StatusCode, state.OOMKilled === true));
    } catch (error) {
      if (this.finished) return;
      if (this.stopReason) return this.finish(this.exitWithoutRun(this.stopReason));
      const message =
        error instanceof JobError || error instanceof SandboxError
          ? error.message
          : describeDockerError(error);
      this.finish({ code: null, signal: '', reason: 'error', durationMs: this.elapsed(), message });
    }
  }

  /** Demultiplexes the attach stream into the gate; resolves when it ends. */
  private attachOutput(sandbox: Sandbox, gate: OutputGate): Promise<void> {
    const sink = (stream: OutputStreamName) =>
      new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          gate.push(stream, chunk);
          callback();
        },
      });
    this.docker.modem.demuxStream(sandbox.stream, sink('stdout'), sink('stderr'));
    return new Promise((resolve) => {
      if (sandbox.ended) return resolve();
      sandbox.stream.once('end', resolve);
      sandbox.stream.once('close', resolve);
      sandbox.stream.once('error', () => resolve());
    });
  }

  private exitOf(status: number, oomKilled: boolean): ExitInfo {
    const durationMs = this.elapsed();
    if (this.stopReason) return this.exitWithoutRun(this.stopReason);
    // Under tini a program ended by signal N exits with 128 + N.
    const signal = status > 128 ? (SIGNAL_NAMES.get(status - 128) ?? '') : '';
    if (oomKilled && signal === 'SIGKILL') {
      return { code: null, signal, reason: 'memory', durationMs, message: REASON_MESSAGES.memory(this.job) };
    }
    const exit: ExitInfo = { code: status, signal, reason: 'exited', durationMs };
    if (oomKilled) exit.message = 'a process was killed for exceeding the memory limit';
    return exit;
  }

  private exitWithoutRun(reason: 'timeout' | 'output-limit' | 'killed'): ExitInfo {
    const signal = this.sandbox ? 'SIGKILL' : '';
    return {
      code: null,
      signal,
      reason,
      durationMs: this.elapsed(),
      message: REASON_MESSAGES[reason](this.job),
    };
  }

  private stop(reason: 'timeout' | 'output-limit' | 'killed'): void {
    if (this.finished || this.stopReason) return;
    this.stopReason = reason;
    const sandbox = this.sandbox;
    // No container yet: end now; execute() removes the one being made.
    if (!sandbox) return this.finish(this.exitWithoutRun(reason));
    sandbox.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    // If Docker never reports the end, end the run anyway; finish() removes it.
    this.timers.push(setTimeout(() => sandbox.stream.destroy(), KILL_GRACE_MS));
  }

  private abandon(what: string): void {
    if (this.finished) return;
    if (this.stopReason) return this.finish(this.exitWithoutRun(this.stopReason));
    this.finish({
      code: null,
      signal: '',
      reason: 'error',
      durationMs: this.elapsed(),
      message: `the Docker engine ${what}`,
    });
  }

  private writeStdin(bytes: Uint8Array | string): void {
    if (this.finished || !this.stdinOpen || this.stdinEndRequested) return;
    const chunk = Buffer.from(bytes);
    if (this.sandbox) {
      this.sandbox.stream.write(chunk);
    } else if (this.stdinPendingBytes + chunk.length <= STDIN_PENDING_MAX_BYTES) {
      this.stdinPending.push(chunk);
      this.stdinPendingBytes += chunk.length;
    }
  }

  private closeStdin(): void {
    if (this.finished || !this.stdinOpen || this.stdinEndRequested) return;
    this.stdinEndRequested = true;
    this.sandbox?.stream.end();
  }

  private finish(exit: ExitInfo): void {
    if (this.finished) return;
    this.finished = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.gate?.close();
    this.safeHook(() => this.hooks.onExit(exit));
    const sandbox = this.sandbox;
    const removed = sandbox ? destroySandbox(sandbox).catch(() => undefined) : Promise.resolve();
    void removed.then(() => this.resolveDone(exit));
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  private safeHook(call: () => void): void {
    try {
      call();
    } catch (error) {
      console.error(`runner: a run hook threw for ${this.job.runId}:`, error);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
