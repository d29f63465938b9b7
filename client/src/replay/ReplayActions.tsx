/**
 * What can be done from the moment shown: export the whole replay as a file,
 * fork a new room from this moment, restore the room to it (editors only,
 * after a confirmation). A replay opened from a file has no room to talk to,
 * so restore and fork say why they are off.
 */
import { useState } from 'preact/hooks';
import { serializeReplayBundle } from '../../../shared/replay/bundle.js';
import { navigate } from '../lib/route.js';
import { saveBytes } from '../room/transfer.js';
import { OWNER_LINK, remember } from '../room/session.js';
import { attempt } from '../ui/attempt.js';
import { Dialog } from '../ui/Dialog.js';
import { DownloadIcon, HistoryIcon } from '../ui/icons.js';
import { toast } from '../ui/toast.js';
import { forkFrom, restoreTo } from './historyRequests.js';
import { replayFileName } from './readBundle.js';
import type { ReplaySession } from './replaySession.js';

const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const OFFLINE_REASON =
  'A replay file is not connected to its room: open the history from the room to restore or fork.';

export function ReplayActions(props: { session: ReplaySession }) {
  const { session } = props;
  const { source } = session;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const position = session.position.value;
  const entry = position >= 0 ? session.bundle.entries[position] : undefined;
  const room = source.kind === 'room' ? source : null;
  const noMoment = entry ? null : 'Move to a moment after the first change first.';

  const exportFile = () => {
    const { bundle } = session;
    const json = serializeReplayBundle(bundle);
    saveBytes(
      replayFileName(bundle.room.name, bundle.exportedAt),
      new TextEncoder().encode(json),
      'application/json',
    );
  };
  const fork = async () => {
    if (!room || !entry) return;
    setBusy(true);
    const copy = await attempt(forkFrom(room.roomId, room.token, entry.seq), 'The room could not be forked.');
    if (!copy) return setBusy(false);
    remember(copy.roomId, OWNER_LINK, copy.token, copy.links);
    navigate(`/r/${copy.roomId}`);
  };
  const restore = async () => {
    if (!room || !entry) return;
    setBusy(true);
    const done = await attempt(
      restoreTo(room.roomId, room.token, entry.seq),
      'The project could not be restored.',
    );
    setBusy(false);
    setConfirming(false);
    if (!done) return;
    toast(`Restored the project to ${moment.format(entry.at)}.`);
    navigate(`/r/${room.roomId}`);
  };

  const restoreReason = !room
    ? OFFLINE_REASON
    : !room.canEdit
      ? 'Only people who may edit the room can restore it.'
      : noMoment;
  return (
    <>
      <button
        class="button small"
        onClick={exportFile}
        data-testid="export-replay"
        title="Download this replay as a file"
      >
        <DownloadIcon size={14} /> Export replay
      </button>
      <button
        class="button small"
        onClick={() => void fork()}
        disabled={busy || !room || !entry}
        title={
          !room
            ? OFFLINE_REASON
            : (noMoment ?? 'Start a new room of your own with the files as they were here')
        }
        data-testid="fork-from-here"
      >
        Fork from here
      </button>
      {(!room || room.canEdit) && (
        <button
          class="button small primary"
          onClick={() => setConfirming(true)}
          disabled={busy || restoreReason !== null}
          title={restoreReason ?? 'Make the room’s files what they were at this moment'}
          data-testid="restore"
        >
          <HistoryIcon size={14} /> Restore this version
        </button>
      )}
      {confirming && entry && (
        <Dialog title="Restore this version?" onClose={() => setConfirming(false)} testId="restore-dialog">
          <p>
            The room’s files become what they were at <strong>{moment.format(entry.at)}</strong>, for everyone
            in it. Nothing is lost: the history keeps every version, so you can restore a later one again.
          </p>
          <div class="replay-dialog-buttons">
            <button class="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              class="button primary"
              onClick={() => void restore()}
              disabled={busy}
              data-testid="restore-confirm"
            >
              {busy ? 'Restoring…' : 'Restore'}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
