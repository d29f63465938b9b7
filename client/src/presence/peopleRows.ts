/**
 * One row per person for the People panel: the relay's participant list (who
 * belongs to the room, online or not, and their edit right) joined with
 * awareness (their colour, the file they are in, the client id to follow).
 * Until the relay's list arrives, or for someone it does not list yet, the
 * awareness entry alone makes the row.
 */
import { colorFor } from '../lib/colors.js';
import type { Participant } from '../lib/roomApi.js';
import type { Role } from '../../../shared/roles.js';
import type { Peer } from './presence.js';

export interface PersonRow {
  userId: string;
  name: string;
  role: Role;
  online: boolean;
  /** The relay's word; null while only awareness knows the person. */
  canEdit: boolean | null;
  color: string;
  self: boolean;
  /** Their awareness entry (first tab), to follow them and show their file. */
  peer: Peer | null;
}

export function peopleRows(participants: Participant[] | null, peers: Peer[], selfId: string): PersonRow[] {
  const byUser = new Map<string, Peer>();
  for (const peer of peers) if (!byUser.has(peer.userId) || peer.self) byUser.set(peer.userId, peer);
  const rows: PersonRow[] = (participants ?? []).map((p) => {
    const peer = byUser.get(p.userId) ?? null;
    byUser.delete(p.userId);
    return {
      userId: p.userId,
      name: p.name,
      role: p.role,
      online: p.online || peer !== null,
      canEdit: p.canEdit,
      color: peer?.color ?? colorFor(p.userId),
      self: p.userId === selfId,
      peer,
    };
  });
  for (const peer of byUser.values()) {
    rows.push({
      userId: peer.userId,
      name: peer.name,
      role: peer.role,
      online: true,
      canEdit: null,
      color: peer.color,
      self: peer.userId === selfId,
      peer,
    });
  }
  // Yourself first, then who is here, then by name, so the list does not jump as people move.
  return rows.sort(
    (a, b) =>
      Number(b.self) - Number(a.self) ||
      Number(b.online) - Number(a.online) ||
      a.name.localeCompare(b.name) ||
      a.userId.localeCompare(b.userId),
  );
}
