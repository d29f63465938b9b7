/**
 * Run messages on the room's socket. The relay sends runStarted, runOutput,
 * runExit and runQueued to every connection that said hello (viewers too); an
 * editor sends runStart, runInput and runStop. Hello always goes out first: the
 * connection sends it as the socket opens, and nothing here sends on a socket
 * that is not open.
 */
import {
  MessageType,
  type RunExit,
  type RunInput,
  type RunOutput,
  type RunQueued,
  type RunStart,
  type RunStarted,
  type RunStop,
} from '../../../shared/protocol/table.js';
import type { RoomConnection } from '../room/connection.js';
import { connectWire, type Wire } from '../transport/wire.js';

export type RelayRunMessage = RunStarted | RunOutput | RunExit | RunQueued;
export type ClientRunMessage = RunStart | RunInput | RunStop;

/** What a run session needs from the socket; tests hand it messages directly. */
export type RunWire = Wire<RelayRunMessage, ClientRunMessage>;

const RELAY_TYPES = [
  MessageType.RunStarted,
  MessageType.RunOutput,
  MessageType.RunExit,
  MessageType.RunQueued,
] as const;

export function connectRunWire(conn: RoomConnection): RunWire {
  return connectWire(conn.channel, RELAY_TYPES);
}
