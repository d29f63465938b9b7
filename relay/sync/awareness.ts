/**
 * The relay's copy of a room's awareness (cursors, names, open files) and the
 * rules that keep anyone from posing as somebody else:
 *   - a connection may set or remove only the client ids it introduced itself
 *     (or, after a reconnect, ids introduced by another connection of the same
 *     user: the old socket may not have noticed it is dead yet);
 *   - the relay overwrites `user.id`, `user.name` and `user.role` in every state
 *     with the sender's token claims before anyone else sees it;
 *   - a state is at most AWARENESS_STATE_MAX_BYTES and a room's live states
 *     together at most AWARENESS_ROOM_MAX_BYTES, so what a newcomer is sent
 *     first stays small whatever people put there.
 * Wire format (y-protocols awareness): varUint count, then per entry varUint
 * clientID, varUint clock, varString JSON state ("null" removes it).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { TokenClaims } from '../../shared/token.js';
import { guard, ProtocolError } from '../../shared/protocol/fields.js';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** JSON text of the state, or null when the client is gone. */
  state: string | null;
  /** The state was larger than a state may be: not parsed, to be refused. */
  oversize?: true;
}

/** Whoever sent an entry: one per connection. */
export interface AwarenessSender {
  readonly claims: TokenClaims;
}

/** Who holds an entry: a connection here, or (by its id) another relay sharing the room. */
type Owner = AwarenessSender | string;

interface Known extends AwarenessEntry {
  /** The connection or relay that holds it now; null once its socket closed or it was removed. */
  owner: Owner | null;
  /** The user it belongs to, kept after removal so nobody else can take the id over. */
  ownerUid: string;
  /** UTF-8 bytes of the (stamped) state; 0 once it is gone. */
  bytes: number;
}

export interface AwarenessResult {
  /** The (stamped) entries to forward. */
  accepted: AwarenessEntry[];
  /** Entries refused for belonging to someone else, or past the client-id cap. */
  refused: number;
  /** Entries refused for size: the state alone, or the room's states together. */
  tooLarge: number;
}

export const CLIENT_IDS_PER_CONNECTION_MAX = 8;
/** One client's state, as JSON: a cursor with a few dozen selections and a name fit many times over. */
export const AWARENESS_STATE_MAX_BYTES = 8 * 1024;
/** Every live state of a room together: what a newcomer's first awareness frame can weigh. */
export const AWARENESS_ROOM_MAX_BYTES = 512 * 1024;
/** Forgotten entries (state null) kept to reject stale clocks; pruned past this. */
const FORGOTTEN_MAX = 1000;

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const entries = guard(() => {
    const count = decoding.readVarUint(decoder);
    if (count * 3 > update.length) throw new ProtocolError('awareness count exceeds message size');
    const out: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      // UTF-16 units: a state within the byte limit never has more of them than that.
      if (json.length > AWARENESS_STATE_MAX_BYTES) {
        out.push({ clientId, clock, state: '', oversize: true });
        continue;
      }
      const value: unknown = JSON.parse(json);
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
        throw new ProtocolError('awareness state must be an object or null');
      }
      out.push({ clientId, clock, state: value === null ? null : json });
    }
    return out;
  });
  if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after awareness update');
  return entries;
}

export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state ?? 'null');
  }
  return encoding.toUint8Array(encoder);
}

/** Puts the token's identity into a state, whatever the client wrote there. */
export function stampState(json: string, claims: TokenClaims): string {
  const state = JSON.parse(json) as Record<string, unknown>;
  const user = state.user;
  const base = typeof user === 'object' && user !== null && !Array.isArray(user) ? user : {};
  state.user = { ...base, id: claims.uid, name: claims.name, role: claims.role };
  return JSON.stringify(state);
}

export class RoomAwareness {
  private readonly known = new Map<number, Known>();
  private liveBytes = 0;

  constructor(private readonly roomMaxBytes = AWARENESS_ROOM_MAX_BYTES) {}

  /** Applies entries from `sender`: what to forward and what was refused, and why. */
  apply(sender: AwarenessSender, entries: readonly AwarenessEntry[]): AwarenessResult {
    const accepted: AwarenessEntry[] = [];
    let refused = 0;
    let tooLarge = 0;
    for (const entry of entries) {
      if (entry.oversize) {
        tooLarge++;
        continue;
      }
      const previous = this.known.get(entry.clientId);
      // y-websocket clients send every change of their awareness back, other
      // people's states included: such an echo is not newer and is skipped quietly.
      if (previous && !isNewer(entry, previous)) continue;
      if (previous && previous.ownerUid !== sender.claims.uid) {
        refused++;
        continue;
      }
      const owner = previous?.owner ?? null;
      if (owner !== sender && entry.state !== null && this.ownedBy(sender) >= CLIENT_IDS_PER_CONNECTION_MAX) {
        refused++;
        continue;
      }
      const state = entry.state === null ? null : stampState(entry.state, sender.claims);
      const bytes = state === null ? 0 : Buffer.byteLength(state);
      const before = previous?.bytes ?? 0;
      if (bytes > AWARENESS_STATE_MAX_BYTES || this.liveBytes - before + bytes > this.roomMaxBytes) {
        tooLarge++;
        continue;
      }
      this.liveBytes += bytes - before;
      const next = { clientId: entry.clientId, clock: entry.clock, state };
      this.known.set(entry.clientId, {
        ...next,
        owner: state === null ? null : sender,
        ownerUid: sender.claims.uid,
        bytes,
      });
      accepted.push(next);
    }
    if (this.known.size > FORGOTTEN_MAX) this.prune();
    return { accepted, refused, tooLarge };
  }

  /**
   * Entries another relay sharing the room accepted and stamped: kept, so a
   * newcomer here sees those cursors at once, until that relay removes them
   * or is itself gone (removeAll with its id). Returns the ones that are news.
   */
  applyRemote(relayId: string, entries: readonly AwarenessEntry[]): AwarenessEntry[] {
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      if (entry.oversize) continue;
      const previous = this.known.get(entry.clientId);
      if (previous && !isNewer(entry, previous)) continue;
      // The same rules as here: a client id stays its user's, and only whoever holds an
      // entry removes it (a client that moved to another relay is not removed by the old one).
      if (previous?.ownerUid && entry.state !== null && previous.ownerUid !== stampedUid(entry.state))
        continue;
      if (previous && entry.state === null && previous.owner !== relayId && previous.owner !== null) continue;
      const bytes = entry.state === null ? 0 : Buffer.byteLength(entry.state);
      this.liveBytes += bytes - (previous?.bytes ?? 0);
      const next = { clientId: entry.clientId, clock: entry.clock, state: entry.state };
      this.known.set(entry.clientId, {
        ...next,
        owner: entry.state === null ? null : relayId,
        ownerUid: previous?.ownerUid || stampedUid(entry.state),
        bytes,
      });
      accepted.push(next);
    }
    if (this.known.size > FORGOTTEN_MAX) this.prune();
    return accepted;
  }

  /** UTF-8 bytes of every live state together. */
  get bytes(): number {
    return this.liveBytes;
  }

  /** Removes every state `sender` owns (its socket closed, or its relay gone); returns the removals to forward. */
  removeAll(sender: Owner): AwarenessEntry[] {
    const removed: AwarenessEntry[] = [];
    for (const entry of this.known.values()) {
      if (entry.owner !== sender) continue;
      entry.clock += 1;
      entry.state = null;
      entry.owner = null;
      this.liveBytes -= entry.bytes;
      entry.bytes = 0;
      removed.push({ clientId: entry.clientId, clock: entry.clock, state: null });
    }
    return removed;
  }

  /**
   * Every live state, for a newcomer or a query-awareness; with `localOnly`,
   * only those of connections here (for a relay that has just loaded the
   * room). Null when there is none.
   */
  encodeLive(localOnly = false): Uint8Array | null {
    const live = [...this.known.values()].filter(
      (entry) => entry.state !== null && !(localOnly && typeof entry.owner === 'string'),
    );
    return live.length === 0 ? null : encodeAwarenessUpdate(live);
  }

  get liveCount(): number {
    let count = 0;
    for (const entry of this.known.values()) if (entry.state !== null) count++;
    return count;
  }

  private ownedBy(sender: AwarenessSender): number {
    let count = 0;
    for (const entry of this.known.values()) if (entry.owner === sender) count++;
    return count;
  }

  private prune(): void {
    for (const [clientId, entry] of this.known) {
      if (entry.state === null) this.known.delete(clientId);
      if (this.known.size <= FORGOTTEN_MAX / 2) return;
    }
  }
}

/** The user id the relay that accepted a state stamped into it ('' if none). */
function stampedUid(state: string | null): string {
  if (state === null) return '';
  try {
    const user = (JSON.parse(state) as { user?: { id?: unknown } }).user;
    return typeof user?.id === 'string' ? user.id : '';
  } catch {
    return '';
  }
}

/** y-protocols' rule: a higher clock wins; at equal clocks only a removal does. */
function isNewer(entry: AwarenessEntry, previous: AwarenessEntry): boolean {
  return (
    previous.clock < entry.clock ||
    (previous.clock === entry.clock && entry.state === null && previous.state !== null)
  );
}
