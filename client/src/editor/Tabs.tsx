/** Open files as tabs, with a dot for each person who has that file open. */
import type { RoomState } from '../room/roomState.js';
import { basename } from '../room/files.js';
import { CloseIcon } from '../ui/icons.js';
import { PeerDots } from '../presence/PeerDots.js';

export function Tabs(props: { room: RoomState }) {
  const { room } = props;
  const paths = room.pathById.value;
  const tabs = room.tabs.value.filter((id) => paths.has(id));
  if (tabs.length === 0) return <div class="tabs empty" />;
  return (
    <div class="tabs" role="tablist">
      {tabs.map((id) => {
        const path = paths.get(id)!;
        const active = id === room.active.value;
        return (
          <div
            key={id}
            role="tab"
            aria-selected={active}
            class={`tab${active ? ' active' : ''}`}
            title={path}
            data-path={path}
            onMouseDown={(e) => {
              if (e.button === 1) room.closeTab(id); // middle click closes, as in every editor
            }}
            onClick={() => room.open(id)}
          >
            <span class="tab-name">{basename(path)}</span>
            <PeerDots room={room} fileId={id} />
            <button
              class="tab-close"
              aria-label={`Close ${basename(path)}`}
              onClick={(e) => {
                e.stopPropagation();
                room.closeTab(id);
              }}
            >
              <CloseIcon size={12} />
            </button>
          </div>
        );
      })}
    </div>
  );
}
