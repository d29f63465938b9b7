/**
 * The body of `workspaceStatus` (relay -> client): the room's live workspace as
 * everyone sees it. Sent after `welcome` and on every change (starting,
 * running, usage, shells opened and closed, a notice). JSON, validated here.
 */
import * as v from 'valibot';
import { ProtocolError } from './fields.js';

export const WorkspaceState = {
  /** No workspace: nobody opened one, or it stopped (idle, lifetime, by hand). */
  Off: 'off',
  Starting: 'starting',
  Running: 'running',
  Stopping: 'stopping',
  /** It could not start or it died; `reason` says why. */
  Failed: 'failed',
} as const;
export type WorkspaceState = (typeof WorkspaceState)[keyof typeof WorkspaceState];

const SHORT = 256;
const short = v.pipe(v.string(), v.maxLength(SHORT));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const WorkspacePayloadSchema = v.object({
  state: v.picklist(Object.values(WorkspaceState)),
  /** Why it is off or failed, in words for people; '' when there is nothing to say. */
  reason: v.pipe(v.string(), v.maxLength(1024)),
  startedBy: v.nullable(v.object({ userId: short, name: short })),
  /** ms since the epoch, relay clock; 0 when not running. */
  startedAt: count,
  memoryBytes: count,
  memoryLimitBytes: count,
  /** Tenths of a percent of one core. */
  cpuPermille: count,
  shells: v.pipe(v.array(v.object({ shellId: short, openedBy: short, openedAt: count })), v.maxLength(64)),
  /** Ports programs listen on in the workspace, each served on its own origin. */
  previews: v.pipe(
    v.array(
      v.object({
        port: count,
        previewId: v.pipe(v.string(), v.regex(/^[a-z0-9]{1,40}$/)),
        /** The preview's origin; pages enter it through a ticket (POST .../previews/:previewId/ticket). */
        origin: short,
      }),
    ),
    v.maxLength(64),
  ),
  /** The dev server (a command on a terminal that everyone sees), or null. */
  devServer: v.nullable(
    v.object({
      shellId: short,
      command: v.pipe(v.string(), v.maxLength(1024)),
      startedBy: short,
      /** Running, or how it ended with the last lines it printed. */
      state: v.picklist(['running', 'exited']),
      code: v.nullable(v.number()),
      lastLines: v.pipe(v.string(), v.maxLength(4096)),
    }),
  ),
  /** Recent notices (files refused, caps reached), newest last. */
  notices: v.pipe(v.array(v.pipe(v.string(), v.maxLength(1024))), v.maxLength(16)),
});

export type WorkspacePayload = v.InferOutput<typeof WorkspacePayloadSchema>;

export function parseWorkspacePayload(value: unknown): WorkspacePayload {
  const result = v.safeParse(WorkspacePayloadSchema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  throw new ProtocolError(`workspaceStatus.${v.getDotPath(issue) ?? ''}: ${issue.message}`);
}
