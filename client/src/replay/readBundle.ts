/**
 * Reading a replay file someone opened: the bundle's own validation
 * (readReplayBundle) with the sentences a person needs for the usual faults,
 * an empty file, a file too large to open, a download that was cut off.
 */
import { readReplayBundle, ReplayFormatError, type ReplayBundle } from '../../../shared/replay/bundle.js';
import { formatBytes } from '../lib/format.js';

/** Larger files would not fit in one string in a browser tab. */
export const REPLAY_FILE_MAX_BYTES = 256 * 1024 * 1024;

export const REPLAY_FILE_SUFFIX = '.tandem-replay.json';

/** Throws ReplayFormatError with a sentence for the person who opened the file. */
export function readReplayText(text: string): ReplayBundle {
  if (text.trim() === '') throw new ReplayFormatError('The file is empty: it is not a Tandem replay.');
  try {
    return readReplayBundle(text);
  } catch (error) {
    if (!(error instanceof ReplayFormatError)) throw error;
    if (looksCutOff(text)) {
      throw new ReplayFormatError(
        'The replay file is incomplete: it stops part way through (was the download cut off?). Export it again.',
      );
    }
    throw new ReplayFormatError(`This file cannot be replayed: ${error.message}.`);
  }
}

export function checkReplayFileSize(bytes: number): void {
  if (bytes > REPLAY_FILE_MAX_BYTES) {
    throw new ReplayFormatError(
      `The file is ${formatBytes(bytes)}; replay files up to ${formatBytes(REPLAY_FILE_MAX_BYTES)} can be opened.`,
    );
  }
}

/** A replay's opening that is not valid JSON: the end is missing. */
function looksCutOff(text: string): boolean {
  if (!/^\s*\{\s*"format"\s*:\s*"tandem-replay"/.test(text)) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** `<room-name>-<date>.tandem-replay.json`, the name safe on every file system. */
export function replayFileName(roomName: string, exportedAt: number): string {
  const slug =
    roomName
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'room';
  const date = new Date(exportedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${slug}-${day}${REPLAY_FILE_SUFFIX}`;
}
