/** The room: file tree left, tabs and editor centre, people and chat right. */
import { ApiError, forkRoom } from '../lib/api.js';
import { OWNER_LINK, remember } from './session.js';
import { BrandLink } from '../ui/BrandLink.js';
import { useSignalEffect } from '@preact/signals';
import { useState } from 'preact/hooks';
import { canManage } from '../../../shared/roles.js';
import { ChatPanel } from '../chat/ChatPanel.js';
import { EditorPane } from '../editor/EditorPane.js';
import { Tabs } from '../editor/Tabs.js';
import { rememberRoom } from '../lib/profile.js';
import { navigate } from '../lib/route.js';
import { MediaStrip } from '../media/MediaStrip.js';
import { People } from '../presence/People.js';
import { RunPanel } from '../run/RunPanel.js';
import { FileTree } from '../tree/FileTree.js';
import { ConnectionBadge } from '../ui/ConnectionBadge.js';
import { ShareDialog } from '../ui/ShareDialog.js';
import { ThemeToggle } from '../ui/ThemeToggle.js';
import { toast, Toasts } from '../ui/toast.js';
import { ShareIcon } from '../ui/icons.js';
import { closeMessage } from './connection.js';
import type { EditorKit } from './RoomGate.js';
import type { RoomState } from './roomState.js';

export function RoomPage(props: { room: RoomState; kit: EditorKit }) {
  const { room } = props;
  const { conn } = room;
  const [sharing, setSharing] = useState(false);

  useSignalEffect(() => {
    const error = conn.lastError.value;
    const sentence = error && errorSentence(error.code);
    if (sentence) toast(sentence, 'error');
    else if (error) console.warn(`Tandem relay: ${error.code}: ${error.message}`);
  });
  useSignalEffect(() => {
    const name = room.roomName.value;
    document.title = name ? `${name} · Tandem` : 'Tandem';
    if (name) rememberRoom(conn.roomId, name);
  });

  const closed = conn.closed.value;
  const role = conn.me.value.role;
  const [forking, setForking] = useState(false);
  const fork = async () => {
    setForking(true);
    try {
      const copy = await forkRoom(conn.roomId, conn.token);
      remember(copy.roomId, OWNER_LINK, copy.token, copy.links);
      navigate(`/r/${copy.roomId}`);
    } catch (error) {
      toast(error instanceof ApiError ? error.message : 'The room could not be forked.', 'error');
      setForking(false);
    }
  };
  return (
    <div class="room">
      <header class="topbar">
        <BrandLink />
        <span class="room-name" title={room.roomName.value}>
          {room.roomName.value || 'Untitled project'}
        </span>
        {role === 'viewer' && <span class="pill">View only</span>}
        <ConnectionBadge conn={conn} />
        <span class="spacer" />
        <button
          class="button small"
          title="Copy the current files into a new room of your own"
          disabled={forking}
          onClick={() => void fork()}
          data-testid="fork"
        >
          {forking ? 'Forking…' : 'Fork'}
        </button>
        {canManage(role) && (
          <button class="button small" onClick={() => setSharing(true)} data-testid="share">
            <ShareIcon size={14} /> Share
          </button>
        )}
        <ThemeToggle />
      </header>
      <div class="workspace">
        <aside class="sidebar" aria-label="Files">
          <FileTree room={room} />
        </aside>
        <main class="center">
          <Tabs room={room} />
          <EditorPane room={room} kit={props.kit} />
          <RunPanel room={room} />
        </main>
        <aside class="sidepanel" aria-label="People and chat">
          <MediaStrip room={room} />
          <People room={room} />
          <ChatPanel room={room} />
        </aside>
      </div>
      {sharing && (
        <ShareDialog roomId={conn.roomId} ownerToken={conn.token} onClose={() => setSharing(false)} />
      )}
      {closed && (
        <div class="overlay" role="alertdialog">
          <div class="card gate-card">
            <h2>Disconnected</h2>
            <p>{closeMessage(closed.code)}</p>
            <p class="muted">Everything you typed is kept in this browser.</p>
            <button class="button" onClick={() => navigate('/')}>
              Back to the start page
            </button>
          </div>
        </div>
      )}
      <Toasts />
    </div>
  );
}

/** Relay errors a person can act on, in a sentence; the rest are for the console. */
function errorSentence(code: string): string | null {
  switch (code) {
    case 'read_only':
      return 'You have a view link: your changes were not saved.';
    case 'payload_too_large':
      return 'That change is too large to save. Try a smaller paste.';
    case 'room_full':
      return 'This room is full.';
    default:
      return null;
  }
}
