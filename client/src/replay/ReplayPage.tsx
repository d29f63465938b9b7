/**
 * The replay: files then (left), the file at that moment (centre, with the
 * authorship toggle and a recorded run's output), events and chat (right),
 * the player along the bottom. Keys: space plays or pauses, ←/→ step through
 * events, Home/End jump to the start and the end.
 */
import { AuthorsLegend } from './AuthorsLegend.js';
import { useEffect } from 'preact/hooks';
import { navigate } from '../lib/route.js';
import { BrandLink } from '../ui/BrandLink.js';
import { ThemeToggle } from '../ui/ThemeToggle.js';
import { Toasts } from '../ui/toast.js';
import { ChatThen, EventList } from './EventList.js';
import { ReplayActions } from './ReplayActions.js';
import { ReplayEditor, type MonacoApi } from './ReplayEditor.js';
import { ReplayIcon } from './replayIcons.js';
import type { ReplaySession } from './replaySession.js';
import { ReplayTree } from './ReplayTree.js';
import { RunOutputPanel } from './RunOutputPanel.js';
import { Transport } from './Transport.js';

export function ReplayPage(props: { session: ReplaySession; monaco: MonacoApi }) {
  const { session } = props;
  const { source, bundle } = session;

  useEffect(() => {
    document.title = `${bundle.room.name || 'Room'} · History · Tandem`;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || document.querySelector('[role=dialog]'))
        return;
      const act: Record<string, () => void> = {
        ' ': () => session.toggle(),
        ArrowLeft: () => session.step(-1),
        ArrowRight: () => session.step(1),
        Home: () => session.seek(0),
        End: () => session.seek(session.length - 1),
      };
      const action = act[e.key];
      if (!action) return;
      // Also keeps a focused button from taking space as a click: space always plays or pauses.
      e.preventDefault();
      action();
    };
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('keydown', onKey);
      document.title = 'Tandem';
    };
  }, [session]);

  const run = session.openRun.value;
  return (
    <div class="room replay" data-testid="replay">
      <header class="topbar">
        <BrandLink />
        <span class="room-name" data-testid="replay-room-name">
          {bundle.room.name || 'Untitled room'}
        </span>
        <span class="pill">{source.kind === 'room' ? 'History' : `Replay file · ${source.fileName}`}</span>
        <span class="spacer" />
        <ReplayActions session={session} />
        {source.kind === 'room' && (
          <button
            class="button small"
            onClick={() => navigate(`/r/${source.roomId}`)}
            data-testid="back-to-room"
          >
            Back to the room
          </button>
        )}
        <ThemeToggle />
      </header>
      <div class="workspace">
        <aside class="sidebar" aria-label="Files at this moment">
          <ReplayTree session={session} />
        </aside>
        <main class="center">
          <EditorHead session={session} />
          <div class="editor-area">
            <ReplayEditor session={session} monaco={props.monaco} />
            <EditorOverlay session={session} />
          </div>
          {run && <RunOutputPanel session={session} run={run} />}
        </main>
        <aside class="sidepanel" aria-label="Events and chat">
          <EventList session={session} />
          <ChatThen session={session} />
        </aside>
      </div>
      <Transport session={session} />
      <Toasts />
    </div>
  );
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function EditorHead(props: { session: ReplaySession }) {
  const { session } = props;
  const file = session.shownFile.value;
  const following = session.picked.value === null;
  const authors = session.showAuthors.value;
  const progress = session.authorshipProgress.value;
  const toggleAuthors = () => {
    session.showAuthors.value = !authors;
    if (!authors) void session.loadAuthorship();
  };
  return (
    <div class="replay-head">
      <span class="replay-path" data-testid="replay-path">
        {file?.path ?? 'No file'}
      </span>
      <button
        class={`button small${following ? ' on' : ''}`}
        aria-pressed={following}
        onClick={() => (session.picked.value = following ? (file?.id ?? null) : null)}
        title="Show the file being edited as the replay moves"
        data-testid="follow-edits"
      >
        {following ? 'Following edits' : 'Follow edits'}
      </button>
      <button
        class={`button small${authors ? ' on' : ''}`}
        aria-pressed={authors}
        onClick={toggleAuthors}
        title="Colour each line by who wrote it last"
        data-testid="authors-toggle"
      >
        <ReplayIcon name="authors" size={14} /> Authors
      </button>
      {authors && progress !== null && (
        <span class="muted">Reading authors… {Math.round(progress * 100)}%</span>
      )}
      {authors && <AuthorsLegend entries={session.legend.value} />}
    </div>
  );
}

function EditorOverlay(props: { session: ReplaySession }) {
  const file = props.session.shownFile.value;
  if (file?.kind === 'text') return null;
  return (
    <div class="editor-empty">
      {file ? `${file.path} is a binary file: it is not shown.` : 'No files at this moment.'}
    </div>
  );
}
