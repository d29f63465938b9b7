/** Small coloured dots: who (other than you) has this file open; only people whose cursors show. */
import type { RoomState } from '../room/roomState.js';
import { showsCursor } from './cursorRule.js';

export function PeerDots(props: { room: RoomState; fileId: string }) {
  const settings = props.room.settings.value;
  const here = props.room.peers.value.filter(
    (p) => !p.self && p.file === props.fileId && showsCursor(settings, p),
  );
  if (here.length === 0) return null;
  return (
    <span class="peer-dots" title={here.map((p) => p.name).join(', ')}>
      {here.slice(0, 4).map((p) => (
        <span key={p.clientId} class="peer-dot" style={{ background: p.color }} />
      ))}
    </span>
  );
}
