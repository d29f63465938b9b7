/** Everyone in the room: colour, name, role, the file they are in. Click to follow. */
import { initials } from '../lib/colors.js';
import type { RoomState } from '../room/roomState.js';
import { basename } from '../room/files.js';
import { EyeIcon } from '../ui/icons.js';

export function People(props: { room: RoomState }) {
  const { room } = props;
  const paths = room.pathById.value;
  const peers = room.peers.value;
  return (
    <section class="panel people" aria-label="People">
      <h3 class="panel-title">
        People <span class="count">{peers.length}</span>
      </h3>
      <ul>
        {peers.map((peer) => {
          const following = room.following.value === peer.clientId;
          const file = peer.file ? paths.get(peer.file) : undefined;
          return (
            <li key={peer.clientId}>
              <button
                class={`person${following ? ' following' : ''}`}
                disabled={peer.self}
                data-testid="person"
                data-name={peer.name}
                title={peer.self ? 'You' : following ? 'Stop following' : `Follow ${peer.name}`}
                onClick={() => room.follow(peer.clientId)}
              >
                <span class="avatar" style={{ background: peer.color }}>
                  {initials(peer.name)}
                </span>
                <span class="person-text">
                  <span class="person-name">
                    {peer.name}
                    {peer.self && <span class="muted"> (you)</span>}
                    {peer.role === 'viewer' && (
                      <span class="role" title="Viewer">
                        <EyeIcon size={12} />
                      </span>
                    )}
                    {peer.role === 'owner' && <span class="role">owner</span>}
                  </span>
                  <span class="person-file">
                    {following ? 'Following · ' : ''}
                    {file ? basename(file) : 'no file open'}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
