/**
 * Error codes that cross the wire, in HTTP bodies (`{ error: { code, message } }`)
 * and in `error` messages on the socket, so a client can show a sentence rather
 * than a stack.
 */
export const ErrorCode = {
  BadRequest: 'bad_request',
  Unauthorised: 'unauthorised',
  TokenExpired: 'token_expired',
  Forbidden: 'forbidden',
  /** The owner removed this user from the room. */
  Removed: 'removed',
  /** A share link the owner has since replaced with new ones. */
  LinkReplaced: 'link_replaced',
  ReadOnly: 'read_only',
  /** A chat post refused: the owner muted the chat, or the room ended (editing rights aside). */
  ChatClosed: 'chat_closed',
  /** The room's document reached TANDEM_MAX_DOCUMENT_BYTES: the update that would grow it was refused. */
  DocumentTooLarge: 'document_too_large',
  /** The relay cannot store changes now (its disk is full): it acknowledges nothing until it can. */
  NotSaved: 'not_saved',
  NotFound: 'not_found',
  RoomNotFound: 'room_not_found',
  RoomFull: 'room_full',
  RateLimited: 'rate_limited',
  PayloadTooLarge: 'payload_too_large',
  RoomUnavailable: 'room_unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);
const ERROR_CODE_SET = new Set<string>(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODE_SET.has(value);
}
