/**
 * The ways into a replay from other pages: the room's History button and the
 * landing page's link to open a replay file. Paths live in replayRoute.ts.
 */
import { navigate } from '../lib/route.js';
import './replay.css';
import { HistoryIcon } from '../ui/icons.js';
import { historyPath, REPLAY_FILE_PATH } from './replayRoute.js';

/** The landing page's way in to /replay. */
export function OpenReplayLink() {
  return (
    <a
      class="replay-open-link"
      href={REPLAY_FILE_PATH}
      data-testid="open-replay"
      onClick={(e) => {
        e.preventDefault();
        navigate(REPLAY_FILE_PATH);
      }}
    >
      <HistoryIcon size={14} /> Open a replay file
    </a>
  );
}

/** The room's top-bar button to its history. */
export function HistoryButton(props: { roomId: string }) {
  return (
    <button
      class="button small"
      onClick={() => navigate(historyPath(props.roomId))}
      data-testid="history"
      title="Replay the room’s history: who wrote what, and when"
    >
      <HistoryIcon size={14} /> History
    </button>
  );
}
