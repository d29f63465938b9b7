/**
 * The run panel's bar: Run or Stop, the language and entry pickers, the shell
 * and dev server, the run's status. In a web project (the room names a dev
 * command) the dev server is the main action, in place of running a file.
 */
import { useState } from 'preact/hooks';
import { LANGUAGES } from '../../../shared/languages.js';
import type { RoomState } from '../room/roomState.js';
import { DevServerControls } from '../workspace/DevServerControls.js';
import { ChevronIcon, ClearIcon, HistoryIcon, KeyIcon, PlayIcon, StopIcon } from '../ui/icons.js';
import { EnvDialog } from './EnvDialog.js';
import type { RunSession } from './runSession.js';
import { exitSentence, languageName, preparingSentence } from './runText.js';

const SHORTCUT =
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘+Enter' : 'Ctrl+Enter';

function terminalWhat(language: string): string {
  if (language === 'python') return 'a Python REPL with the entry loaded';
  if (language === 'javascript') return 'a Node.js REPL';
  return 'a shell in the project';
}

export function unavailableText(language: string): string {
  return `no runner can run ${languageName(language)} right now`;
}

export function RunToolbar(props: { room: RoomState }) {
  const runs = props.room.runs;
  const canRun = runs.canRun.value;
  const open = runs.panelOpen.value;
  const { conn } = props.room;
  const [envOpen, setEnvOpen] = useState(false);
  const web = props.room.metaDev.value !== null;
  const devControls = props.room.workspace.canUse.value && (
    <DevServerControls room={props.room} primary={web} shortcut={SHORTCUT} />
  );
  return (
    <div class="run-toolbar">
      {canRun && !web && <RunControls runs={runs} />}
      {web && devControls}
      {canRun && (
        <button
          class="button small"
          title="A shell (bash) in the room’s live workspace: the project’s files, kept in sync both ways; everyone watches, editors type"
          data-testid="shell-button"
          disabled={props.room.workspace.status.value.state === 'starting'}
          onClick={() => {
            runs.panelOpen.value = true;
            props.room.workspace.openShell(100, 30);
          }}
        >
          $ Shell
        </button>
      )}
      {!web && devControls}
      <span class="run-status" role="status" data-testid="run-status">
        <Status runs={runs} idle={web ? devServerIdle(props.room) : `${SHORTCUT} runs the project`} />
      </span>
      <span class="spacer" />
      {conn.canEdit && (
        <button
          class="icon-button"
          aria-label="Environment variables"
          title="Environment variables for runs"
          aria-haspopup="dialog"
          data-testid="env-button"
          onClick={() => setEnvOpen(true)}
        >
          <KeyIcon />
        </button>
      )}
      <button
        class="icon-button"
        aria-label="Recent runs"
        title="Recent runs of this room"
        aria-pressed={runs.historyOpen.value}
        data-testid="run-history-toggle"
        onClick={() => {
          runs.historyOpen.value = !runs.historyOpen.value;
          if (runs.historyOpen.value) runs.panelOpen.value = true;
        }}
      >
        <HistoryIcon />
      </button>
      <button
        class="icon-button"
        aria-label="Clear the output"
        title="Clear the output (here only)"
        disabled={runs.transcript.empty.value}
        onClick={() => runs.clear()}
      >
        <ClearIcon />
      </button>
      <button
        class={`icon-button run-collapse${open ? ' open' : ''}`}
        aria-label={open ? 'Hide the output' : 'Show the output'}
        aria-expanded={open}
        onClick={() => (runs.panelOpen.value = !open)}
      >
        <ChevronIcon />
      </button>
      {envOpen && <EnvDialog roomId={conn.roomId} token={conn.token} onClose={() => setEnvOpen(false)} />}
    </div>
  );
}

function RunControls(props: { runs: RunSession }) {
  const { runs } = props;
  const { target } = runs;
  const language = target.language.value;
  const entry = target.entry.value;
  const available = runs.availability.isAvailable(language);
  const entries = target.candidates.value.includes(entry)
    ? target.candidates.value
    : [entry, ...target.candidates.value];
  return (
    <>
      {runs.focus.value ? (
        <button class="button small danger" onClick={() => runs.stop()} data-testid="run-stop">
          <StopIcon size={14} /> Stop
        </button>
      ) : (
        <>
          <button
            class="button small primary"
            disabled={!available}
            title={available ? `Run ${entry} (${SHORTCUT})` : unavailableText(language)}
            onClick={() => runs.start()}
            data-testid="run-button"
          >
            <PlayIcon size={14} /> Run
          </button>
          <button
            class="button small"
            disabled={!available}
            title={
              available
                ? `Open a shared terminal: ${terminalWhat(language)}, everyone watches, editors type`
                : unavailableText(language)
            }
            onClick={() => runs.startTerminal()}
            data-testid="terminal-button"
          >
            &gt;_ Terminal
          </button>
        </>
      )}
      <select
        class="run-select"
        name="run-language"
        aria-label="Language"
        title={available ? 'Language' : unavailableText(language)}
        value={language}
        onChange={(e) => target.pickLanguage(e.currentTarget.value)}
      >
        {LANGUAGES.map((l) => {
          const ok = runs.availability.isAvailable(l.id);
          return (
            <option key={l.id} value={l.id} disabled={!ok} title={ok ? undefined : unavailableText(l.id)}>
              {l.name}
            </option>
          );
        })}
      </select>
      <select
        class="run-select"
        name="run-entry"
        aria-label="Entry file"
        title="The file to run"
        value={entry}
        onChange={(e) => target.pickEntry(e.currentTarget.value)}
      >
        {entries.map((path) => (
          <option key={path} value={path}>
            {path}
          </option>
        ))}
      </select>
    </>
  );
}

/** What the shortcut does in a web project, while no run is going. */
function devServerIdle(room: RoomState): string {
  return room.workspace.devServer.value?.state === 'running'
    ? `${SHORTCUT} restarts the dev server`
    : `${SHORTCUT} starts the dev server`;
}

function Status(props: { runs: RunSession; idle: string }) {
  const { runs } = props;
  const run = runs.focus.value;
  if (run) {
    if (run.stopping) return <>Stopping…</>;
    if (!run.started) return <>Starting…</>;
    if (run.queued !== null) return <>waiting for a runner (position {run.queued})</>;
    if (run.terminal) {
      return (
        <>
          <span class="run-dot" /> Shared terminal{run.mine || !run.name ? '' : ` · ${run.name}`}
          {runs.canRun.value ? <span class="muted"> · type in the output</span> : null}
        </>
      );
    }
    const who = run.mine || !run.name ? '' : ` · ${run.name}`;
    return (
      <>
        <span class="run-dot" /> Running {run.entry ?? ''}
        {who}
      </>
    );
  }
  // A runner builds this language's image: say how far, not that it is unavailable.
  const language = runs.target.language.value;
  const preparing = runs.availability.preparing(language);
  if (preparing) {
    return (
      <span class="muted" data-testid="run-preparing">
        {preparingSentence(language, preparing)}
      </span>
    );
  }
  const exit = runs.lastExit.value;
  if (exit) return <span class="muted">{exitSentence(exit)}</span>;
  return runs.canRun.value ? <span class="muted">{props.idle}</span> : null;
}
