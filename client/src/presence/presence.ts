/**
 * Awareness: who is here, what they have open, where their cursors are. The
 * relay stamps `user.{name,id,role}` from each token, so those can be trusted;
 * colour, file and selections are whatever a peer sent and are checked here.
 */
import { signal, type Signal } from '@preact/signals';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { isRole, type Role } from '../../../shared/roles.js';
import { safeColor } from '../lib/colors.js';

/** At most this many selections per peer are drawn (multi-cursor can make thousands). */
const SELECTIONS_MAX = 64;

export interface RemoteSelection {
  anchor: Y.RelativePosition;
  head: Y.RelativePosition;
}

export interface Peer {
  clientId: number;
  userId: string;
  name: string;
  role: Role;
  color: string;
  /** Id of the file this peer has in front of them. */
  file: string | null;
  selections: RemoteSelection[];
  self: boolean;
}

export interface LocalUser {
  id: string;
  name: string;
  role: Role;
  color: string;
}

export function setLocalUser(awareness: Awareness, user: LocalUser): void {
  awareness.setLocalStateField('user', user);
}

export function setLocalFile(awareness: Awareness, fileId: string | null): void {
  // A new file: the old selections point into another text.
  const state = awareness.getLocalState() ?? {};
  awareness.setLocalState({ ...state, file: fileId, selections: [] });
}

export function setLocalSelections(
  awareness: Awareness,
  selections: { anchor: Y.RelativePosition; head: Y.RelativePosition }[],
) {
  awareness.setLocalStateField(
    'selections',
    selections.map((s) => ({
      anchor: Y.relativePositionToJSON(s.anchor),
      head: Y.relativePositionToJSON(s.head),
    })),
  );
}

function readSelections(value: unknown): RemoteSelection[] {
  if (!Array.isArray(value)) return [];
  const out: RemoteSelection[] = [];
  for (const item of value.slice(0, SELECTIONS_MAX)) {
    try {
      const { anchor, head } = item as { anchor: unknown; head: unknown };
      out.push({
        anchor: Y.createRelativePositionFromJSON(anchor),
        head: Y.createRelativePositionFromJSON(head),
      });
    } catch {
      // A malformed selection is skipped, never thrown on.
    }
  }
  return out;
}

export function readPeer(clientId: number, state: Record<string, unknown>, selfId: number): Peer | null {
  const user = state.user as Record<string, unknown> | undefined;
  if (!user || typeof user.name !== 'string' || typeof user.id !== 'string') return null;
  return {
    clientId,
    userId: user.id,
    name: user.name.slice(0, 64),
    role: isRole(user.role) ? user.role : 'viewer',
    color: safeColor(user.color, user.id),
    file: typeof state.file === 'string' ? state.file : null,
    selections: readSelections(state.selections),
    self: clientId === selfId,
  };
}

export function readPeers(awareness: Awareness): Peer[] {
  const peers: Peer[] = [];
  awareness.getStates().forEach((state, clientId) => {
    const peer = readPeer(clientId, state, awareness.clientID);
    if (peer) peers.push(peer);
  });
  // Yourself first, then by name, so the list does not jump as people move.
  return peers.sort(
    (a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.clientId - b.clientId,
  );
}

/** Everyone in the room (you included), updated on every awareness change. */
export function watchPeers(awareness: Awareness): { peers: Signal<Peer[]>; stop: () => void } {
  const peers = signal(readPeers(awareness));
  const onChange = () => (peers.value = readPeers(awareness));
  awareness.on('change', onChange);
  return { peers, stop: () => awareness.off('change', onChange) };
}
