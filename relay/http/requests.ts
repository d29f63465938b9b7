/** Request helpers shared by the HTTP routes: room loading and the body size cap (bodies are checked by schemas: validate.ts). */
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
