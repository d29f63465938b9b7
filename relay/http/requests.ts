/** Request helpers shared by the HTTP routes: room loading, capped JSON bodies, fields. */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { RoomLoadError, type RoomManager } from '../rooms/RoomManager.js';
import type { Room } from '../rooms/Room.js';
import { HttpError, sendError } from './errors.js';

const BODY_MAX_BYTES = 64 * 1024;
/**
 * A refused body is read and dropped up to this much (or this long) before the
 * 413 goes out, so a client that sent a little too much still reads the answer;
 * past it the connection is closed on a client that keeps sending.
 */
const DISCARD_MAX_BYTES = 8 * 1024 * 1024;
const DISCARD_MAX_MS = 1_000;

/** The loaded room, or a 404 / 503 HttpError. */
export async function loadExistingRoom(rooms: RoomManager, roomId: string): Promise<Room> {
  try {
    const room = await rooms.acquire(roomId);
    if (!room) throw new HttpError(404, ErrorCode.RoomNotFound, 'no such room');
    return room;
  } catch (error) {
    if (error instanceof RoomLoadError) throw new HttpError(503, ErrorCode.RoomUnavailable, error.message);
    throw error;
  }
}

/**
 * Refuses a request body past BODY_MAX_BYTES before it is read: at once from
 * its Content-Length, else as soon as that many bytes of a chunked body came in.
 */
export function bodyCap(): MiddlewareHandler {
  return bodyLimit({
    maxSize: BODY_MAX_BYTES,
    onError: async (c) => {
      await discardBody(c);
      // Whatever is left of the body is never read: the connection cannot carry another request.
      c.header('Connection', 'close');
      const message = `body larger than ${BODY_MAX_BYTES} bytes`;
      return sendError(c, new HttpError(413, ErrorCode.PayloadTooLarge, message));
    },
  });
}

/** Reads and drops what is left of a request's body, within DISCARD_MAX_BYTES and DISCARD_MAX_MS. */
function discardBody(c: Context): Promise<void> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableEnded || incoming.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', done);
      incoming.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DISCARD_MAX_MS);
    incoming.on('data', onData);
    incoming.once('end', done);
    incoming.once('error', done);
    incoming.resume();
  });
}

/** The JSON object body (its size is capped by `bodyCap` before it is read). */
export async function readBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, ErrorCode.BadRequest, 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, ErrorCode.BadRequest, 'body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function optionalString(
  body: Record<string, unknown>,
  key: string,
  maxChars: number,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxChars) {
    throw new HttpError(
      400,
      ErrorCode.BadRequest,
      `"${key}" must be a non-empty string of at most ${maxChars} characters`,
    );
  }
  return value.trim();
}

export function optionalInteger(
  body: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new HttpError(400, ErrorCode.BadRequest, `"${key}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}
