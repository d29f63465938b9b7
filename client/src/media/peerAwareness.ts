/**
 * Awareness (cursors, selections, open file) over the peer data channels, beside
 * the relay's copy. Both paths carry the same client id and clock, and
 * y-protocols ignores a state whose clock it already has, so whichever copy
 * comes second changes nothing: no duplicates, and cursors keep moving while
 * the relay is away.
 *
 * Frames (binary, on the same channel as the document's sync frames, which
 * start with 0, 1 or 2):
 *   awareness = varUint(100) varUint8Array(awarenessUpdate)  -- only the sender's own client id
 *   query     = varUint(101)                                 -- "send your state again"
 *
 * A peer is trusted only as far as the relay vouches for it: an entry is taken
 * only if its `user.id` is the userId the relay gave that peer, and
 * `user.{id,name,role}` are overwritten with the relay's values.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { applyAwarenessUpdate, encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import type { DocChannel, DocChannels } from './peerDocSync.js';
import { PeerChannelFrame } from '../../../shared/protocol/peerChannel.js';

/** First varUint of a peer awareness frame (y-protocols sync frames use 0 to 2). */
export const PEER_AWARENESS_FRAME = PeerChannelFrame.Awareness;
/** First varUint of a request for the receiver's own awareness state. */
export const PEER_AWARENESS_QUERY = PeerChannelFrame.AwarenessQuery;
/** The origin of states that came over a data channel; they are never sent on. */
export const PEER_AWARENESS_ORIGIN = Symbol('tandem-peer-awareness');
/** Answer queries at most this often, so a peer cannot make us flood the relay. */
const QUERY_ANSWER_MIN_MS = 1_000;

interface Entry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

function readEntries(update: Uint8Array): Entry[] {
  const decoder = decoding.createDecoder(update);
  const entries: Entry[] = [];
  const count = decoding.readVarUint(decoder);
  if (count * 3 > update.length) throw new Error('awareness count exceeds frame size');
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = JSON.parse(decoding.readVarString(decoder)) as unknown;
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new Error('bad state');
    entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
  }
  return entries;
}

function writeEntries(entries: Entry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

function userIdOf(state: Record<string, unknown> | null | undefined): unknown {
  return (state?.user as Record<string, unknown> | undefined)?.id;
}

/** Keeps only what `link`'s peer may say, with the relay's identity stamped in. */
export function vouchedEntries(awareness: Awareness, link: DocChannel, entries: Entry[]): Entry[] {
  const { userId, name, role } = link.peer;
  const out: Entry[] = [];
  for (const entry of entries) {
    if (entry.clientId === awareness.clientID) continue;
    if (entry.state === null) {
      // A removal: only of a client this peer's user is known to own.
      if (userIdOf(awareness.getStates().get(entry.clientId)) === userId) out.push(entry);
      continue;
    }
    if (userIdOf(entry.state) !== userId) continue;
    const user = { ...(entry.state.user as Record<string, unknown>), id: userId, name, role };
    out.push({ ...entry, state: { ...entry.state, user } });
  }
  return out;
}

export function awarenessFrame(awareness: Awareness): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, PEER_AWARENESS_FRAME);
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(awareness, [awareness.clientID]));
  return encoding.toUint8Array(encoder);
}

export interface PeerAwarenessOptions {
  /** The relay's origin for states it removes when the socket drops (the provider). */
  relayOrigin: unknown;
}

export function connectPeerAwareness(
  awareness: Awareness,
  mesh: DocChannels,
  options: PeerAwarenessOptions,
): () => void {
  /** Client ids heard over each link, so a state the relay path dropped can be asked for again. */
  const heardFrom = new Map<number, DocChannel>();
  let lastAnswer = 0;

  const onUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const own = awareness.clientID;
    if ([...added, ...updated, ...removed].includes(own)) mesh.broadcast(awarenessFrame(awareness));
    // The provider forgets everyone when its socket drops; ask the peers still
    // connected directly to send their state again (at a new clock).
    if (origin !== options.relayOrigin) return;
    const asked = new Set<DocChannel>();
    for (const clientId of removed) {
      const link = heardFrom.get(clientId);
      if (!link || asked.has(link)) continue;
      asked.add(link);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, PEER_AWARENESS_QUERY);
      link.send(encoding.toUint8Array(encoder));
    }
  };

  const stopOpen = mesh.onLinkOpen((link) => {
    if (awareness.getLocalState() !== null) link.send(awarenessFrame(awareness));
  });

  const stopBinary = mesh.onBinary((link, bytes) => {
    const decoder = decoding.createDecoder(bytes);
    let kind: number;
    try {
      kind = decoding.readVarUint(decoder);
    } catch {
      return; // empty: nobody's frame
    }
    if (kind === PEER_AWARENESS_QUERY) {
      const now = Date.now();
      if (now - lastAnswer < QUERY_ANSWER_MIN_MS || awareness.getLocalState() === null) return;
      lastAnswer = now;
      awareness.setLocalState(awareness.getLocalState()); // a new clock, sent everywhere
      return;
    }
    if (kind !== PEER_AWARENESS_FRAME) return; // a document frame
    let entries: Entry[];
    try {
      entries = vouchedEntries(awareness, link, readEntries(decoding.readVarUint8Array(decoder)));
    } catch (error) {
      console.warn(`Tandem: ignored a malformed awareness frame from ${link.peer.name}`, error);
      return;
    }
    if (entries.length === 0) return;
    for (const entry of entries) heardFrom.set(entry.clientId, link);
    applyAwarenessUpdate(awareness, writeEntries(entries), PEER_AWARENESS_ORIGIN);
  });

  awareness.on('update', onUpdate);
  return () => {
    awareness.off('update', onUpdate);
    stopOpen();
    stopBinary();
  };
}
