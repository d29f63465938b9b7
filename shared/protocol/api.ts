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

/** One run in `GET /api/rooms/:roomId/runs` (newest first). */
export interface StoredRunView extends RunSummary {
  stdout: string;
  stderr: string;
  /** Both streams in the order they arrived. */
  output: { stream: 'stdout' | 'stderr'; text: string }[];
}
