/** The room: file tree left, tabs and editor centre (a preview beside them), people and chat right. */
import { useSignalEffect, type Signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import { CloseCode } from '../../../shared/protocol/closeCodes.js';
import { canEdit, canManage } from '../../../shared/roles.js';
import { ChatPanel } from '../chat/ChatPanel.js';
import { EditorPane } from '../editor/EditorPane.js';
import { Tabs } from '../editor/Tabs.js';
import { rememberRoom } from '../lib/profile.js';
import { navigate } from '../lib/route.js';
import { MediaStrip } from '../media/MediaStrip.js';
import { NotesPanel } from '../notes/NotesPanel.js';
import { People } from '../presence/People.js';
import { roleLabel } from '../presence/roleLabel.js';
import { HistoryButton } from '../replay/ReplayLinks.js';
import { RunPanel } from '../run/RunPanel.js';
import { FileTree } from '../tree/FileTree.js';
import { PreviewPane } from '../workspace/PreviewPane.js';
import { BrandLink } from '../ui/BrandLink.js';
import { ConnectionBadge } from '../ui/ConnectionBadge.js';
import { ForkButton } from '../ui/ForkButton.js';
import { AuthorsIcon, SettingsIcon, ShareIcon } from '../ui/icons.js';
import { ShareDialog } from '../ui/ShareDialog.js';
import { ThemeToggle } from '../ui/ThemeToggle.js';
import { toast, Toasts } from '../ui/toast.js';
import { closeMessage } from '../room/connection.js';
import { RoomNotices } from './RoomNotices.js';
import { RoomSettingsDialog } from './RoomSettingsDialog.js';
import type { RoomState } from '../room/roomState.js';
import { RoomTitle } from './RoomTitle.js';
import type { EditorKit } from '../editor/editorKitType.js';

export function RoomPage(props: { room: RoomState; kit: EditorKit; notice: Signal<string | null> }) {
  const { room } = props;
  const { conn } = room;
  const [dialog, setDialog] = useState<'share' | 'settings' | null>(null);

  useSignalEffect(() => {
    const error = conn.lastError.value;
    const sentence = error && errorSentence(error.code, canEdit(conn.me.peek().role));
    if (sentence) toast(sentence, 'error');
    else if (error) console.warn(`Tandem relay: ${error.code}: ${error.message}`);
  });
  useSignalEffect(() => {
    const name = room.roomName.value;
    document.title = name ? `${name} · Tandem` : 'Tandem';
    if (name) rememberRoom(conn.roomId, name);
  });

  const role = conn.me.value.role;
  const settings = room.settings.value;
  const policy = conn.policy;
  const notes = policy.received.value && policy.state.value?.notes === true;
  const close = () => setDialog(null);
  return (
    <div class="room">
      <header class="topbar">
        <BrandLink />
        <RoomTitle room={room} />
        {role === 'viewer' && <span class="pill">View only</span>}
        {settings?.kind === 'interview' && role !== 'viewer' && (
          <span class="pill" data-testid="my-role">
            {roleLabel(role, settings.kind)}
          </span>
        )}
        <ConnectionBadge conn={conn} />
        <span class="spacer" />
        <button
          class={`button small${room.showAuthors.value ? ' on' : ''}`}
          aria-pressed={room.showAuthors.value}
          onClick={() => (room.showAuthors.value = !room.showAuthors.value)}
          data-testid="authors-toggle"
          title="Colour each line by who wrote it last"
        >
          <AuthorsIcon size={14} /> Authors
        </button>
        <HistoryButton roomId={conn.roomId} />
        <ForkButton roomId={conn.roomId} token={conn.token} />
        {canManage(role) && (
          <button
            class="button small"
            onClick={() => setDialog('settings')}
            data-testid="room-settings"
            title="Mode, driver and navigator, end the room"
          >
            <SettingsIcon size={14} /> Room
          </button>
        )}
        {canManage(role) && (
          <button class="button small" onClick={() => setDialog('share')} data-testid="share">
            <ShareIcon size={14} /> Share
          </button>
        )}
        <ThemeToggle />
      </header>
      <RoomNotices room={room} notice={props.notice} />
      <div class="workspace">
        <aside class="sidebar" aria-label="Files">
          <FileTree room={room} />
        </aside>
        <main class="center">
          <div class="center-row">
            <div class="editor-column">
              <Tabs room={room} />
              <EditorPane room={room} kit={props.kit} />
            </div>
            <PreviewPane room={room} />
          </div>
          <RunPanel room={room} />
        </main>
        <aside class="sidepanel" aria-label="People and chat">
          <MediaStrip room={room} />
          <People room={room} />
          {notes && <NotesPanel room={room} kit={props.kit} />}
          <ChatPanel room={room} />
        </aside>
      </div>
      {dialog === 'share' && (
        <ShareDialog
          roomId={conn.roomId}
          ownerToken={conn.token}
          kind={settings?.kind ?? 'pair'}
          onClose={close}
        />
      )}
      {dialog === 'settings' && <RoomSettingsDialog room={room} onClose={close} />}
      <ClosedOverlay room={room} />
      <Toasts />
    </div>
  );
}

/** The relay closed for good: removed by the owner, or a link that no longer works. */
function ClosedOverlay(props: { room: RoomState }) {
  const closed = props.room.conn.closed.value;
  if (!closed) return null;
  const removed = closed.code === CloseCode.Removed;
  return (
    <div class="overlay" role="alertdialog" data-testid={removed ? 'removed' : 'closed'}>
      <div class="card gate-card">
        <h2>{removed ? 'Removed from this room' : 'Disconnected'}</h2>
        <p>{closeMessage(closed.code)}</p>
        {!removed && <p class="muted">Everything you typed is kept in this browser.</p>}
        <button class="button" onClick={() => navigate('/')}>
          Back to the start page
        </button>
      </div>
    </div>
  );
}

/** Relay errors a person can act on, in a sentence; the rest are for the console. */
function errorSentence(code: string, editRole: boolean): string | null {
  switch (code) {
    case 'read_only':
      // Someone whose edit right was taken away is told by the read-only notice
      // (and about discarded edits); only a view link gets this one.
      return editRole ? null : 'You have a view link: your changes were not saved.';
    case 'payload_too_large':
      return 'That change is too large to save. Try a smaller paste.';
    case 'room_full':
      return 'This room is full.';
    default:
      return null;
  }
}
