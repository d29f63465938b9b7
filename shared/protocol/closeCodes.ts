/**
 * WebSocket close codes the relay uses, each with its fixed reason. Joins that can
 * be refused before the upgrade get an HTTP status instead (see `ErrorCode`); these
 * are for what goes wrong after it.
 *
 * 4400-4499 are permanent: the official y-websocket client stops reconnecting on
 * them (a bad token or a broken client will not get better by retrying). 4500-4599
 * are temporary: the client reconnects with backoff. A missing room or a full one
 * is refused before the upgrade (404, 429), so neither has a close code.
 */
export const CloseCode = {
  /** The server is shutting down or restarting; reconnect. (RFC 6455) */
  GoingAway: 1001,
  /** A frame exceeded the size limit; sent by the WebSocket layer. (RFC 6455) */
  MessageTooLarge: 1009,
  /** The relay hit a bug handling a message; the socket is closed, the relay carries on. (RFC 6455) */
  InternalError: 1011,
  MalformedMessage: 4400,
  TokenExpired: 4401,
  Forbidden: 4403,
  PongTimeout: 4508,
  ProtocolMismatch: 4409,
  /** The owner removed this user from the room; their token no longer joins it. */
  Removed: 4410,
  /** An update broke a rule of the room (nesting, chat attribution, file paths); it was not applied. */
  UpdateRefused: 4422,
  SlowConsumer: 4530,
  /** Too many of this client's updates wait for changes the relay never received; reconnecting resyncs. */
  UpdatesWaiting: 4531,
  RoomUnavailable: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const CloseReason: Record<CloseCode, string> = {
  [CloseCode.GoingAway]: 'server going away',
  [CloseCode.MessageTooLarge]: 'message too large',
  [CloseCode.InternalError]: 'internal error',
  [CloseCode.MalformedMessage]: 'malformed message',
  [CloseCode.TokenExpired]: 'token expired',
  [CloseCode.Forbidden]: 'forbidden',
  [CloseCode.PongTimeout]: 'no pong within the timeout',
  [CloseCode.ProtocolMismatch]: 'protocol version mismatch',
  [CloseCode.Removed]: 'removed from the room by the owner',
  [CloseCode.SlowConsumer]: 'send buffer full: client too slow',
  [CloseCode.UpdatesWaiting]: 'too many updates waiting for changes the relay never received',
  [CloseCode.UpdateRefused]: 'update refused',
  [CloseCode.RoomUnavailable]: 'room could not be loaded',
};
