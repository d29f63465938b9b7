/** Shapes of HTTP API answers that both the relay and the client rely on. */

/** What is known of a finished run besides its output. */
export interface RunSummary {
  runId: string;
  /** Who started it: token user id and display name. */
  userId: string;
  name: string;
  language: string;
  entry: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt: number;
  exitCode: number | null;
  signal: string;
  reason: string;
  durationMs: number;
  message: string;
  outputTruncated: boolean;
}

/** Rules for a room's environment variables (the relay enforces them; clients check first). */
export const ENV_NAME_MAX_CHARS = 128;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Counted in UTF-16 code units, as JavaScript counts string length. */
export const ENV_VALUE_MAX_CHARS = 32 * 1024;
export const ENV_VARS_PER_ROOM_MAX = 100;
