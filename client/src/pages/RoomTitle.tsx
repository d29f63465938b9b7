/** The room's name in the top bar; the owner renames it in place (double-click, Enter saves). */
import { useState } from 'preact/hooks';
import { canManage } from '../../../shared/roles.js';
import { updateRoom } from '../lib/roomApi.js';
import { attempt } from '../ui/attempt.js';
import { InlineInput } from '../ui/InlineInput.js';
import type { RoomState } from '../room/roomState.js';

/** The relay's limit for a room name (shared/rooms.ts). */
const NAME_MAX_CHARS = 100;

export function RoomTitle(props: { room: RoomState }) {
  const { room } = props;
  const { conn } = room;
  const name = room.roomName.value;
  const [editing, setEditing] = useState(false);
  const owner = canManage(conn.me.value.role) && room.settings.value !== null;

  if (editing) {
    return (
      <InlineInput
        initial={name}
        class="room-name-input"
        maxLength={NAME_MAX_CHARS}
        label="Room name"
        testId="room-name-input"
        onCancel={() => setEditing(false)}
        onCommit={(next) => {
          setEditing(false);
          void attempt(updateRoom(conn.roomId, conn.token, { name: next }), 'The room could not be renamed.');
        }}
      />
    );
  }
  return (
    <span
      class={`room-name${owner ? ' renamable' : ''}`}
      title={owner ? `${name} (double-click to rename)` : name}
      data-testid="room-name"
      onDblClick={() => owner && setEditing(true)}
    >
      {name || 'Untitled project'}
    </span>
  );
}
