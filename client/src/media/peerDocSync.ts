/**
 * The document over the peer data channels, so people already connected keep
 * editing together while the relay is away. Frames are y-protocols sync
 * messages: on a channel opening each side sends step 1 (its state vector) and
 * answers the other's with step 2 (what it lacks); after that every local
 * update goes to every open channel. The relay remains the record: when it
 * returns, the provider's own sync merges everything into it.
 *
 * Roles come from the relay (the roster), not from the peer: updates from a
 * viewer are ignored. A viewer's page takes no part at all, because its
 * provider would forward what it applied to the relay, which refuses it.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';
import { canEdit } from '../../../shared/roles.js';
import type { PeerInfo } from '../../../shared/protocol/table.js';

/** What this needs of a PeerLink and the PeerMesh (so tests can pipe two docs together). */
export interface DocChannel {
  readonly peer: PeerInfo;
  send(data: Uint8Array): boolean;
}
export interface DocChannels {
  broadcast(bytes: Uint8Array): number;
  onBinary(listener: (link: DocChannel, bytes: Uint8Array) => void): () => void;
  onLinkOpen(listener: (link: DocChannel) => void): () => void;
}

/** Chromium's SCTP message limit is 256 KiB; larger frames are left to the relay. */
export const PEER_FRAME_MAX_BYTES = 256 * 1024 - 64;

/** The highest first byte of a y-protocols sync frame (step 1, step 2, update). */
const SYNC_FRAME_LAST = 2;

/** The default transaction origin of updates that came over a data channel; they are not sent on again. */
export const PEER_ORIGIN = Symbol('tandem-peer');

export interface PeerDocOptions {
  /** Transaction origins that are not this person's edits (the provider, IndexedDB). */
  remoteOrigins: () => unknown[];
  /** Whether this page may edit (the relay's word on our role). */
  canEdit: () => boolean;
  /**
   * The origin incoming updates are applied with (default PEER_ORIGIN). The room
   * passes its provider, so the provider does not upload again what each peer
   * uploads itself; whatever the relay lacks still reaches it in the provider's
   * sync step 2 when it returns.
   */
  applyOrigin?: unknown;
}

export function connectPeerDocSync(doc: Y.Doc, mesh: DocChannels, options: PeerDocOptions): () => void {
  const applyOrigin = options.applyOrigin ?? PEER_ORIGIN;
  let warned = false;
  const send = (link: DocChannel | null, frame: Uint8Array) => {
    if (frame.byteLength > PEER_FRAME_MAX_BYTES) {
      if (!warned) console.warn('Tandem: an update too large for a data channel goes through the relay only');
      warned = true;
      return;
    }
    if (link) link.send(frame);
    else mesh.broadcast(frame);
  };

  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === PEER_ORIGIN || origin === applyOrigin || !options.canEdit()) return;
    if (options.remoteOrigins().includes(origin)) return;
    const e = encoding.createEncoder();
    syncProtocol.writeUpdate(e, update);
    send(null, encoding.toUint8Array(e));
  };

  const stopOpen = mesh.onLinkOpen((link) => {
    if (!options.canEdit() || !canEdit(link.peer.role)) return;
    const e = encoding.createEncoder();
    syncProtocol.writeSyncStep1(e, doc);
    send(link, encoding.toUint8Array(e));
  });

  const stopBinary = mesh.onBinary((link, bytes) => {
    // Sync frames start with 0, 1 or 2; anything else is another listener's (awareness).
    if ((bytes[0] ?? 255) > SYNC_FRAME_LAST) return;
    if (!options.canEdit() || !canEdit(link.peer.role)) return; // a viewer's updates are ignored
    const reply = encoding.createEncoder();
    try {
      syncProtocol.readSyncMessage(decoding.createDecoder(bytes), reply, doc, applyOrigin, (error) => {
        throw error;
      });
    } catch (error) {
      console.warn(`Tandem: ignored a malformed document frame from ${link.peer.name}`, error);
      return;
    }
    if (encoding.length(reply) > 0) send(link, encoding.toUint8Array(reply));
  });

  doc.on('update', onUpdate);
  return () => {
    doc.off('update', onUpdate);
    stopOpen();
    stopBinary();
  };
}
