/**
 * Opening a room: ask for a name if we have none, exchange the link for a
 * personal token, load Monaco while the document loads, then show the room.
 */
import { Gate, GateError } from '../ui/Gate.js';
import { useEffect, useState } from 'preact/hooks';
import type { EditorKit } from '../editor/editorKitType.js';
import { ApiError } from '../lib/api.js';
import { getRoom } from '../lib/roomApi.js';
import { cleanName, displayName, rememberRoom, setDisplayName } from '../lib/profile.js';
import { rememberLoadedAssets } from '../lib/offline.js';
import { NOT_FOUND_SENTENCE, REMOVED_SENTENCE, RoomConnection } from '../room/connection.js';
import { RoomPage } from './RoomPage.js';
import { mediaDebug } from '../media/debug.js';
import { RoomState } from '../room/roomState.js';
import { Reopening } from '../room/reopen.js';
import { openSession } from '../room/session.js';

/** Long enough for the editor's first grammar and worker to have loaded. */
const ASSET_CACHE_DELAY_MS = 3000;

type Phase =
  | { kind: 'name' }
  | { kind: 'loading' }
  | { kind: 'error'; title: string; message: string }
  | { kind: 'ready'; handle: Reopening<RoomState>; kit: EditorKit };

export function RoomGate(props: { roomId: string; linkToken: string | null }) {
  const [phase, setPhase] = useState<Phase>(displayName.value ? { kind: 'loading' } : { kind: 'name' });
  // The room lives from the moment we have a name until this page goes away; later
  // phase changes (loading -> ready) must not tear it down.
  const started = phase.kind !== 'name';

  useEffect(() => {
    if (!started) return;
    let cancelled = false;
    let handle: Reopening<RoomState> | null = null;
    // Start fetching Monaco now; it does not depend on the token.
    const kitLoad = import('../editor/editorKit.js');
    (async () => {
      const session = await openSession(props.roomId, props.linkToken, displayName.value);
      const { claims } = session;
      handle = new Reopening(() => {
        const conn = new RoomConnection(props.roomId, session.token, {
          userId: claims.uid,
          name: claims.name,
          role: claims.role,
        });
        const room = new RoomState(conn);
        exposeForDebugging(conn, room);
        return room;
      });
      const [kit, refusal] = await Promise.all([kitLoad, accessRefusal(props.roomId, session.token)]);
      if (cancelled) return;
      if (refusal) {
        handle.destroy();
        handle = null;
        setPhase({ kind: 'error', ...refusal });
        return;
      }
      rememberRoom(props.roomId, handle.current.peek().roomName.peek());
      setPhase({ kind: 'ready', handle, kit });
      // Monaco and its grammar chunks are loaded now: keep them for offline reloads.
      setTimeout(rememberLoadedAssets, ASSET_CACHE_DELAY_MS);
    })().catch((error: unknown) => {
      if (cancelled) return;
      const message =
        error instanceof ApiError || error instanceof Error
          ? error.message
          : 'This room could not be opened.';
      setPhase({ kind: 'error', title: 'Cannot open this room', message });
    });
    return () => {
      cancelled = true;
      handle?.destroy();
    };
  }, [started, props.roomId, props.linkToken]);

  if (phase.kind === 'ready') {
    const { handle, kit } = phase;
    return (
      <RoomPage key={handle.generation.value} room={handle.current.value} kit={kit} notice={handle.notice} />
    );
  }
  return (
    <Gate>
      {phase.kind === 'name' && <NameCard onDone={() => setPhase({ kind: 'loading' })} />}
      {phase.kind === 'loading' && (
        <div class="card gate-card" aria-busy="true">
          <div class="spinner" /> Opening the room…
        </div>
      )}
      {phase.kind === 'error' && (
        <GateError title={phase.title} message={phase.message} testId="gate-error" />
      )}
    </Gate>
  );
}

/**
 * The relay's refusal of this token (the owner removed this person, the room is
 * gone), asked for beside the first connection: the WebSocket would only see a
 * failed upgrade and retry. Offline, or a relay without the room API: no answer,
 * no refusal; the room opens from the local copy.
 */
async function accessRefusal(
  roomId: string,
  token: string,
): Promise<{ title: string; message: string } | null> {
  try {
    await getRoom(roomId, token);
    return null;
  } catch (error) {
    if (!(error instanceof ApiError)) return null;
    if (error.code === 'removed') return { title: 'Removed from this room', message: REMOVED_SENTENCE };
    if (error.code === 'room_not_found') {
      return { title: 'Cannot open this room', message: NOT_FOUND_SENTENCE };
    }
    return error.status === 403 ? { title: 'Cannot open this room', message: error.message } : null;
  }
}

/**
 * `window.tandem` in the console: the document, channel and the open file's text.
 * For debugging and for end-to-end tests; it holds nothing the page does not
 * already have.
 */
function exposeForDebugging(conn: RoomConnection, room: RoomState): void {
  Object.assign(window, {
    tandem: { conn, doc: conn.doc, channel: conn.channel, media: mediaDebug(room.media) },
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
