/** JSON errors for the HTTP API and refused WebSocket upgrades: `{ error: { code, message } }`. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCode, type ErrorBody } from '../../shared/protocol/errors.js';
import type { VerifyResult } from '../auth/tokens.js';
import { HTTPException } from 'hono/http-exception';
import { NOT_JSON } from '../../shared/api/bodies.js';
import type { Logger } from '../../server/log.js';

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * The relay's one HTTP error handler (set on the top-level app, so every route
 * group answers errors as JSON): typed errors as they are, anything else as a
 * logged 500 that says nothing of the cause.
 */
export function errorHandler(log: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof HttpError) return sendError(c, error);
    // Hono's own: the JSON validator's unparsable body.
    if (error instanceof HTTPException && error.status === 400) {
      return sendError(c, new HttpError(400, ErrorCode.BadRequest, NOT_JSON));
    }
    (c.get('log') ?? log).error('http.error', { method: c.req.method, url: c.req.path, err: error });
    return sendError(c, new HttpError(500, ErrorCode.Internal, 'internal error'));
  };
}

export function sendError(c: Context, error: HttpError): Response {
  return c.json(errorBody(error.code, error.message), error.status);
}

/** Answers an upgrade request with an HTTP error and closes the socket: no WebSocket, no document byte. */
export function refuseUpgrade(socket: Duplex, error: HttpError): void {
  const body = JSON.stringify(errorBody(error.code, error.message));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** The HTTP error for a token that failed verification. */
export function tokenError(result: Exclude<VerifyResult, { ok: true }>): HttpError {
  return result.reason === 'expired'
    ? new HttpError(401, ErrorCode.TokenExpired, 'token expired: ask for a new link')
    : new HttpError(401, ErrorCode.Unauthorised, 'invalid token');
}

/** A user the owner removed, trying to come back. */
export function removedError(): HttpError {
  return new HttpError(403, ErrorCode.Removed, 'you were removed from this room by the owner');
}

/** The refusal for claims a room does not admit (see Room.admits), or null. */
export function admissionError(admission: 'ok' | 'removed' | 'link_replaced'): HttpError | null {
  if (admission === 'removed') return removedError();
  if (admission === 'link_replaced') {
    return new HttpError(
      403,
      ErrorCode.LinkReplaced,
      'the owner replaced this link with a new one: ask them for the new link',
    );
  }
  return null;
}
