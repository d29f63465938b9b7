/**
 * Code intelligence from the room's socket: a request for the workspace's
 * language server. Reading, so viewers may ask too; the checks (allow-list,
 * path, size, rate, whose text) are in relay/workspaces/LanguageRequests.ts,
 * and every request is answered there, refusals included, with the socket kept.
 */
import type { MessageOf } from '../../shared/protocol/table.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import type { Workspaces } from '../workspaces/Workspaces.js';
import { requireHello } from './sessionHandlers.js';

export function handleLspRequest(
  room: Room,
  conn: Connection,
  message: MessageOf<'LspRequest'>,
  workspaces: Workspaces,
): void {
  requireHello(conn, 'code intelligence requests');
  workspaces.languages.request(room, conn, message);
}
