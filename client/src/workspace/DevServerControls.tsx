/**
 * The run bar's dev server controls, for whoever may edit: the command (the
 * running one, else the room's own or a guess from its files, until edited)
 * and Start, or Restart and Stop while it runs. The relay opens the workspace
 * first if it is off. In a web project Start is the bar's main action; in a
 * project that runs rather than serves, the command stays folded into the
 * button (the bar has Run and its pickers to show) until the first click
 * opens it, or while a dev server runs.
 */
import { useRef, useState } from 'preact/hooks';
import { DEV_COMMAND_CHARS_MAX } from '../../../shared/protocol/table.js';
import type { RoomState } from '../room/roomState.js';

export function DevServerControls(props: { room: RoomState; primary: boolean; shortcut: string }) {
  const { room } = props;
  const { workspace } = room;
  const command = room.devCommand.value;
  const running = workspace.devServer.value?.state === 'running';
  const state = workspace.status.value.state;
  const [unfolded, setUnfolded] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const shown = props.primary || running || unfolded;
  const start = () => {
    if (shown) return void room.startDevServer();
    setUnfolded(true);
    requestAnimationFrame(() => input.current?.select());
  };
  const keys = props.primary ? ` (${props.shortcut})` : '';
  return (
    <span class="dev-server-controls">
      {shown && (
        <input
          ref={input}
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
          onInput={(e) => (room.devCommandTyped.value = e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            start();
          }}
        />
      )}
      <button
        class={`button small${props.primary ? ' primary' : ''}`}
        title={
          running
            ? `Stop the dev server and start this command instead${keys}`
            : shown
              ? `Start this command on a terminal in the room’s workspace; everyone sees it and its preview${keys}`
              : 'Serve this project: choose the dev server’s command'
        }
        disabled={(shown && command.trim() === '') || state === 'stopping'}
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
