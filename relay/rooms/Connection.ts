/**
 * One client's WebSocket: sending with a cap on what may queue for a slow reader,
 * closing with a named code, and what the room needs to know about the client
 * (token claims, whether it speaks Tandem's own messages, updates not yet stored).
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CloseCode, CloseReason } from '../../shared/protocol/closeCodes.js';
import type { ErrorCode } from '../../shared/protocol/errors.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType, type PeerInfo, type RelayToClientMessage } from '../../shared/protocol/table.js';
import type { TokenClaims } from '../../shared/token.js';
import { TokenBucket } from '../limits/TokenBucket.js';
import type { Logger } from '../../server/log.js';

/** Repeat refusals to a flooding client at most this often. */
const REFUSAL_INTERVAL_MS = 1_000;
/** y-protocols auth: permission denied. */
const AUTH_PERMISSION_DENIED = 0;
const SEND_OPTIONS = Object.freeze({ binary: true });

let nextId = 1;

/** A validated update waiting for the room's next flush, with what validateUpdate counted. */
/**
 * The same bytes as a Buffer (no copy). `ws` turns anything else into one on
 * every send: a frame going to a whole room is converted once, here.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export interface QueuedUpdate {
  update: Uint8Array;
  structs: number;
  deleteRanges: number;
}

/** A peer id for signaling: random, so no one can guess another connection's. */
function newPeerId(): string {
  return randomBytes(8).toString('base64url');
}

export class Connection {
  readonly id = nextId++;
  readonly peerId = newPeerId();
  /** Said `hello`: may be sent Tandem messages (type 100+). */
  tandem = false;
  /** Answered the last ping. */
  alive = true;
  /** Validated updates received since the room's last flush, in order. */
  pendingUpdates: QueuedUpdate[] = [];
  /** `syncStatus` counters to echo once the pending updates are stored. */
  pendingStatuses: number[] = [];
  /** `syncStatus` counters that wait for this connection's held updates to be stored. */
  heldStatuses: number[] = [];
  /** The relay is closing it: what it sends from now on is ignored. */
  closing = false;
  /** Chat messages it may post: a burst of 10, then one every half second. */
  readonly chatBudget = new TokenBucket(10, 2);
  /** Could edit when the room last looked (join, or its last announcement): who gained the right. */
  editing = false;
  /** Last time a read-only refusal was answered (ms), to answer floods once a second. */
  lastRefusalAt = 0;
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly claims: TokenClaims,
    private readonly sendBufferMaxBytes: number,
    /** After a close, how long the socket may take to read its backlog before it is cut. */
    private readonly closeGraceMs: number,
    /** Lines about this connection: each carries its id (`conn`), room and user. */
    readonly log: Logger,
  ) {
    const msLeft = claims.exp * 1000 - Date.now();
    // setTimeout overflows past 2^31-1 ms; tokens that far out are checked again on reconnect.
    if (msLeft < 2 ** 31 - 1) {
      this.expiryTimer = setTimeout(() => this.close(CloseCode.TokenExpired), Math.max(0, msLeft));
      this.expiryTimer.unref();
    }
  }

  get peer(): PeerInfo {
    const { uid, name, role } = this.claims;
    return { peerId: this.peerId, userId: uid, name, role };
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /**
   * Sends a binary frame; a reader that lets too much queue up is dropped. One
   * frame larger than the cap (a big document's sync step 2) still goes out when
   * nothing else is queued: the cap is on backlog, not on document size.
   */
  send(bytes: Uint8Array): void {
    if (!this.open) return;
    const backlog = this.ws.bufferedAmount;
    if (backlog > 0 && backlog + bytes.byteLength > this.sendBufferMaxBytes) {
      this.close(CloseCode.SlowConsumer);
      return;
    }
    this.ws.send(bytes, SEND_OPTIONS);
  }

  /**
   * Tells the client an update of theirs was refused (not applied, socket kept):
   * y-protocols' "permission denied" for any Yjs client, and a typed `error` for
   * Tandem's. A flood is answered once a second.
   */
  refuse(code: ErrorCode, reason: string): void {
    const now = Date.now();
    if (now - this.lastRefusalAt < REFUSAL_INTERVAL_MS) return;
    this.lastRefusalAt = now;
    this.send(encode({ type: MessageType.Auth, kind: AUTH_PERMISSION_DENIED, reason }));
    this.sendTandem({ type: MessageType.Error, code, message: reason });
  }

  /** Sends a Tandem message, only to a connection that asked for them. */
  sendTandem(message: RelayToClientMessage): void {
    if (this.tandem) this.send(encode(message));
  }

  close(code: CloseCode, reason: string = CloseReason[code]): void {
    this.closing = true;
    this.dispose();
    if (this.ws.readyState === this.ws.CLOSED) return;
    if (this.ws.readyState !== this.ws.CLOSING) this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), this.closeGraceMs).unref();
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }
}
