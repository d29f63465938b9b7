/** Request helpers shared by the HTTP routes: bearer tokens, room loading, JSON bodies. */
import type { Context, MiddlewareHandler } from 'hono';
import { ErrorCode } from '../../shared/protocol/errors.js';
import type { TokenClaims } from '../../shared/token.js';
import type { TokenSigner } from '../auth/tokens.js';
import { RoomLoadError, type RoomManager } from '../rooms/RoomManager.js';
import type { Storage } from '../storage/Storage.js';
import { admission, type Room } from '../rooms/Room.js';
import { admissionError, HttpError, tokenError } from './errors.js';

const BODY_MAX_BYTES = 64 * 1024;

/** Verifies the bearer token and that it belongs to `roomId`. */
export function authorizeRoom(signer: TokenSigner, c: Context, roomId: string): TokenClaims {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new HttpError(401, ErrorCode.Unauthorised, 'missing "Authorization: Bearer <token>"');
  const result = signer.verify(match[1]!);
  if (!result.ok) throw tokenError(result);
  if (result.claims.room !== roomId)
    throw new HttpError(403, ErrorCode.Forbidden, 'token is for another room');
  return result.claims;
}

/**
 * Turns away a user the owner removed, and share links the owner replaced, on
 * every route under a room. Checks only tokens that verify for this room; the
 * routes themselves still authorize.
 */
export function refuseRemovedUsers(
  signer: TokenSigner,
  rooms: RoomManager,
  storage: Storage,
): MiddlewareHandler {
  return async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    const verified = match ? signer.verify(match[1]!) : null;
    const roomId = c.req.param('roomId');
    if (verified?.ok && verified.claims.room === roomId) {
      // A loaded room's record is current (settings are stored, then applied to it).
      const record = rooms.peek(roomId)?.record ?? (await storage.getRoom(roomId));
      const refusal = record && admissionError(admission(record.policy, verified.claims));
      if (refusal) throw refusal;
    }
    await next();
  };
}

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

export async function readBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > BODY_MAX_BYTES) {
    throw new HttpError(413, ErrorCode.PayloadTooLarge, `body larger than ${BODY_MAX_BYTES} bytes`);
  }
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
