/**
 * The /replay page before a file is chosen: a file picker and a drop zone for
 * a replay exported from a room's history, and the reason a file was refused.
 * The file never leaves this browser.
 */
import { useState } from 'preact/hooks';
import { navigate } from '../lib/route.js';
import { UploadIcon } from '../ui/icons.js';
import { REPLAY_FILE_SUFFIX } from './readBundle.js';

export function OpenReplayFile(props: { error: string | null; onFile: (file: File) => void }) {
  const [over, setOver] = useState(false);
  const take = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file) props.onFile(file);
  };
  return (
    <div class="card gate-card replay-open">
      <h2>Open a replay</h2>
      <p class="muted">
        A <code>{REPLAY_FILE_SUFFIX}</code> file exported from a room’s history. It plays here, in your
        browser: nothing is uploaded.
      </p>
      <label
        class={`replay-drop${over ? ' over' : ''}`}
        data-testid="replay-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          take(e.dataTransfer?.files);
        }}
      >
        <UploadIcon size={24} />
        <span>
          <strong>Choose a file</strong> or drop it here
        </span>
        <input
          type="file"
          accept=".json,application/json"
          data-testid="replay-file"
          onChange={(e) => {
            take(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
      {props.error && (
        <p class="error" role="alert" data-testid="replay-error">
          {props.error}
        </p>
      )}
      <button class="button" onClick={() => navigate('/')}>
        Back to the start page
      </button>
    </div>
  );
}
