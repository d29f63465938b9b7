/**
 * Who belongs to the room and what each may do, from `GET /api/rooms/:id`. The
 * relay tells every page when someone comes or goes (peerJoined, peerLeft) and
 * when the settings change (roomState); each of those asks for the list again,
 * a burst of them once.
 */
import { effect, signal, type ReadonlySignal } from '@preact/signals';
import { ApiError } from '../lib/api.js';
import { getRoom, type RoomInfo } from '../lib/roomApi.js';
import type { RoomConnection } from '../room/connection.js';
import type { PeerWire } from '../room/peerWire.js';

/** Joins and settings changes closer together than this make one request. */
const REFRESH_DEBOUNCE_MS = 150;

export interface ParticipantsWatch {
  info: ReadonlySignal<RoomInfo | null>;
  /** Ask now (after this page changed something). */
  refresh(): void;
  stop(): void;
}

export function watchParticipants(conn: RoomConnection, wire: PeerWire): ParticipantsWatch {
  const info = signal<RoomInfo | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let asked = 0;
  const fetchNow = async () => {
    const ask = ++asked;
    try {
      const answer = await getRoom(conn.roomId, conn.token);
      if (!stopped && ask === asked) info.value = answer;
    } catch (error) {
      // Offline or an older relay: keep what we had; the next change asks again.
      if (!(error instanceof ApiError) || error.status >= 500) return;
      console.warn(`Tandem: the room's participants: ${error.message}`);
    }
  };
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void fetchNow(), REFRESH_DEBOUNCE_MS);
  };
  const stopEffect = effect(() => {
    void wire.peers.value;
    void conn.policy.state.value;
    if (conn.socket.value === 'connected') refresh();
  });
  return {
    info,
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
      stopEffect();
    },
  };
}
