/**
 * The two ways into a replay: a room's history (`/r/:roomId/history`, with the
 * token this browser already holds for the room, as the room page finds it)
 * and a replay file the person opens (`/replay`), played entirely here, with
 * no request to any server. Both show progress while the replay is prepared.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import { formatBytes } from '../lib/format.js';
import { displayName } from '../lib/profile.js';
import { navigate } from '../lib/route.js';
import './replay.css';
import { getRoom } from '../lib/roomApi.js';
import { openSession, storedSession } from '../room/session.js';
import { Gate, GateError } from '../ui/Gate.js';
import type { LoadJob } from './bundleLoader.js';
import { openReplay, type LoadPhase, type OpenedReplay } from './openReplay.js';
import { OpenReplayFile } from './OpenReplayFile.js';
import { ReplayPage } from './ReplayPage.js';
import type { ReplaySource } from './replaySession.js';

type Phase =
  | { kind: 'pick'; error: string | null }
  | { kind: 'loading'; phase: LoadPhase | null }
  | { kind: 'error'; title: string; message: string }
  | { kind: 'ready'; opened: OpenedReplay };

export function ReplayRoute(props: { roomId: string | null; linkToken: string | null }) {
  const { roomId, linkToken } = props;
  const [phase, setPhase] = useState<Phase>(
    roomId ? { kind: 'loading', phase: null } : { kind: 'pick', error: null },
  );
  const [file, setFile] = useState<File | null>(null);

  useEffect(() => {
    if (!roomId && !file) return;
    const abort = new AbortController();
    let opened: OpenedReplay | null = null;
    setPhase({ kind: 'loading', phase: null });
    (async () => {
      let job: LoadJob;
      let source: Promise<ReplaySource>;
      if (roomId) {
        // A link is exchanged for a personal token as the room page does; that needs a name.
        const canJoin = linkToken !== null && displayName.value !== '';
        const session =
          storedSession(roomId, linkToken) ??
          (canJoin ? await openSession(roomId, linkToken, displayName.value) : null);
        if (!session)
          throw new Error(
            'This browser has no access to this room yet. Open the room’s link first, then its history.',
          );
        const { token } = session;
        job = { kind: 'room', roomId, token };
        source = getRoom(roomId, token).then((info) => ({
          kind: 'room',
          roomId,
          token,
          canEdit: info.you.canEdit,
        }));
      } else {
        job = { kind: 'file', file: file! };
        source = Promise.resolve({ kind: 'file', fileName: file!.name });
      }
      opened = await openReplay(
        job,
        source,
        (p) => !abort.signal.aborted && setPhase({ kind: 'loading', phase: p }),
        abort.signal,
      );
      if (abort.signal.aborted) return opened.session.dispose();
      setPhase({ kind: 'ready', opened });
    })().catch((error: unknown) => {
      if (abort.signal.aborted) return;
      const message = error instanceof Error ? error.message : 'The replay could not be opened.';
      if (!roomId) return setPhase({ kind: 'pick', error: message });
      const removed = error instanceof ApiError && error.code === 'removed';
      setPhase({
        kind: 'error',
        title: removed ? 'Removed from this room' : 'Cannot open the history',
        message,
      });
    });
    return () => {
      abort.abort();
      opened?.session.dispose();
    };
  }, [roomId, linkToken, file]);

  if (phase.kind === 'ready')
    return <ReplayPage session={phase.opened.session} monaco={phase.opened.monaco} />;
  return (
    <Gate>
      {phase.kind === 'pick' && <OpenReplayFile error={phase.error} onFile={setFile} />}
      {phase.kind === 'loading' && <Preparing phase={phase.phase} />}
      {phase.kind === 'error' && (
        <GateError title={phase.title} message={phase.message} testId="replay-error">
          {roomId && (
            <button class="button" onClick={() => navigate(`/r/${roomId}`)}>
              Go to the room
            </button>
          )}
        </GateError>
      )}
    </Gate>
  );
}

function Preparing(props: { phase: LoadPhase | null }) {
  const { phase } = props;
  const building = phase?.step === 'build';
  const label = !phase
    ? 'Opening the history…'
    : phase.step === 'download'
      ? `Reading the history… ${phase.bytes > 0 ? formatBytes(phase.bytes) : ''}`
      : `Preparing the replay… ${phase.done.toLocaleString()} of ${phase.total.toLocaleString()} changes`;
  return (
    <div class="card gate-card replay-preparing" aria-busy="true" data-testid="replay-loading">
      <div class="replay-preparing-line">
        <div class="spinner" /> {label}
      </div>
      <progress
        max={building ? Math.max(1, phase.total) : undefined}
        value={building ? phase.done : undefined}
      />
    </div>
  );
}
