/**
 * A top-bar button for one side panel: on a wide window it docks or folds the
 * panel, on a narrow one it opens or closes the panel's drawer.
 */
import type { FunctionComponent } from 'preact';
import { CallIcon, ChatIcon, FilesIcon, NotesIcon, PeopleIcon } from './layoutIcons.js';
import { PANEL_LABELS, panelDomId, toggleDomId, type PanelId, type PanelLayout } from './panels.js';

const ICONS: Record<PanelId, FunctionComponent<{ size?: number }>> = {
  files: FilesIcon,
  call: CallIcon,
  people: PeopleIcon,
  notes: NotesIcon,
  chat: ChatIcon,
};

/** More unread messages than this show as "9+": the badge stays one glyph wide. */
const BADGE_MAX = 9;

export function PanelToggle(props: { layout: PanelLayout; id: PanelId; unread?: number }) {
  const { layout, id } = props;
  const open = layout.isOpen(id);
  const label = PANEL_LABELS[id];
  const unread = props.unread ?? 0;
  const Icon = ICONS[id];
  return (
    <button
      id={toggleDomId(id)}
      class={`icon-button panel-toggle${open ? ' on' : ''}`}
      aria-label={unread > 0 ? `${label}, ${unread} unread` : label}
      aria-expanded={open}
      aria-controls={panelDomId(id)}
      title={`${open ? 'Hide' : 'Show'} ${label.toLowerCase()}`}
      data-testid={`panel-toggle-${id}`}
      onClick={() => layout.toggle(id)}
    >
      <Icon size={16} />
      {unread > 0 && (
        <span class="toggle-badge" data-testid="unread" aria-hidden="true">
          {unread > BADGE_MAX ? `${BADGE_MAX}+` : unread}
        </span>
      )}
    </button>
  );
}
