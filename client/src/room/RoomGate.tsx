/**
 * Opening a room: ask for a name if we have none, exchange the link for a
 * personal token, load Monaco while the document loads, then show the room.
 */
import { BrandLink } from '../ui/BrandLink.js';
import { useEffect, useState } from 'preact/hooks';
import type * as EditorKitModule from '../editor/editorKit.js';
import { ApiError } from '../lib/api.js';
import { cleanName, displayName, rememberRoom, setDisplayName } from '../lib/profile.js';
import { rememberLoadedAssets } from '../lib/offline.js';
import { navigate } from '../lib/route.js';
import { ThemeToggle } from '../ui/ThemeToggle.js';
import { RoomConnection } from './connection.js';
import { RoomPage } from './RoomPage.js';
import { mediaDebug } from '../media/debug.js';
import { RoomState } from './roomState.js';
import { openSession } from './session.js';

export type EditorKit = typeof EditorKitModule;

/** Long enough for the editor's first grammar and worker to have loaded. */
const ASSET_CACHE_DELAY_MS = 3000;

type Phase =
  | { kind: 'name' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; room: RoomState; kit: EditorKit };

export function RoomGate(props: { roomId: string; linkToken: string | null }) {
  const [phase, setPhase] = useState<Phase>(displayName.value ? { kind: 'loading' } : { kind: 'name' });
  // The room lives from the moment we have a name until this page goes away; later
  // phase changes (loading -> ready) must not tear it down.
  const started = phase.kind !== 'name';

  useEffect(() => {
    if (!started) return;
    let cancelled = false;
    let room: RoomState | null = null;
    // Start fetching Monaco now; it does not depend on the token.
    const kitLoad = import('../editor/editorKit.js');
    (async () => {
      const session = await openSession(props.roomId, props.linkToken, displayName.value);
      const { claims } = session;
      const conn = new RoomConnection(props.roomId, session.token, {
        userId: claims.uid,
        name: claims.name,
        role: claims.role,
      });
      room = new RoomState(conn);
      exposeForDebugging(conn, room);
      const kit = await kitLoad;
      if (cancelled) return;
      rememberRoom(props.roomId, room.roomName.value);
      setPhase({ kind: 'ready', room, kit });
      // Monaco and its grammar chunks are loaded now: keep them for offline reloads.
      setTimeout(rememberLoadedAssets, ASSET_CACHE_DELAY_MS);
    })().catch((error: unknown) => {
      if (cancelled) return;
      const message =
        error instanceof ApiError || error instanceof Error
          ? error.message
          : 'This room could not be opened.';
      setPhase({ kind: 'error', message });
    });
    return () => {
      cancelled = true;
      if (room) {
        room.destroy();
        room.conn.destroy();
      }
    };
  }, [started, props.roomId, props.linkToken]);

  if (phase.kind === 'ready') return <RoomPage room={phase.room} kit={phase.kit} />;
  return (
    <div class="gate">
      <div class="gate-top">
        <BrandLink />
        <ThemeToggle />
      </div>
      {phase.kind === 'name' && <NameCard onDone={() => setPhase({ kind: 'loading' })} />}
      {phase.kind === 'loading' && (
        <div class="card gate-card" aria-busy="true">
          <div class="spinner" /> Opening the room…
        </div>
      )}
      {phase.kind === 'error' && (
        <div class="card gate-card" role="alert">
          <h2>Cannot open this room</h2>
          <p>{phase.message}</p>
          <button class="button" onClick={() => navigate('/')}>
            Back to the start page
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * `window.tandem` in the console: the document, provider and the open file's text.
 * For debugging and for end-to-end tests; it holds nothing the page does not
 * already have.
 */
function exposeForDebugging(conn: RoomConnection, room: RoomState): void {
  Object.assign(window, {
    tandem: { conn, doc: conn.doc, provider: conn.provider, media: mediaDebug(room.media) },
  });
}

function NameCard(props: { onDone: () => void }) {
  const [name, setName] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    if (!cleanName(name)) return;
    setDisplayName(name);
    props.onDone();
  };
  return (
    <form class="card gate-card" onSubmit={submit}>
      <h2>Join the room</h2>
      <label class="field">
        <span>Your name, as others will see it</span>
        <input
          name="displayName"
          value={name}
          maxLength={64}
          autoFocus
          placeholder="Ada Lovelace"
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <button class="button primary" type="submit" disabled={!cleanName(name)}>
        Join
      </button>
    </form>
  );
}
