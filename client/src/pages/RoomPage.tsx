/**
 * The room: file tree left, tabs and editor centre (a preview beside them), the
 * call, people, notes and chat right. Each side panel folds away from its
 * top-bar toggle; on a narrow window they open as drawers (see layout/).
 */
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
import { RunPanel } from '../run/RunPanel.js';
import { FileTree } from '../tree/FileTree.js';
import { PreviewPane } from '../workspace/PreviewPane.js';
import { BrandLink } from '../ui/BrandLink.js';
import { ConnectionBadge } from '../ui/ConnectionBadge.js';
import { AuthorsIcon, SettingsIcon, ShareIcon } from '../ui/icons.js';
import { ShareDialog } from '../ui/ShareDialog.js';
import { ThemeToggle } from '../ui/ThemeToggle.js';
import { toast, Toasts } from '../ui/toast.js';
import { closeMessage } from '../room/connection.js';
import { narrow } from '../layout/narrow.js';
import type { PanelId } from '../layout/panels.js';
import { PanelToggle } from '../layout/PanelToggle.js';
import { PanelSlot, SideRegion } from '../layout/SideRegion.js';
import { ReviewActions, TopbarActions } from '../layout/TopbarActions.js';
import { useRoomLayout } from '../layout/useRoomLayout.js';
import { useUnreadChat } from '../layout/unreadChat.js';
import { RoomNotices } from './RoomNotices.js';
import { RoomSettingsDialog } from './RoomSettingsDialog.js';
import type { RoomState } from '../room/roomState.js';
import { RoomTitle } from './RoomTitle.js';
import type { EditorKit } from '../editor/editorKitType.js';

export function RoomPage(props: { room: RoomState; kit: EditorKit; notice: Signal<string | null> }) {
  const { room } = props;
  const { conn } = room;
  const [dialog, setDialog] = useState<'share' | 'settings' | null>(null);
  const layout = useRoomLayout(room);

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
  const sidePanels: PanelId[] = notes ? ['call', 'people', 'notes', 'chat'] : ['call', 'people', 'chat'];
  const drawer = layout.drawerIn(['files', ...sidePanels]);
  const unread = useUnreadChat(room, layout.isOpen('chat'));
  // On a wide window a side with no panel showing gives its column to the editor.
  const folded = `${layout.anyOpen(['files']) ? '' : ' files-hidden'}${layout.anyOpen(sidePanels) ? '' : ' side-hidden'}`;
  return (
    <div class={`room${narrow.value ? ' narrow' : ''}`}>
      <header class="topbar">
        <PanelToggle layout={layout} id="files" />
        <BrandLink />
        <RoomTitle room={room} />
        {role === 'viewer' && <span class="pill">View only</span>}
        {settings?.kind === 'interview' && role !== 'viewer' && (
          <span class="pill role-pill" data-testid="my-role">
            {roleLabel(role, settings.kind)}
          </span>
        )}
        <ConnectionBadge conn={conn} />
        <span class="spacer" />
        <TopbarActions>
          <RoomActions room={room} onDialog={setDialog} />
        </TopbarActions>
        <span class="panel-toggles">
          {sidePanels.map((id) => (
            <PanelToggle key={id} layout={layout} id={id} unread={id === 'chat' ? unread : 0} />
          ))}
        </span>
        <span class="topbar-theme">
          <ThemeToggle />
        </span>
      </header>
      <RoomNotices room={room} notice={props.notice} />
      <div class={`workspace${folded}`}>
        <SideRegion layout={layout} class="sidebar" label="Files" ids={['files']}>
          <PanelSlot layout={layout} id="files">
            <FileTree room={room} />
          </PanelSlot>
        </SideRegion>
        {/* Under an open drawer the editor is out of reach, for the keyboard too. */}
        <main class="center" inert={drawer !== null}>
          <div class="center-row">
            <div class="editor-column">
              <Tabs room={room} />
              <EditorPane room={room} kit={props.kit} />
            </div>
            <PreviewPane room={room} />
          </div>
          <RunPanel room={room} />
        </main>
        <SideRegion layout={layout} class="sidepanel" label="Call, people and chat" ids={sidePanels}>
          <PanelSlot layout={layout} id="call">
            <MediaStrip room={room} />
          </PanelSlot>
          <PanelSlot layout={layout} id="people">
            <People room={room} />
          </PanelSlot>
          {notes && (
            <PanelSlot layout={layout} id="notes">
              <NotesPanel room={room} kit={props.kit} />
            </PanelSlot>
          )}
          <PanelSlot layout={layout} id="chat">
            <ChatPanel room={room} />
          </PanelSlot>
        </SideRegion>
        {drawer && <div class="drawer-backdrop" onClick={() => layout.closeDrawer()} />}
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

/** Authors, History and Fork, and the owner's Room and Share. */
function RoomActions(props: { room: RoomState; onDialog: (dialog: 'share' | 'settings') => void }) {
  const { room } = props;
  const { conn } = room;
  const manage = canManage(conn.me.value.role);
  return (
    <>
      <button
        class={`button small${room.showAuthors.value ? ' on' : ''}`}
        aria-pressed={room.showAuthors.value}
        onClick={() => (room.showAuthors.value = !room.showAuthors.value)}
        data-testid="authors-toggle"
        title="Colour each line by who wrote it last"
      >
        <AuthorsIcon size={14} /> Authors
      </button>
      <ReviewActions room={room} />
      {manage && (
        <button
          class="button small"
          onClick={() => props.onDialog('settings')}
          data-testid="room-settings"
          title="Mode, driver and navigator, end the room"
        >
          <SettingsIcon size={14} /> Room
        </button>
      )}
      {manage && (
        <button class="button small" onClick={() => props.onDialog('share')} data-testid="share">
          <ShareIcon size={14} /> Share
        </button>
      )}
    </>
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
