/**
 * Request bodies of the HTTP API, as valibot schemas: the relay validates with
 * them (Hono's standard-validator middleware, relay/http/validate.ts) and the
 * client types its calls from them. Every message is the sentence the caller
 * gets in its 400 `bad_request` error. Unknown keys are ignored; a key given
 * as null counts as not given.
 */
import * as v from 'valibot';
import { LANGUAGES } from '../languages.js';
import { ENV_VALUE_MAX_CHARS } from '../protocol/api.js';
import { DRIVER_PERIOD_MAX_MS, DRIVER_PERIOD_MIN_MS, RoomKind, RoomMode, isUserId } from '../rooms.js';
import { PATH_MAX_CHARS } from '../schema/paths.js';
import { NAME_MAX_CHARS } from '../token.js';

/** Room names, as the relay stores them. */
export const ROOM_NAME_MAX_CHARS = 100;
export const NOT_AN_OBJECT = 'body must be a JSON object';
export const NOT_JSON = 'body is not valid JSON';
const LANGUAGE_IDS = LANGUAGES.map((language) => language.id);

/** An optional non-empty string of at most `max` characters, trimmed. */
function optionalText(key: string, max: number) {
  const message = `"${key}" must be a non-empty string of at most ${max} characters`;
  return v.nullish(
    v.pipe(
      v.string(message),
      v.check((text) => text.trim() !== '' && text.length <= max, message),
      v.transform((text) => text.trim()),
    ),
  );
}

/** An optional whole number from `min` to `max`. */
function wholeNumber(key: string, min: number, max: number) {
  const message = `"${key}" must be a whole number from ${min} to ${max}`;
  return v.nullish(
    v.pipe(
      v.number(message),
      v.check((n) => Number.isSafeInteger(n) && n >= min && n <= max, message),
    ),
  );
}

/**
 * A JSON object (not an array, not null) with these entries. `missing` gives the
 * sentence for each required key when it is absent (valibot reports a missing key
 * through the object's message).
 */
function body<E extends v.ObjectEntries>(entries: E, missing: { [K in keyof E]?: string } = {}) {
  const sentences: Record<string, string | undefined> = missing;
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      NOT_AN_OBJECT,
    ),
    v.object(entries, (issue) => sentences[(issue.expected ?? '').replace(/^"|"$/g, '')] ?? NOT_AN_OBJECT),
  );
}

/** `POST /api/rooms` */
export const CreateRoomBody = body({
  name: optionalText('name', ROOM_NAME_MAX_CHARS),
  ownerName: optionalText('ownerName', NAME_MAX_CHARS),
  template: optionalText('template', 64),
  kind: v.nullish(v.picklist([RoomKind.Pair, RoomKind.Interview], 'kind must be "pair" or "interview"')),
});
export type CreateRoomBody = v.InferInput<typeof CreateRoomBody>;

/** `POST /api/rooms/:roomId/fork` */
export const ForkBody = body({ name: optionalText('name', ROOM_NAME_MAX_CHARS) });
export type ForkBody = v.InferInput<typeof ForkBody>;

/** `POST /api/rooms/:roomId/join`: the name to go by (default: the token's). */
export const JoinBody = body({ name: optionalText('name', NAME_MAX_CHARS) });
export type JoinBody = v.InferInput<typeof JoinBody>;

/** `POST /api/rooms/:roomId/restore` */
const SEQ = wholeNumber('seq', 1, Number.MAX_SAFE_INTEGER);
const SEQ_REQUIRED = '"seq" is required: the log entry to go back to';
export const RestoreBody = v.pipe(
  body({ seq: SEQ }),
  v.check(({ seq }) => seq !== undefined && seq !== null, SEQ_REQUIRED),
  v.transform(({ seq }) => ({ seq: seq as number })),
);
export type RestoreBody = v.InferInput<typeof RestoreBody>;

/** `POST /api/rooms/:roomId/history/fork`: a past state into a new room. */
export const HistoryForkBody = v.pipe(
  body({ seq: SEQ, name: optionalText('name', ROOM_NAME_MAX_CHARS) }),
  v.check(({ seq }) => seq !== undefined && seq !== null, SEQ_REQUIRED),
  v.transform(({ seq, name }) => ({ seq: seq as number, name })),
);
export type HistoryForkBody = v.InferInput<typeof HistoryForkBody>;

/** `PATCH /api/rooms/:roomId`: a new name, mode, history or chat setting (at least one). */
export const RoomPatchBody = v.pipe(
  body({
    name: optionalText('name', ROOM_NAME_MAX_CHARS),
    mode: v.nullish(v.picklist([RoomMode.Open, RoomMode.Classroom], 'mode must be "open" or "classroom"')),
    historyForAll: v.nullish(v.boolean('"historyForAll" must be true or false')),
    chatMuted: v.nullish(v.boolean('"chatMuted" must be true or false')),
    followOwner: v.nullish(v.boolean('"followOwner" must be true or false')),
  }),
  v.check(
    ({ name, mode, historyForAll, chatMuted, followOwner }) =>
      (name ?? mode ?? historyForAll ?? chatMuted ?? followOwner ?? null) !== null,
    'nothing to change: give "name", "mode", "historyForAll", "chatMuted" and/or "followOwner"',
  ),
);
export type RoomPatchBody = v.InferInput<typeof RoomPatchBody>;

const flagOf = (key: string) => v.nullish(v.boolean(`"${key}" must be true or false`));

/** `POST /api/rooms/:roomId/kick`: remove a user, and maybe replace the share links in the same step. */
const USER_ID_MESSAGE = '"userId" must be a user id';
export const KickBody = body(
  { userId: v.custom<string>(isUserId, USER_ID_MESSAGE), resetLinks: flagOf('resetLinks') },
  { userId: USER_ID_MESSAGE },
);
export type KickBody = v.InferInput<typeof KickBody>;

const MINUTE_MS = 60_000;
const MINUTES_MESSAGE = `"minutes" must be from ${DRIVER_PERIOD_MIN_MS / MINUTE_MS} to ${DRIVER_PERIOD_MAX_MS / MINUTE_MS}`;

/** `PUT /api/rooms/:roomId/driver`: driver first, then navigator, swapping every `minutes`. */
const PAIR_MESSAGE = '"userIds" must be two different user ids';
export const DriverBody = body(
  {
    userIds: v.custom<[string, string]>(
      (ids) => Array.isArray(ids) && ids.length === 2 && ids.every(isUserId) && ids[0] !== ids[1],
      PAIR_MESSAGE,
    ),
    minutes: v.pipe(
      v.number(MINUTES_MESSAGE),
      v.check((minutes) => {
        const periodMs = Math.round(minutes * MINUTE_MS);
        return periodMs >= DRIVER_PERIOD_MIN_MS && periodMs <= DRIVER_PERIOD_MAX_MS;
      }, MINUTES_MESSAGE),
    ),
  },
  { userIds: PAIR_MESSAGE, minutes: MINUTES_MESSAGE },
);
export type DriverBody = v.InferInput<typeof DriverBody>;

/** Standard input of an HTTP run. */
export const STDIN_MAX_CHARS = 1024 * 1024;

/** `POST /api/rooms/:roomId/runs`: run the room's files once and wait for the result. */
const LANGUAGE_MESSAGE = `"language" must be one of ${LANGUAGE_IDS.join(', ')}`;
export const RunBody = body(
  {
    language: v.picklist(LANGUAGE_IDS, LANGUAGE_MESSAGE),
    entry: optionalText('entry', PATH_MAX_CHARS),
    stdin: v.nullish(
      v.pipe(
        v.string(`"stdin" must be a string of at most ${STDIN_MAX_CHARS} characters`),
        v.maxLength(STDIN_MAX_CHARS, `"stdin" must be a string of at most ${STDIN_MAX_CHARS} characters`),
      ),
    ),
  },
  { language: LANGUAGE_MESSAGE },
);
export type RunBody = v.InferInput<typeof RunBody>;

/** `PUT /api/rooms/:roomId/env/:name`: the variable's value (stored sealed, never sent back). */
const VALUE_MESSAGE = `"value" must be a string of at most ${ENV_VALUE_MAX_CHARS} characters`;
export const EnvValueBody = body(
  { value: v.pipe(v.string(VALUE_MESSAGE), v.maxLength(ENV_VALUE_MAX_CHARS, VALUE_MESSAGE)) },
  { value: VALUE_MESSAGE },
);
export type EnvValueBody = v.InferInput<typeof EnvValueBody>;

/**
 * `POST /api/rooms/:roomId/tokens`. Which roles may be asked for depends on the
 * room's kind, and the longest lifetime on the relay's configuration: the route
 * checks those two itself.
 */
export const TokenBody = body({
  role: v.nullish(v.unknown()),
  name: optionalText('name', NAME_MAX_CHARS),
  ttlSeconds: v.nullish(v.unknown()),
  link: flagOf('link'),
});
export type TokenBody = v.InferInput<typeof TokenBody>;

/** `POST /api/rooms/:roomId/links` */
export const ShortLinkBody = body({ role: v.nullish(v.unknown()) });
export type ShortLinkBody = v.InferInput<typeof ShortLinkBody>;
