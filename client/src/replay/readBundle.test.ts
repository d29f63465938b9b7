import { describe, expect, it } from 'vitest';
import { serializeReplayBundle, type ReplayBundle } from '../../../shared/replay/bundle.js';
import { SessionRecorder } from '../../../shared/replay/testing.js';
import { addFile } from '../../../shared/schema/project.js';
import { checkReplayFileSize, readReplayText, REPLAY_FILE_MAX_BYTES, replayFileName } from './readBundle.js';

function bundleText(): string {
  const session = new SessionRecorder();
  session.act('ann', (doc) => addFile(doc, 'main.py', 'print(1)\n'));
  const bundle: ReplayBundle = {
    format: 'tandem-replay',
    version: 1,
    room: { id: 'r1', name: 'Pair' },
    exportedAt: 1_700_000_000_000,
    users: Object.assign(Object.create(null) as Record<string, { name: string }>, { ann: { name: 'Ann' } }),
    entries: session.entries,
    runs: [],
  };
  return serializeReplayBundle(bundle);
}

describe('readReplayText', () => {
  const text = bundleText();

  it('reads a good file', () => {
    const bundle = readReplayText(text);
    expect(bundle.room).toEqual({ id: 'r1', name: 'Pair' });
    expect(bundle.entries).toHaveLength(1);
  });

  it('says a cut-off file is incomplete', () => {
    expect(() => readReplayText(text.slice(0, Math.floor(text.length / 2)))).toThrow(
      /incomplete: it stops part way through/,
    );
  });

  it('names the fault of a wrong format, bad JSON and an empty file', () => {
    expect(() => readReplayText('{"format":"zip"}')).toThrow(
      /cannot be replayed: not a Tandem replay: "format" is "zip"/,
    );
    expect(() => readReplayText('hello')).toThrow(
      /cannot be replayed: not a Tandem replay: the file is not JSON/,
    );
    expect(() => readReplayText('  \n')).toThrow(/The file is empty/);
    const damaged = text.replace(/"data":"[^"]+"/, '"data":"!!!"');
    expect(() => readReplayText(damaged)).toThrow(/entries\[0\]\.data: not valid base64/);
  });

  it('refuses a file too large to open', () => {
    expect(() => checkReplayFileSize(REPLAY_FILE_MAX_BYTES)).not.toThrow();
    expect(() => checkReplayFileSize(REPLAY_FILE_MAX_BYTES + 1)).toThrow(/replay files up to 256 MB/);
  });
});

describe('replayFileName', () => {
  it('makes a safe name from the room name and the day', () => {
    const at = new Date(2024, 2, 5, 14, 0).getTime();
    expect(replayFileName('Pair Programming: Día 1!', at)).toBe(
      'pair-programming-dia-1-2024-03-05.tandem-replay.json',
    );
    expect(replayFileName('???', at)).toBe('room-2024-03-05.tandem-replay.json');
  });
});
