/**
 * The relay's copy of a room's awareness (cursors, names, open files) and the
 * rules that keep anyone from posing as somebody else:
 *   - a connection may set or remove only the client ids it introduced itself
 *     (or, after a reconnect, ids introduced by another connection of the same
 *     user: the old socket may not have noticed it is dead yet);
 *   - the relay overwrites `user.id`, `user.name` and `user.role` in every state
 *     with the sender's token claims before anyone else sees it.
 * Wire format (y-protocols awareness): varUint count, then per entry varUint
 * clientID, varUint clock, varString JSON state ("null" removes it).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ProtocolError, guard } from '../../shared/protocol/tandem.js';
import type { TokenClaims } from '../../shared/token.js';

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** JSON text of the state, or null when the client is gone. */
  state: string | null;
}

/** Whoever sent an entry: one per connection. */
export interface AwarenessSender {
  readonly claims: TokenClaims;
}

interface Known extends AwarenessEntry {
  /** The connection that holds it now; null once its socket closed or it was removed. */
  owner: AwarenessSender | null;
  /** The user it belongs to, kept after removal so nobody else can take the id over. */
  ownerUid: string;
}

export const CLIENT_IDS_PER_CONNECTION_MAX = 8;
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

  /**
   * Applies entries from `sender`; returns the (stamped) entries to forward and
   * how many were refused for belonging to someone else.
   */
  apply(
    sender: AwarenessSender,
    entries: readonly AwarenessEntry[],
  ): { accepted: AwarenessEntry[]; refused: number } {
    const accepted: AwarenessEntry[] = [];
    let refused = 0;
    for (const entry of entries) {
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
      const next = { clientId: entry.clientId, clock: entry.clock, state };
      this.known.set(entry.clientId, {
        ...next,
        owner: state === null ? null : sender,
        ownerUid: sender.claims.uid,
      });
      accepted.push(next);
    }
    if (this.known.size > FORGOTTEN_MAX) this.prune();
    return { accepted, refused };
  }

  /** Removes every state `sender` owns (its socket closed); returns the removals to forward. */
  removeAll(sender: AwarenessSender): AwarenessEntry[] {
    const removed: AwarenessEntry[] = [];
    for (const entry of this.known.values()) {
      if (entry.owner !== sender) continue;
      entry.clock += 1;
      entry.state = null;
      entry.owner = null;
      removed.push({ clientId: entry.clientId, clock: entry.clock, state: null });
    }
    return removed;
  }

  /** Every live state, for a newcomer or a query-awareness; null when there is none. */
  encodeLive(): Uint8Array | null {
    const live = [...this.known.values()].filter((entry) => entry.state !== null);
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

/** y-protocols' rule: a higher clock wins; at equal clocks only a removal does. */
function isNewer(entry: AwarenessEntry, previous: AwarenessEntry): boolean {
  return (
    previous.clock < entry.clock ||
    (previous.clock === entry.clock && entry.state === null && previous.state !== null)
  );
}
