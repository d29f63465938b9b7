/**
 * Answer bodies of the HTTP API, as valibot schemas. The relay's handlers are
 * typed by them (`Answer<typeof X>` is what a route must return), the client
 * parses every answer with them (a relay of another version that sends
 * something else is a clear error, not a crash later), and
 * relay/test/answers.test.ts parses a real relay's answer to every route.
 * Unknown keys are dropped: a newer relay may add fields.
 */
import * as v from 'valibot';
import { OUTPUT_STREAM_NAMES } from '../protocol/outputLog.js';
import { Role } from '../roles.js';
import { RoomSettingsSchema } from '../rooms.js';

export type Answer<S extends v.GenericSchema> = v.InferInput<S>;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const time = count;
const RoleSchema = v.picklist(Object.values(Role));

/**
 * `POST /api/rooms/:roomId/previews/:previewId/ticket`: where a page enters a
 * preview. `url` is on the preview's own origin and carries a ticket that is
 * good for a minute and once turns into that origin's cookie; `path` is
 * appended as `&to=` by the caller.
 */
export const PreviewTicketAnswer = v.object({ url: v.string(), origin: v.string(), expiresAt: time });

/** `GET /healthz` */
export const HealthAnswer = v.object({
  ok: v.literal(true),
  rooms: count,
  connections: count,
  heldUpdateBytes: count,
  rssBytes: count,
  heapUsedBytes: count,
  droppedSignals: count,
  /** With REDIS_URL: whether the relays' bus is up (down: rooms go on here, unshared). */
  cluster: v.optional(
    v.object({
      redis: v.picklist(['up', 'down']),
      /** Runs of this relay's rooms executing on another relay's runners, and others' executing here. */
      runsAway: v.pipe(v.number(), v.integer()),
      runsHosted: v.pipe(v.number(), v.integer()),
    }),
  ),
});

/** `GET /api/templates` */
export const TemplatesAnswer = v.array(
  v.object({
    id: v.string(),
    name: v.string(),
    /** Null for the empty template. */
    language: v.nullable(v.string()),
    entry: v.nullable(v.string()),
    /** A web project's dev server command (it opens with its preview); null otherwise. */
    dev: v.optional(v.nullable(v.string()), null),
  }),
);

/** `POST /api/rooms`, `/fork` and `/history/fork` (201). */
export const CreatedRoomAnswer = v.object({
  roomId: v.string(),
  /** The owner's token. */
  token: v.string(),
  /** An interview room's links add `interviewer`; `edit` is then the candidate's. */
  links: v.object({ edit: v.string(), view: v.string(), interviewer: v.optional(v.string()) }),
});
export type CreatedRoom = v.InferOutput<typeof CreatedRoomAnswer>;

/** `POST /tokens` and `/join` (201). */
export const TokenAnswer = v.object({ token: v.string() });

/** `POST /api/rooms/:roomId/links`: a short share link (`/j/<code>`). */
export const ShortLinkAnswer = v.object({ code: v.string(), url: v.string() });

/** `GET /ice`: ICE servers with this user's TURN credentials. */
export const IceAnswer = v.object({
  iceServers: v.array(
    v.object({
      urls: v.union([v.string(), v.array(v.string())]),
      username: v.optional(v.string()),
      credential: v.optional(v.string()),
    }),
  ),
  iceTransportPolicy: v.picklist(['all', 'relay']),
  /** Seconds since the epoch after which the TURN credentials stop working; null without TURN. */
  expiresAt: v.nullable(time),
});

/** `GET /files` */
export const FilesAnswer = v.array(
  v.object({
    id: v.string(),
    /** The path to show: the stored path, with a suffix when two files claim one path. */
    path: v.string(),
    /** UTF-8 bytes of the text. */
    size: count,
    storedPath: v.optional(v.string()),
  }),
);

const ParticipantSchema = v.object({
  userId: v.string(),
  name: v.string(),
  role: RoleSchema,
  online: v.boolean(),
  canEdit: v.boolean(),
});
export type Participant = v.InferOutput<typeof ParticipantSchema>;

/** `GET /api/rooms/:roomId`: the room as the caller may see it. */
export const RoomAnswer = v.object({
  id: v.string(),
  createdAt: time,
  settings: RoomSettingsSchema,
  you: v.object({
    userId: v.string(),
    name: v.string(),
    role: RoleSchema,
    canEdit: v.boolean(),
    /** Why not, in words for the person; null when they may edit. */
    reason: v.nullable(v.string()),
    /** May read the interviewers' private notes. */
    notes: v.boolean(),
  }),
  participants: v.array(ParticipantSchema),
});
export type RoomInfo = v.InferOutput<typeof RoomAnswer>;

/** The owner's changes (`PATCH`, `/editors`, `/end`, `/driver`) answer with the new settings. */
export const SettingsAnswer = v.object({ settings: RoomSettingsSchema });

/** `POST /kick` and `/links/reset`: connections closed and the share links' new generation. */
export const ClosedAnswer = v.object({ closed: count, linkGeneration: count });

/** `POST /restore` */
export const RestoreAnswer = v.object({
  restoredTo: count,
  /** The log entry the restore was stored as; null when nothing changed. */
  seq: v.nullable(count),
  files: count,
  created: count,
  deleted: count,
  changed: count,
});

/** `GET /api/runners`: which languages can run right now. */
export const RunnersAnswer = v.object({
  runners: count,
  /** Live workspaces the connected runners can still start. */
  workspaces: count,
  languages: v.array(
    v.object({
      id: v.string(),
      name: v.string(),
      entry: v.string(),
      /** False while no connected runner can run it (none connected, Docker down, image missing). */
      available: v.boolean(),
      /**
       * While it is unavailable and a runner lacks its image: how far the build is
       * (0-100) and at what step, or why it cannot be built there (`problem`, with the fix).
       */
      preparing: v.nullable(v.object({ percent: count, what: v.string(), problem: v.string() })),
    }),
  ),
});
export type RunnerLanguage = v.InferOutput<typeof RunnersAnswer>['languages'][number];

const StreamSchema = v.picklist(OUTPUT_STREAM_NAMES);
const exitEntries = {
  exitCode: v.nullable(v.number()),
  signal: v.string(),
  reason: v.string(),
  durationMs: count,
  message: v.string(),
};

/** `POST /runs` without `accept: application/x-ndjson`: the whole run at once. */
export const RunAnswer = v.object({
  runId: v.string(),
  ...exitEntries,
  stdout: v.string(),
  stderr: v.string(),
});

/** `POST /runs` with `accept: application/x-ndjson`: one of these per line. */
export const RunEvent = v.variant('type', [
  v.object({
    type: v.literal('started'),
    runId: v.string(),
    language: v.string(),
    entry: v.string(),
    startedAt: time,
  }),
  v.object({ type: v.literal('output'), stream: StreamSchema, text: v.string() }),
  v.object({ type: v.literal('exit'), ...exitEntries }),
]);

/** `GET /runs`: the room's stored runs, newest first, output capped. */
export const StoredRunsAnswer = v.array(
  v.object({
    runId: v.string(),
    /** Who started it: token user id and display name. */
    userId: v.string(),
    name: v.string(),
    language: v.string(),
    entry: v.string(),
    startedAt: time,
    endedAt: time,
    ...exitEntries,
    outputTruncated: v.boolean(),
    stdout: v.string(),
    stderr: v.string(),
    /** Both streams in the order they arrived. */
    output: v.array(v.object({ stream: StreamSchema, text: v.string() })),
  }),
);
export type StoredRun = v.InferOutput<typeof StoredRunsAnswer>[number];

/** `GET /env`: the names of the room's variables; the relay never answers with a value. */
export const EnvNamesAnswer = v.object({ names: v.array(v.string()) });

/** Every error: status 4xx or 5xx. */
export const ErrorAnswer = v.object({ error: v.object({ code: v.string(), message: v.string() }) });
