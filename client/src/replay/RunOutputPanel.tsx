/**
 * A recorded run's output, in the run panel's terminal: the header, stdout as
 * the program printed it, stderr in red, and the exit in a sentence. Opened
 * from a run marker on the timeline or a run row in the events list.
 */
import { useMemo } from 'preact/hooks';
import { readRunOutput, type ReplayRun } from '../../../shared/replay/bundle.js';
import { RunTerminal } from '../run/RunTerminal.js';
import { exitLine, headerLine, noteLine, writeOutput } from '../run/runText.js';
import { Transcript } from '../run/transcript.js';
import { CloseIcon } from '../ui/icons.js';
import type { ReplaySession } from './replaySession.js';
import { OutputStream } from '../../../shared/protocol/table.js';

function transcriptOf(run: ReplayRun): Transcript {
  const transcript = new Transcript();
  transcript.write(
    headerLine({ name: run.name, language: run.language, entry: run.entry, startedAt: run.startedAt }),
  );
  for (const chunk of readRunOutput(run.output)) writeOutput(transcript, chunk.stream, chunk.bytes);
  transcript.newLine();
  if (run.outputTruncated) transcript.write(noteLine('(output cut: only the start was kept)'));
  transcript.write(exitLine({ ...run, code: run.exitCode }));
  return transcript;
}

export function RunOutputPanel(props: { session: ReplaySession; run: ReplayRun }) {
  const { run, session } = props;
  const transcript = useMemo(() => transcriptOf(run), [run]);
  const streams = useMemo(() => new Set(readRunOutput(run.output).map((c) => c.stream)), [run]);
  return (
    <section class="replay-run" aria-label="Run output" data-testid="replay-run" data-run={run.runId}>
      <div class="run-toolbar">
        <span class="panel-title replay-run-title">Run output</span>
        <span class="muted replay-run-streams">
          {streams.has(OutputStream.Stdout) && <span class="replay-stream stdout">stdout</span>}
          {streams.has(OutputStream.Stderr) && <span class="replay-stream stderr">stderr in red</span>}
        </span>
        <span class="spacer" />
        <button
          class="icon-button tiny"
          aria-label="Close the run output"
          onClick={() => (session.openRun.value = null)}
        >
          <CloseIcon size={12} />
        </button>
      </div>
      <div class="run-output">
        <RunTerminal transcript={transcript} />
      </div>
    </section>
  );
}
