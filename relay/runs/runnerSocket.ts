/**
 * The relay's end of a runner link: `/runner` with `Authorization: Bearer
 * <runner token>`, checked before the upgrade. The first frame must be
 * `runnerHello` with our protocol version, within HELLO_TIMEOUT_MS; then the
 * runner's frames go to the hub. A malformed frame closes the link (4400) and the
 * hub ends that runner's jobs with reason `error`.
 */
import { bearerMatches } from '../auth/bearer.js';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CloseCode } from '../../shared/protocol/closeCodes.js';
import { decode } from '../../shared/protocol/codec.js';
import { ProtocolError } from '../../shared/protocol/fields.js';
import { Direction, MessageType, PROTOCOL_VERSION } from '../../shared/protocol/table.js';
import type { Logger } from '../../server/log.js';
import type { Workspaces } from '../workspaces/Workspaces.js';
import type { RunnerHub, RunnerLink } from './RunnerHub.js';

const HELLO_TIMEOUT_MS = 10_000;
const CLOSE_REASON_MAX_CHARS = 120;

/** True if the request carries the runner token. */
export function isRunnerAuthorised(req: IncomingMessage, runnerToken: string): boolean {
  return bearerMatches(req.headers.authorization, runnerToken);
}

export function acceptRunner(ws: WebSocket, hub: RunnerHub, workspaces: Workspaces, log: Logger): void {
  let link: RunnerLink | null = null;
  const helloTimer = setTimeout(
    () => ws.close(CloseCode.MalformedMessage, 'malformed message: no runnerHello'),
    HELLO_TIMEOUT_MS,
  );
  const close = (code: CloseCode, reason: string) => {
    ws.close(code, reason.slice(0, CLOSE_REASON_MAX_CHARS));
    setTimeout(() => ws.terminate(), 2_000).unref();
  };
  ws.on('error', (error) => log.debug('runner.socket_error', { err: error }));
  ws.on('close', () => {
    clearTimeout(helloTimer);
    if (link) {
      hub.removeRunner(link);
      workspaces.removeRunner(link);
    }
  });
  ws.on('message', (data, isBinary) => {
    try {
      if (!isBinary) throw new ProtocolError('text frames are not part of the protocol');
      const bytes = data as Buffer;
      const message = decode(
        Direction.RunnerToRelay,
        new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      );
      if (!link) {
        if (message.type !== MessageType.RunnerHello)
          throw new ProtocolError('the first message must be runnerHello');
        if (message.protocolVersion !== PROTOCOL_VERSION) {
          return close(
            CloseCode.ProtocolMismatch,
            `protocol version mismatch: relay speaks ${PROTOCOL_VERSION}`,
          );
        }
        clearTimeout(helloTimer);
        link = {
          id: message.runnerId,
          ws,
          capacity: message.capacity,
          languages: new Set(message.languages),
          jobs: new Map(),
        };
        hub.addRunner(link);
        return;
      }
      switch (message.type) {
        case MessageType.RunnerStatus:
        case MessageType.RunOutput:
        case MessageType.RunExit:
          return hub.fromRunner(link, message);
        case MessageType.RunnerHello:
          throw new ProtocolError('runnerHello comes once');
        default:
          return workspaces.fromRunner(link, message);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.warn('runner.bad_frame', { runner: link?.id, error: reason });
      close(CloseCode.MalformedMessage, `malformed message: ${reason}`);
    }
  });
}
