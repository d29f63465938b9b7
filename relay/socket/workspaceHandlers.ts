/**
 * The workspace, its shells and its dev server from the room's socket.
 * Opening, stopping, opening a shell, typing, resizing and closing one,
 * starting and stopping the dev server all need the edit right
 * now, checked on every message: a viewer watches, and a classroom editor
 * whose right is revoked loses the shell's keyboard with the next keystroke.
 */
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType, type MessageOf } from '../../shared/protocol/table.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import type { Workspaces } from '../workspaces/Workspaces.js';
import { requireHello } from './sessionHandlers.js';

type WorkspaceMessage =
  | MessageOf<'WorkspaceStart'>
  | MessageOf<'WorkspaceStop'>
  | MessageOf<'ShellOpen'>
  | MessageOf<'ShellInput'>
  | MessageOf<'ShellResize'>
  | MessageOf<'ShellClose'>
  | MessageOf<'DevServerStart'>
  | MessageOf<'DevServerStop'>;

export function handleWorkspace(
  room: Room,
  conn: Connection,
  message: WorkspaceMessage,
  workspaces: Workspaces,
): void {
  requireHello(conn, 'workspace messages');
  const right = room.controls.editRight(conn.claims);
  if (!right.canEdit) {
    // Keystrokes are many: one error per refused shell message would flood; they are just dropped.
    if (message.type === MessageType.ShellInput || message.type === MessageType.ShellResize) return;
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.ReadOnly,
      message: `cannot use the workspace: ${right.reason ?? 'read-only'}`,
    });
    return;
  }
  const fail = (error: unknown) =>
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.Internal,
      message: `workspace: ${String(error)}`,
    });
  switch (message.type) {
    case MessageType.WorkspaceStart:
      return void workspaces.start(room, conn.claims, message.restart).then((refused) => {
        if (refused)
          conn.sendTandem({ type: MessageType.Error, code: ErrorCode.RateLimited, message: refused });
      }, fail);
    case MessageType.WorkspaceStop:
      return void workspaces.stop(room, `stopped by ${conn.claims.name}`).catch(fail);
    case MessageType.ShellOpen: {
      const refused = workspaces.openShell(room, conn, message.cols, message.rows);
      if (refused) conn.sendTandem({ type: MessageType.Error, code: ErrorCode.BadRequest, message: refused });
      return;
    }
    case MessageType.ShellInput:
      return workspaces.shellInput(room, conn, message);
    case MessageType.ShellResize:
      return workspaces.shellResize(room, conn, message);
    case MessageType.ShellClose:
      return workspaces.shellClose(room, message);
    case MessageType.DevServerStart:
      return void workspaces.startDevServer(room, conn.claims, message.command).then((refused) => {
        if (refused)
          conn.sendTandem({ type: MessageType.Error, code: ErrorCode.BadRequest, message: refused });
      }, fail);
    case MessageType.DevServerStop:
      return workspaces.stopDevServer(room);
  }
}
