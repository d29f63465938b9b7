/** Small coloured dots: who (other than you) has this file open. */
import type { RoomState } from '../room/roomState.js';

export function PeerDots(props: { room: RoomState; fileId: string }) {
  const here = props.room.peers.value.filter((p) => !p.self && p.file === props.fileId);
  if (here.length === 0) return null;
  return (
    <span class="peer-dots" title={here.map((p) => p.name).join(', ')}>
      {here.slice(0, 4).map((p) => (
        <span key={p.clientId} class="peer-dot" style={{ background: p.color }} />
      ))}
    </span>
  );
}
