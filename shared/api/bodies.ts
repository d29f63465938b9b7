/**
 * Request bodies of the HTTP API, as valibot schemas: the relay validates with
 * them (Hono's standard-validator middleware, relay/http/validate.ts) and the
 * client types its calls from them. Every message is the sentence the caller
 * gets in its 400 `bad_request` error. Unknown keys are ignored; a key given
 * as null counts as not given.
 */
import * as v from 'valibot';
import { RoomKind } from '../rooms.js';
import { NAME_MAX_CHARS } from '../token.js';

/** Room names, as the relay stores them. */
export const ROOM_NAME_MAX_CHARS = 100;
export const NOT_AN_OBJECT = 'body must be a JSON object';
export const NOT_JSON = 'body is not valid JSON';

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

/** A JSON object (not an array, not null) with these entries. */
function body<E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      NOT_AN_OBJECT,
    ),
    v.object(entries, NOT_AN_OBJECT),
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
