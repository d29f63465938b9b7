/**
 * Everyone in the room: colour, name, role, online, whether they may edit, the
 * file they are in. Click someone online to follow them. The owner also gets,
 * per person, the edit right in classroom mode and Kick.
 */
import { canEdit, canManage } from '../../../shared/roles.js';
import { RoomMode } from '../../../shared/rooms.js';
import { initials } from '../lib/colors.js';
import { kick, setEditor } from '../lib/roomApi.js';
import { basename } from '../room/files.js';
import type { RoomState } from '../room/roomState.js';
import { attempt } from '../ui/attempt.js';
import { confirmDialog } from '../ui/Dialog.js';
import { EyeIcon, icon, RemovePersonIcon } from '../ui/icons.js';
import { peopleRows, type PersonRow } from './peopleRows.js';
import { roleLabel } from './roleLabel.js';

/** "Can edit now": a keyboard, as a pencil beside a name reads as "rename". */
const KeyboardIcon = icon(
  <path d="M4 6h16a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zM6 10h.01M10 10h.01M14 10h.01M18 10h.01M8 14h8" />,
);

export function People(props: { room: RoomState }) {
  const { room } = props;
  const me = room.conn.me.value;
  const info = room.participants.info.value;
  const rows = peopleRows(info?.participants ?? null, room.peers.value, me.userId);
  const online = rows.filter((r) => r.online).length;
  return (
    <section class="panel people" aria-label="People">
      <h3 class="panel-title">
        People <span class="count">{online}</span>
      </h3>
      <ul>
        {rows.map((row) => (
          <li key={row.userId} class="person-row">
            <PersonButton room={room} row={row} />
            {canManage(me.role) && !row.self && <PersonControls room={room} row={row} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PersonButton(props: { room: RoomState; row: PersonRow }) {
  const { room, row } = props;
  const kind = room.settings.value?.kind;
  const peer = row.peer;
  const following = peer !== null && room.following.value === peer.clientId;
  const file = peer?.file ? room.pathById.value.get(peer.file) : undefined;
  const where = !row.online ? 'offline' : file ? basename(file) : 'no file open';
  return (
    <button
      class={`person${following ? ' following' : ''}`}
      disabled={row.self || !peer}
      data-testid="person"
      data-name={row.name}
      data-online={row.online}
      data-can-edit={row.canEdit === null ? undefined : row.canEdit}
      title={
        row.self
          ? 'You'
          : !peer
            ? `${row.name} is not here`
            : following
              ? 'Stop following'
              : `Follow ${row.name}`
      }
      onClick={() => peer && room.follow(peer.clientId)}
    >
      <span class="avatar" style={{ background: row.color }}>
        {initials(row.name)}
        <span class={`online-dot${row.online ? ' on' : ''}`} title={row.online ? 'Online' : 'Offline'} />
      </span>
      <span class="person-text">
        <span class="person-name">
          {row.name}
          {row.self && <span class="muted"> (you)</span>}
          {row.role === 'viewer' ? (
            <span class="role" title={roleLabel(row.role, kind)}>
              <EyeIcon size={12} />
            </span>
          ) : row.role !== 'editor' || kind === 'interview' ? (
            <span class="role">{roleLabel(row.role, kind)}</span>
          ) : null}
          {row.canEdit === true && canEdit(row.role) && (
            <span class="role" role="img" title="Can edit now" aria-label="Can edit now">
              <KeyboardIcon size={12} />
            </span>
          )}
        </span>
        <span class="person-file">
          {following ? 'Following · ' : ''}
          {where}
          {row.canEdit === false && canEdit(row.role) ? ' · read-only' : ''}
        </span>
      </span>
    </button>
  );
}

/** The owner's controls for one person: the edit right (classroom mode) and Kick. */
function PersonControls(props: { room: RoomState; row: PersonRow }) {
  const { room, row } = props;
  const { conn } = room;
  const settings = room.settings.value;
  const granted = settings?.editors.includes(row.userId) ?? false;
  const classroom = settings?.mode === RoomMode.Classroom && settings.endedAt === null;
  const toggle = async () => {
    const done = await attempt(
      setEditor(conn.roomId, conn.token, row.userId, !granted),
      'The edit right could not be changed.',
    );
    if (done) room.participants.refresh();
  };
  const remove = async () => {
    const sure = await confirmDialog({
      title: `Remove ${row.name} from the room?`,
      body: `${row.name} leaves at once. The share links are replaced too, so they cannot come back as a guest; everyone else stays. Share the new links (Share) with anyone still to come.`,
      confirm: 'Remove',
      danger: true,
    });
    if (!sure) return;
    const done = await attempt(
      kick(conn.roomId, conn.token, row.userId),
      `${row.name} could not be removed.`,
    );
    if (done !== null) room.participants.refresh();
  };
  return (
    <span class="person-controls">
      {classroom && canEdit(row.role) && (
        <button
          class={`button small${granted ? ' on' : ''}`}
          aria-pressed={granted}
          title={granted ? `Take the edit right back from ${row.name}` : `Let ${row.name} edit`}
          data-testid="edit-toggle"
          data-name={row.name}
          onClick={() => void toggle()}
        >
          {granted ? 'Editing' : 'Let edit'}
        </button>
      )}
      <button
        class="icon-button kick"
        title={`Remove ${row.name} from the room`}
        aria-label={`Remove ${row.name} from the room`}
        data-testid="kick"
        data-name={row.name}
        onClick={() => void remove()}
      >
        <RemovePersonIcon size={15} />
      </button>
    </span>
  );
}
