/**
 * What the run panel writes: a header per run, the exit in a sentence, and the
 * ANSI colours that tell stderr and the panel's own lines from program output.
 * The runner's exit messages carry raw numbers ("the 10000 ms time limit"); people
 * read "the 10 s time limit".
 */
import { LANGUAGES } from '../../../shared/languages.js';
import { formatBytes } from '../lib/format.js';
import { OutputStream, type ExitReason } from '../../../shared/protocol/table.js';
import type { Piece, Transcript } from './transcript.js';

export interface ExitInfo {
  code: number | null;
  signal: string;
  reason: ExitReason | string;
  durationMs: number;
  message: string;
}

export interface RunHead {
  /** Who started it; null when this page never learnt (it joined mid-run). */
  name: string | null;
  language: string | null;
  entry: string | null;
  startedAt: number | null;
}

const RESET = '\x1b[0m';
const BOLD_CYAN = '\x1b[1;36m';
const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const DEFAULT_FG = '\x1b[39m';

const NORMAL_INTENSITY = '\x1b[22m';

/**
 * Around a chunk of output by stream: stderr red, typed stdin dimmed, each
 * then back to the default (a program's own colours survive inside).
 */
const OUTPUT_STYLES: Record<OutputStream, readonly [string, string] | null> = {
  [OutputStream.Stdout]: null,
  [OutputStream.Stderr]: [RED, DEFAULT_FG],
  [OutputStream.Input]: [DIM, NORMAL_INTENSITY],
};

/** A chunk of a run's output into a transcript, styled as everyone saw it live. */
export function writeOutput(transcript: Transcript, stream: OutputStream, bytes: Piece): void {
  const style = OUTPUT_STYLES[stream];
  if (style) transcript.style(style[0]);
  transcript.write(bytes);
  if (style) transcript.style(style[1]);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** `312 ms`, `2.4 s`, `10 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

export function languageName(id: string | null): string {
  return LANGUAGES.find((l) => l.id === id)?.name ?? id ?? 'unknown language';
}

/**
 * "Preparing the Python sandbox… 55% (installing)": a runner builds the
 * language's image; or why it cannot, with the fix.
 */
export function preparingSentence(
  language: string,
  progress: { percent: number; what: string; problem: string },
): string {
  const name = languageName(language);
  if (progress.problem)
    return `The ${name} sandbox is missing and the runner cannot build it: ${progress.problem}`;
  return `Preparing the ${name} sandbox… ${progress.percent}% (${progress.what})`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The exit in plain words, e.g. "Stopped after the 10 s time limit". */
export function exitSentence(exit: ExitInfo): string {
  const after = formatDuration(exit.durationMs);
  const message = exit.message.trim();
  switch (exit.reason) {
    case 'exited': {
      const how =
        exit.code === null ? `Ended by ${exit.signal || 'a signal'}` : `Exited with code ${exit.code}`;
      return `${how} after ${after}${message ? `: ${message}` : ''}`;
    }
    case 'timeout': {
      const limit = /(\d+) ms/.exec(message);
      return limit
        ? `Stopped after the ${formatDuration(Number(limit[1]))} time limit`
        : `Timed out after ${after}`;
    }
    case 'memory': {
      const limit = /(\d+)-byte/.exec(message);
      return limit
        ? `Killed after ${after}: it used more than the ${formatBytes(Number(limit[1]))} memory limit`
        : `Killed after ${after}: out of memory`;
    }
    case 'output-limit': {
      const limit = /(\d+)-byte/.exec(message);
      return limit
        ? `Stopped after the ${formatBytes(Number(limit[1]))} output limit`
        : `Stopped after ${after}: too much output`;
    }
    case 'killed':
      return message === 'stopped before it started' ? 'Stopped before it started' : `Stopped after ${after}`;
    default:
      if (/^language unavailable/i.test(message)) return capitalise(message);
      return message ? `Could not run: ${message}` : `Failed after ${after}`;
  }
}

/** Did the run end well (exit code 0)? */
export function exitedCleanly(exit: ExitInfo): boolean {
  return exit.reason === 'exited' && exit.code === 0;
}

/** The relay refused the run because no runner serves its language now: availability is stale. */
export function isLanguageUnavailable(exit: ExitInfo): boolean {
  return exit.reason === 'error' && /^language unavailable/i.test(exit.message);
}

/** `▶ Alice · Python · main.py · 14:02:11`, bold, on its own line. */
export function headerLine(head: RunHead, note = ''): string {
  const who = head.name ?? 'A run started before you joined';
  const parts = [who];
  if (head.language) parts.push(languageName(head.language));
  if (head.entry) parts.push(head.entry);
  const time = head.startedAt ? ` · ${clock.format(head.startedAt)}` : '';
  return `${BOLD_CYAN}▶ ${parts.join(' · ')}${RESET}${DIM}${time}${note ? ` · ${note}` : ''}${RESET}\r\n`;
}

/** The run's last line: the sentence, then (dimmed) what it does not already say: reason, code, duration. */
export function exitLine(exit: ExitInfo): string {
  const ok = exitedCleanly(exit);
  const colour = ok ? GREEN : exit.reason === 'killed' ? '' : RED;
  const sentence = exitSentence(exit);
  const duration = formatDuration(exit.durationMs);
  const details = [
    exit.reason === 'exited' ? '' : exit.reason,
    exit.code === null || sentence.includes(`code ${exit.code}`) ? '' : `code ${exit.code}`,
    sentence.includes(duration) || exit.durationMs === 0 ? '' : duration,
  ].filter(Boolean);
  const detail = details.length > 0 ? `${DIM} (${details.join(' · ')})${RESET}` : '';
  return `${colour}${ok ? '✓' : '■'} ${sentence}${RESET}${detail}\r\n\r\n`;
}

/** A line from the panel itself (queue position, a lost connection, typed stdin): dimmed. */
export function noteLine(text: string): string {
  return `${DIM}${text}${RESET}\r\n`;
}

/** The run's id: 32 hex characters (crypto.getRandomValues works on plain http too, randomUUID does not). */
export function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
