/** Stdin for the running program: Enter sends the line, Ctrl+D (or the button) closes stdin. */
import { useState } from 'preact/hooks';
import type { RunSession } from './runSession.js';

/** A line longer than this is surely a paste gone wrong; the relay takes far more per frame. */
const LINE_MAX_CHARS = 8192;

export function StdinBar(props: { runs: RunSession }) {
  const { runs } = props;
  const [line, setLine] = useState('');
  const closed = runs.focus.value?.stdinClosed ?? true;
  const close = () => {
    runs.closeStdin(line);
    setLine('');
  };
  return (
    <form
      class="stdin-bar"
      onSubmit={(e) => {
        e.preventDefault();
        if (runs.sendLine(line)) setLine('');
      }}
    >
      <span class="stdin-prompt" aria-hidden="true">
        ›
      </span>
      <input
        name="stdin"
        aria-label="Input for the program"
        value={line}
        maxLength={LINE_MAX_CHARS}
        disabled={closed}
        autocomplete="off"
        spellcheck={false}
        placeholder={
          closed ? 'stdin is closed' : 'Input for the program: Enter sends the line, Ctrl+D ends it'
        }
        onInput={(e) => setLine(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.ctrlKey && e.key.toLowerCase() === 'd') {
            e.preventDefault(); // not the browser's bookmark shortcut
            close();
          }
        }}
      />
      <button
        type="button"
        class="button small"
        disabled={closed}
        onClick={close}
        title="Send end of file (Ctrl+D)"
      >
        Close stdin
      </button>
    </form>
  );
}
