import { describe, expect, it } from 'vitest';
import {
  exitLine,
  exitSentence,
  formatDuration,
  headerLine,
  newRunId,
  preparingSentence,
  type ExitInfo,
} from './runText.js';
import { RUN_ID_PATTERN } from '../../../shared/protocol/table.js';
import { plainTerminalText } from '../../../shared/terminalText.js';

const exit = (fields: Partial<ExitInfo>): ExitInfo => ({
  code: null,
  signal: '',
  reason: 'exited',
  durationMs: 0,
  message: '',
  ...fields,
});
const plain = plainTerminalText;

describe('run text', () => {
  it('says how far a sandbox image is, or why it cannot be built, with the fix', () => {
    expect(preparingSentence('python', { percent: 55, what: 'installing', problem: '' })).toBe(
      'Preparing the Python sandbox… 55% (installing)',
    );
    expect(
      preparingSentence('go', {
        percent: 0,
        what: 'cannot be built here',
        problem: 'missing debootstrap. Fix: x',
      }),
    ).toBe('The Go sandbox is missing and the runner cannot build it: missing debootstrap. Fix: x');
  });

  it('formats durations as people read them', () => {
    expect(formatDuration(312)).toBe('312 ms');
    expect(formatDuration(2400)).toBe('2.4 s');
    expect(formatDuration(10_000)).toBe('10 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('says every exit reason in plain words', () => {
    expect(exitSentence(exit({ code: 0, durationMs: 420 }))).toBe('Exited with code 0 after 420 ms');
    expect(exitSentence(exit({ code: 2, durationMs: 1500 }))).toBe('Exited with code 2 after 1.5 s');
    const timeout = exit({
      reason: 'timeout',
      durationMs: 10_020,
      message: 'stopped after the 10000 ms time limit',
    });
    expect(exitSentence(timeout)).toBe('Stopped after the 10 s time limit');
    const memory = exit({
      reason: 'memory',
      durationMs: 800,
      message: 'killed: used more than the 268435456-byte memory limit',
    });
    expect(exitSentence(memory)).toBe('Killed after 800 ms: it used more than the 256 MB memory limit');
    const output = exit({ reason: 'output-limit', message: 'stopped after the 1048576-byte output limit' });
    expect(exitSentence(output)).toBe('Stopped after the 1 MB output limit');
    expect(exitSentence(exit({ reason: 'killed', durationMs: 2300, message: 'stopped' }))).toBe(
      'Stopped after 2.3 s',
    );
    const unavailable = exit({
      reason: 'error',
      message: 'language unavailable: no runner can run go right now',
    });
    expect(exitSentence(unavailable)).toBe('Language unavailable: no runner can run go right now');
    const missing = exit({ reason: 'error', message: 'entry file "x.py" is not in the project' });
    expect(exitSentence(missing)).toBe('Could not run: entry file "x.py" is not in the project');
  });

  it('writes a header with who, language and entry, and an exit line that adds what the sentence lacks', () => {
    const header = plain(
      headerLine({ name: 'Alice', language: 'python', entry: 'main.py', startedAt: null }),
    );
    expect(header).toBe('▶ Alice · Python · main.py\r\n');
    const line = plain(exitLine(exit({ code: 0, durationMs: 300 })));
    expect(line).toBe('✓ Exited with code 0 after 300 ms\r\n\r\n');
    const killed = exit({ reason: 'killed', durationMs: 2000, message: 'stopped', signal: 'SIGKILL' });
    expect(plain(exitLine(killed))).toBe('■ Stopped after 2 s (killed)\r\n\r\n');
    const timeout = exit({
      reason: 'timeout',
      durationMs: 10_400,
      message: 'stopped after the 10000 ms time limit',
    });
    expect(plain(exitLine(timeout))).toBe('■ Stopped after the 10 s time limit (timeout · 10.4 s)\r\n\r\n');
  });

  it('makes run ids the relay accepts', () => {
    const ids = new Set(Array.from({ length: 50 }, newRunId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
  });
});
