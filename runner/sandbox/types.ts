/** The execution engine's job, hooks and result. */
import type { LanguageId } from '../../shared/languages.js';
import type { ExitReason, RunLimits } from '../../shared/protocol/table.js';

export type { ExitReason, RunLimits };

export interface Job {
  runId: string;
  language: LanguageId;
  /** Entry file path inside `files`. */
  entry: string;
  /** The project snapshot: path -> UTF-8 content. */
  files: Record<string, string>;
  /** Per-project environment variables for this run. */
  env?: Record<string, string>;
  /**
   * When set, this is the whole of stdin (then EOF). When absent, stdin stays
   * open for `writeStdin` until `closeStdin` (interactive runs).
   */
  stdin?: string | Uint8Array;
  /** Run the language's interactive program on a pseudo-terminal (a shared REPL) instead of the entry. */
  terminal?: boolean;
  limits: RunLimits;
}

export type OutputStreamName = 'stdout' | 'stderr';

export interface ExitInfo {
  /** The process's exit code, or null when it never ran or never exited by itself. */
  code: number | null;
  /** Signal name that ended the program (e.g. SIGKILL), or ''. */
  signal: string;
  reason: ExitReason;
  durationMs: number;
  /** A sentence for people when reason is not `exited`. */
  message?: string;
}

export interface RunHooks {
  onOutput(stream: OutputStreamName, bytes: Uint8Array): void;
  /** Called exactly once per run, errors included. */
  onExit(exit: ExitInfo): void;
}

export interface RunHandle {
  readonly runId: string;
  /** Stops the run (reason `killed`). Safe to call at any time, any number of times. */
  kill(): void;
  /** Bytes for the program's stdin; ignored once stdin is closed or the run ended. */
  writeStdin(bytes: Uint8Array | string): void;
  closeStdin(): void;
  /** Resolves with what onExit received, once the container is removed. */
  readonly done: Promise<ExitInfo>;
}

/** Limits for a run when the relay sends none: small, since user code is hostile. */
export const DEFAULT_LIMITS: Readonly<RunLimits> = {
  timeoutMs: 10_000,
  memoryBytes: 256 * 1024 * 1024,
  pids: 128,
  cpuMillis: 1000,
  outputBytes: 1024 * 1024,
  diskBytes: 64 * 1024 * 1024,
};

/** Hard bounds any limit is clamped into, whoever sent it. */
export const LIMIT_BOUNDS: Readonly<Record<keyof RunLimits, readonly [number, number]>> = {
  timeoutMs: [100, 10 * 60_000],
  memoryBytes: [32 * 1024 * 1024, 8 * 1024 * 1024 * 1024],
  pids: [16, 4096],
  cpuMillis: [100, 64_000],
  outputBytes: [1024, 256 * 1024 * 1024],
  diskBytes: [1024 * 1024, 8 * 1024 * 1024 * 1024],
};
