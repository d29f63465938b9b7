/** The room's recent runs, from the relay's store: pick one to see its output again. */
import { useEffect } from 'preact/hooks';
import type { StoredRun } from '../lib/api.js';
import { CloseIcon } from '../ui/icons.js';
import type { RunSession } from './runSession.js';
import { exitedCleanly, exitSentence, formatDuration, languageName } from './runText.js';

const LISTED_MAX = 10;
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function RunHistory(props: { runs: RunSession }) {
  const { runs } = props;
  const close = () => (runs.historyOpen.value = false);
  useEffect(() => {
    void runs.loadHistory();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runs]);
  const list = runs.history.value;
  return (
    <div class="run-history" role="dialog" aria-label="Recent runs" data-testid="run-history">
      <div class="run-history-head">
        <span class="panel-title">Recent runs</span>
        <button class="icon-button tiny" aria-label="Close recent runs" onClick={close}>
          <CloseIcon size={12} />
        </button>
      </div>
      {list === null && <p class="muted run-history-note">Loading…</p>}
      {list?.length === 0 && <p class="muted run-history-note">No runs yet in this room.</p>}
      <ul>
        {list?.slice(0, LISTED_MAX).map((run) => (
          <li key={run.runId}>
            <button
              class="run-history-item"
              title="Show this run's output"
              onClick={() => {
                runs.showStored(run);
                close();
              }}
            >
              <Outcome run={run} />
              <span class="run-history-text">
                <span>
                  <strong>{run.entry}</strong> <span class="muted">{languageName(run.language)}</span>
                </span>
                <span class="muted">
                  {run.name} · {when.format(run.startedAt)} · {summary(run)}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Outcome(props: { run: StoredRun }) {
  const ok = exitedCleanly({ ...props.run, code: props.run.exitCode });
  return <span class={`run-outcome ${ok ? 'ok' : 'failed'}`} aria-label={ok ? 'succeeded' : 'failed'} />;
}

function summary(run: StoredRun): string {
  const exit = { ...run, code: run.exitCode };
  return exitedCleanly(exit) ? `exit 0 in ${formatDuration(run.durationMs)}` : exitSentence(exit);
}
