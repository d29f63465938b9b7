/**
 * Connection state at a glance. "Saved" means the relay has confirmed it stored
 * every edit made here (its `syncStatus` echo), not merely that they were sent.
 */
import type { RoomConnection } from '../room/connection.js';

export function connectionLabel(conn: RoomConnection): { state: string; text: string; title: string } {
  const unsent = conn.unsent.value;
  const edits = `${unsent} edit${unsent === 1 ? '' : 's'}`;
  if (conn.socket.value === 'offline') {
    return {
      state: 'offline',
      text: unsent > 0 ? `Offline · ${edits} not on the server yet` : 'Offline',
      title: 'Keep editing: your changes are kept in this browser and sync when the connection returns.',
    };
  }
  if (conn.socket.value === 'connecting' || !conn.synced.value) {
    return { state: 'syncing', text: 'Connecting…', title: 'Syncing with the server' };
  }
  const rtt = conn.roundTripMs.value;
  const latency = rtt === null ? '' : ` Round trip to the server: ${rtt} ms.`;
  if (!conn.canEdit)
    return {
      state: 'saved',
      text: 'Live',
      title: `Connected: you see every change as it happens.${latency}`,
    };
  const notSaved = conn.notSaved.value;
  if (notSaved !== null && unsent > 0)
    return { state: 'unsaved', text: `Not saved · ${edits} kept in this browser`, title: notSaved };
  if (unsent > 0)
    return { state: 'syncing', text: 'Saving…', title: `${edits} on the way to the server.${latency}` };
  return { state: 'saved', text: 'Saved', title: `Every change is stored on the server.${latency}` };
}

export function ConnectionBadge(props: { conn: RoomConnection }) {
  const { state, text, title } = connectionLabel(props.conn);
  return (
    <span class={`conn conn-${state}`} title={title} data-testid="connection" data-state={state}>
      <span class="conn-dot" />
      {text}
    </span>
  );
}
