/**
 * A typed slice of the room's socket for one feature (runs, the workspace):
 * the messages of the types it listens to, and a send. Features take this,
 * not the channel, so their tests hand them messages directly.
 */
import type { ClientToRelayMessage } from '../../../shared/protocol/table.js';
import type { IncomingOf, RelayChannel } from './RelayChannel.js';

export interface Wire<In, Out extends ClientToRelayMessage = ClientToRelayMessage> {
  /** False when the socket is not open: the message was not sent. */
  send(message: Out): boolean;
  subscribe(listener: (message: In) => void): () => void;
}

export function connectWire<T extends Parameters<RelayChannel['on']>[0], Out extends ClientToRelayMessage>(
  channel: RelayChannel,
  types: readonly T[],
): Wire<IncomingOf<T>, Out> {
  const listeners = new Set<(message: IncomingOf<T>) => void>();
  const deliver = (message: IncomingOf<T>) => {
    for (const listener of listeners) listener(message);
  };
  for (const type of types) channel.on(type, deliver);
  return {
    send: (message) => channel.send(message),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
