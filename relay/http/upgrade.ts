/**
 * WebSocket joins: `/yjs/:roomId?token=...`. Everything is checked before the
 * upgrade (token, room, capacity, load), so a refused client gets an HTTP status
 * and JSON body and never one byte of the document.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { ErrorCode } from '../../shared/protocol/errors.js';
import type { TokenClaims } from '../../shared/token.js';
import type { TokenSigner } from '../auth/tokens.js';
import type { RelayConfig } from '../config.js';
import type { Logger } from '../log.js';
import { Connection } from '../rooms/Connection.js';
import { handleMessage, type MessageContext } from '../rooms/messages.js';
import type { Room } from '../rooms/Room.js';
import { RoomLoadError, type RoomManager } from '../rooms/RoomManager.js';
import { acceptRunner, isRunnerAuthorised } from '../runs/runnerSocket.js';
import type { RunnerHub } from '../runs/RunnerHub.js';
import { ROOM_ID_PATTERN } from './api.js';
import { HttpError, refuseUpgrade, tokenError } from './errors.js';

const PATH_PREFIX = '/yjs/';
const RUNNER_PATH = '/runner';

export interface UpgradeDeps {
  config: RelayConfig;
  rooms: RoomManager;
  signer: TokenSigner;
  wss: WebSocketServer;
  log: Logger;
  /** Every open connection, for the heartbeat. */
  connections: Set<Connection>;
  context: MessageContext;
  hub: RunnerHub;
  runnerToken: string;
}

export function createUpgradeHandler(deps: UpgradeDeps) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => deps.log.debug('ws.socket_error', { error: String(error) }));
    admit(deps, req, socket, head).catch((error: unknown) => {
      const refusal =
        error instanceof HttpError ? error : new HttpError(500, ErrorCode.Internal, 'internal error');
      if (!(error instanceof HttpError)) deps.log.error('ws.upgrade_error', { error: String(error) });
      refuseUpgrade(socket, refusal);
    });
  };
}

async function admit(deps: UpgradeDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay');
  if (url.pathname === RUNNER_PATH) {
    if (!isRunnerAuthorised(req, deps.runnerToken)) {
      throw new HttpError(401, ErrorCode.Unauthorised, 'runners need "Authorization: Bearer <runner token>"');
    }
    deps.wss.handleUpgrade(req, socket, head, (ws) => acceptRunner(ws, deps.hub, deps.log));
    return;
  }
  const roomId = url.pathname.startsWith(PATH_PREFIX) ? url.pathname.slice(PATH_PREFIX.length) : '';
  if (!ROOM_ID_PATTERN.test(roomId)) throw new HttpError(404, ErrorCode.NotFound, 'expected /yjs/:roomId');
  const token = url.searchParams.get('token');
  if (!token) throw new HttpError(401, ErrorCode.Unauthorised, 'missing ?token=');
  const verified = deps.signer.verify(token);
  if (!verified.ok) throw tokenError(verified);
  const claims = verified.claims;
  if (claims.room !== roomId) throw new HttpError(403, ErrorCode.Forbidden, 'token is for another room');

  let room: Room | null;
  try {
    room = await deps.rooms.acquire(roomId);
  } catch (error) {
    if (error instanceof RoomLoadError) throw new HttpError(503, ErrorCode.RoomUnavailable, error.message);
    throw error;
  }
  if (!room) throw new HttpError(404, ErrorCode.RoomNotFound, 'no such room');
  if (room.connections.size >= deps.config.maxConnectionsPerRoom) {
    throw new HttpError(
      429,
      ErrorCode.RoomFull,
      `room full: at most ${deps.config.maxConnectionsPerRoom} connections`,
    );
  }
  if (socket.destroyed) return;
  // No await between here and join: the room cannot be unloaded in between.
  const joined = room;
  deps.wss.handleUpgrade(req, socket, head, (ws) => connect(deps, joined, ws, claims));
}

function connect(deps: UpgradeDeps, room: Room, ws: WebSocket, claims: TokenClaims): void {
  const conn = new Connection(ws, claims, deps.config.sendBufferMaxBytes);
  deps.connections.add(conn);
  ws.on('error', (error) => deps.log.debug('ws.error', { room: room.id, error: String(error) }));
  ws.on('pong', () => {
    conn.alive = true;
  });
  ws.on('message', (data, isBinary) => {
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
      deps.log.error('ws.handler_error', { room: room.id, error: String(error) });
      conn.close(CloseCode.InternalError);
    }
  });
  ws.on('close', () => {
    deps.connections.delete(conn);
    room.leave(conn);
    deps.rooms.releaseIfIdle(room);
  });
  room.join(conn);
}
