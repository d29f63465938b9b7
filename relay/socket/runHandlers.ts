/** Runs from the room's socket: only whoever may edit now starts, steers or stops one. */
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType, type MessageOf } from '../../shared/protocol/table.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import type { RunService } from '../runs/RunService.js';
import { requireHello } from './sessionHandlers.js';

const READ_ONLY_REASON = 'read-only: this link can view the room but not edit it';

export function handleRun(
  room: Room,
  conn: Connection,
  message: MessageOf<'RunStart'> | MessageOf<'RunInput'> | MessageOf<'RunStop'>,
  runs: RunService,
): void {
  requireHello(conn, 'run messages');
  const right = room.controls.editRight(conn.claims);
  if (!right.canEdit) {
    conn.sendTandem({
      type: MessageType.Error,
      code: ErrorCode.ReadOnly,
      message: `cannot run or steer runs: ${right.reason ?? READ_ONLY_REASON}`,
    });
    return;
  }
  switch (message.type) {
    case MessageType.RunStart: {
      const { runId, language, entry, mode } = message;
      runs.start(room, conn.claims, { runId, language, entry, mode }).catch((error: unknown) =>
        conn.sendTandem({
          type: MessageType.Error,
          code: ErrorCode.Internal,
          message: `run failed: ${String(error)}`,
        }),
      );
      return;
    }
    case MessageType.RunInput:
      return runs.input(room, message.runId, message.bytes, message.eof);
    case MessageType.RunStop:
      return runs.stop(room, message.runId);
  }
}
