/**
 * WebSocket joins: `/yjs/:roomId?token=...`. Everything is checked before the
 * upgrade (token, room, capacity, load), so a refused client gets an HTTP status
 * and JSON body and never one byte of the document.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { canReadNotes, Role } from '../../shared/roles.js';
import { RoomKind } from '../../shared/rooms.js';
import type { TokenClaims } from '../../shared/token.js';
import type { TokenSigner } from '../auth/tokens.js';
import type { RelayConfig } from '../config.js';
import type { Logger } from '../../server/log.js';
import { Connection } from '../rooms/Connection.js';
import type { MessageContext } from '../socket/context.js';
import { handleMessage } from '../socket/dispatch.js';
import type { Room } from '../rooms/Room.js';
import { RoomLoadError, type RoomManager } from '../rooms/RoomManager.js';
import { acceptRunner, isRunnerAuthorised } from '../runs/runnerSocket.js';
import type { RunnerHub } from '../runs/RunnerHub.js';
import type { Workspaces } from '../workspaces/Workspaces.js';
import type { Storage } from '../storage/Storage.js';
import { ROOM_ID_PATTERN } from '../../shared/rooms.js';
import { admissionError, HttpError, refuseUpgrade, tokenError } from './errors.js';
import { notesRoomId } from '../rooms/notes.js';
import { checkUpgradeOrigin } from './origins.js';
import type { AddressLimiter } from './rateLimit.js';

const PATH_PREFIX = '/yjs/';
const NOTES_SUFFIX = '/notes';
const RUNNER_PATH = '/runner';

export interface UpgradeDeps {
  config: RelayConfig;
  rooms: RoomManager;
  storage: Storage;
  signer: TokenSigner;
  wss: WebSocketServer;
  log: Logger;
  /** Every open connection, for the heartbeat. */
  connections: Set<Connection>;
  /** Open room sockets per client address. */
  perAddress: Map<string, number>;
  context: MessageContext;
  hub: RunnerHub;
  workspaces: Workspaces;
  runnerToken: string;
  /** Room sockets per client address per minute (TANDEM_JOINS_PER_MINUTE). */
  joins: AddressLimiter;
}

export function createUpgradeHandler(deps: UpgradeDeps) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => deps.log.debug('ws.socket_error', { err: error }));
    admit(deps, req, socket, head).catch((error: unknown) => {
      const refusal =
        error instanceof HttpError ? error : new HttpError(500, ErrorCode.Internal, 'internal error');
      if (!(error instanceof HttpError)) deps.log.error('ws.upgrade_error', { err: error });
      deps.context.metrics.refusedJoin(refusal.code);
      refuseUpgrade(socket, refusal);
    });
  };
}

async function admit(deps: UpgradeDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  checkUpgradeOrigin(req, deps.config);
  const url = new URL(req.url ?? '/', 'http://relay');
  if (url.pathname === RUNNER_PATH) {
    if (!isRunnerAuthorised(req, deps.runnerToken)) {
      throw new HttpError(401, ErrorCode.Unauthorised, 'runners need "Authorization: Bearer <runner token>"');
    }
    deps.wss.handleUpgrade(req, socket, head, (ws) => acceptRunner(ws, deps.hub, deps.workspaces, deps.log));
    return;
  }
  const target = parseDocPath(url.pathname);
  if (!target) throw new HttpError(404, ErrorCode.NotFound, 'expected /yjs/:roomId or /yjs/:roomId/notes');
  // Before the token is even read: a flood of joins costs the relay nothing more.
  deps.joins.take(req.socket.remoteAddress ?? 'unknown');
  const { roomId, notes } = target;
  const token = url.searchParams.get('token');
  if (!token) throw new HttpError(401, ErrorCode.Unauthorised, 'missing ?token=');
  const verified = deps.signer.verify(token);
  if (!verified.ok) throw tokenError(verified);
  const claims = verified.claims;
  if (claims.room !== roomId) throw new HttpError(403, ErrorCode.Forbidden, 'token is for another room');

  let room: Room | null;
  try {
    room = await deps.rooms.acquire(roomId);
    const refusal = room && admissionError(room.controls.admits(claims));
    if (refusal) throw refusal;
    if (room && notes) room = await openNotes(deps, room, claims);
  } catch (error) {
    if (error instanceof RoomLoadError) throw new HttpError(503, ErrorCode.RoomUnavailable, error.message);
    throw error;
  }
  if (!room) throw new HttpError(404, ErrorCode.RoomNotFound, 'no such room');
  const limit = roomLimit(claims.role, deps.config.maxConnectionsPerRoom);
  // Counted on every relay sharing the room (approximate there: a few seconds old).
  if (room.connectionsEverywhere >= limit) {
    throw new HttpError(429, ErrorCode.RoomFull, `room full: at most ${limit} connections`);
  }
  const address = req.socket.remoteAddress ?? 'unknown';
  const perAddressMax = deps.config.maxConnectionsPerAddress;
  if (perAddressMax > 0 && (deps.perAddress.get(address) ?? 0) >= perAddressMax) {
    throw new HttpError(
      429,
      ErrorCode.RateLimited,
      `too many connections from your address: at most ${perAddressMax} at once`,
    );
  }
  if (socket.destroyed) return;
  // No await between here and join: the room cannot be unloaded in between.
  const joined = room;
  deps.perAddress.set(address, (deps.perAddress.get(address) ?? 0) + 1);
  let counted = true;
  const release = () => {
    if (!counted) return;
    counted = false;
    const left = (deps.perAddress.get(address) ?? 1) - 1;
    if (left > 0) deps.perAddress.set(address, left);
    else deps.perAddress.delete(address);
  };
  socket.once('close', release);
  deps.wss.handleUpgrade(req, socket, head, (ws) => connect(deps, joined, ws, claims));
}

/**
 * Sockets a room takes before it refuses someone of `role`: viewers fill it to
 * `max`; editors may go a fifth further and the owner two fifths, so a crowd of
 * viewers (or of editors) never locks out the people running the room.
 */
export function roomLimit(role: Role, max: number): number {
  const reserve = Math.max(2, Math.ceil(max / 5));
  if (role === Role.Viewer) return max;
  if (role === Role.Owner) return max + 2 * reserve;
  return max + reserve;
}

/** `/yjs/:roomId` (the project) or `/yjs/:roomId/notes` (an interview's private notes). */
function parseDocPath(pathname: string): { roomId: string; notes: boolean } | null {
  if (!pathname.startsWith(PATH_PREFIX)) return null;
  const rest = pathname.slice(PATH_PREFIX.length);
  const notes = rest.endsWith(NOTES_SUFFIX);
  const roomId = notes ? rest.slice(0, -NOTES_SUFFIX.length) : rest;
  return ROOM_ID_PATTERN.test(roomId) ? { roomId, notes } : null;
}

/**
 * The private notes of an interview room: a document of its own (created on first
 * use), opened only with an interviewer's token. A candidate is refused before the
 * upgrade, so not one byte of it can reach their socket.
 */
async function openNotes(deps: UpgradeDeps, room: Room, claims: TokenClaims): Promise<Room | null> {
  if (room.controls.record.policy.kind !== RoomKind.Interview) {
    throw new HttpError(404, ErrorCode.NotFound, 'only interview rooms have private notes');
  }
  if (!canReadNotes(claims.role)) {
    throw new HttpError(403, ErrorCode.Forbidden, 'the private notes are for interviewers only');
  }
  const notesId = notesRoomId(room.id);
  if (!(await deps.storage.getRoom(notesId))) {
    const { ownerId, template } = room.controls.record;
    await deps.storage
      .createRoom({ id: notesId, name: 'Private notes', ownerId, createdAt: Date.now(), template }, null)
      // Two interviewers opening the notes at once: one creates them, the other finds them.
      .catch(async (error: unknown) => {
        if (!(await deps.storage.getRoom(notesId))) throw error;
      });
  }
  return deps.rooms.acquire(notesId);
}

function connect(deps: UpgradeDeps, room: Room, ws: WebSocket, claims: TokenClaims): void {
  const log = deps.log.child({ conn: randomUUID(), room: room.id, user: claims.uid });
  const conn = new Connection(ws, claims, deps.config.sendBufferMaxBytes, deps.config.closeGraceMs, log);
  deps.connections.add(conn);
  log.debug('ws.open', { role: claims.role });
  ws.on('error', (error) => log.debug('ws.error', { err: error }));
  ws.on('pong', () => {
    conn.alive = true;
  });
  ws.on('message', (data, isBinary) => {
    if (conn.closing) return; // closed for a reason already: nothing it says counts now
    if (!isBinary) {
      conn.close(CloseCode.MalformedMessage, 'malformed message: text frames are not part of the protocol');
      return;
    }
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    try {
      handleMessage(
        room,
        conn,
        new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
        deps.context,
      );
    } catch (error) {
      log.error('ws.handler_error', { err: error });
      conn.close(CloseCode.InternalError);
    }
  });
  ws.on('close', (code) => {
    log.debug('ws.close', { code });
    deps.context.metrics.closed(code);
    deps.connections.delete(conn);
    room.leave(conn);
    deps.rooms.releaseIfIdle(room);
  });
  room.join(conn);
  room.controls.users.add(claims.uid);
  deps.storage
    .recordUser(room.id, { uid: claims.uid, name: claims.name, role: claims.role, at: Date.now() })
    .catch((error: unknown) => log.warn('room.record_user_failed', { err: error }));
}
