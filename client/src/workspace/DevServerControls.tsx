/**
 * The run bar's dev server controls, for whoever may edit: the command (the
 * running one, else a guess from the project's files, until edited) and Start,
 * or Restart and Stop while it runs. The relay opens the workspace first if it
 * is off.
 */
import { useState } from 'preact/hooks';
import { DEV_COMMAND_CHARS_MAX } from '../../../shared/protocol/table.js';
import { findFile } from '../../../shared/schema/project.js';
import type { RoomState } from '../room/roomState.js';
import { defaultDevCommand } from './devCommand.js';

export function DevServerControls(props: { room: RoomState; onStart: () => void }) {
  const { workspace, conn } = props.room;
  const [typed, setTyped] = useState<string | null>(null);
  const devServer = workspace.devServer.value;
  // Reading the file list subscribes to it: a package.json added later changes the guess.
  const paths = new Set(props.room.files.value.filter((f) => f.kind === 'text').map((f) => f.path));
  const guess = () =>
    defaultDevCommand((path) =>
      paths.has(path) ? (findFile(conn.doc, path)?.text.toString() ?? null) : null,
    );
  const command = typed ?? devServer?.command ?? guess();
  const running = devServer?.state === 'running';
  const state = workspace.status.value.state;
  const start = () => {
    if (workspace.startDevServer(command)) props.onStart();
  };
  return (
    <span class="dev-server-controls">
      <input
        class="dev-server-command"
        name="dev-server-command"
        aria-label="Dev server command"
        placeholder="Dev server command"
        title="The command that starts the dev server in the workspace; its ports show in the preview"
        spellcheck={false}
        autocomplete="off"
        maxLength={DEV_COMMAND_CHARS_MAX}
        value={command}
        data-testid="dev-server-command"
        onInput={(e) => setTyped(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          start();
        }}
      />
      <button
        class="button small"
        title={
          running
            ? 'Stop the dev server and start this command instead'
            : 'Start this command on a terminal in the room’s workspace; everyone sees it and its preview'
        }
        disabled={command.trim() === '' || state === 'stopping'}
        data-testid="dev-server-start"
        onClick={start}
      >
        {running ? '↻ Restart' : '▶ Dev server'}
      </button>
      {running && (
        <button
          class="button small"
          title="Stop the dev server"
          data-testid="dev-server-stop"
          onClick={() => workspace.stopDevServer()}
        >
          ■ Stop
        </button>
      )}
    </span>
  );
}
