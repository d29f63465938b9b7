import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { ReplayRun } from '../../../shared/replay/bundle.js';
import { ReplayEngine } from '../../../shared/replay/engine.js';
import { SessionRecorder } from '../../../shared/replay/testing.js';
import { addFile, chatOf, filesOf } from '../../../shared/schema/project.js';
import { currentRow, describeRow, EDIT_GROUP_GAP_MS, eventRows, stepRow } from './eventRows.js';

const textOf = (doc: Y.Doc, id: string) => (filesOf(doc).get(id) as Y.Map<unknown>).get('text') as Y.Text;

function run(userId: string, startedAt: number): ReplayRun {
  return {
    runId: `run-${startedAt}`,
    userId,
    name: userId,
    language: 'python',
    entry: 'main.py',
    startedAt,
    endedAt: startedAt + 500,
    exitCode: 0,
    signal: '',
    reason: 'exited',
    durationMs: 500,
    message: '',
    outputTruncated: false,
    output: new Uint8Array(),
  };
}

describe('eventRows', () => {
  const session = new SessionRecorder();
  let main = '';
  let util = '';
  session.act('ann', (doc) => (main = addFile(doc, 'main.py', '')));
  for (let i = 0; i < 3; i++) session.act('ann', (doc) => textOf(doc, main).insert(0, 'a'));
  session.act('ben', (doc) => textOf(doc, main).insert(0, 'b'));
  session.act('ben', (doc) => (util = addFile(doc, 'util.py', '')));
  session.act('ben', (doc) => textOf(doc, util).insert(0, 'u'));
  session.act('ben', (doc) => textOf(doc, main).insert(0, 'm'));
  session.act('ann', (doc) => chatOf(doc).push([{ userId: 'ann', name: 'Ann', text: 'hi', at: 1 }]));
  session.act('ann', (doc) => (filesOf(doc).get(util) as Y.Map<unknown>).set('path', 'lib.py'));
  const engine = ReplayEngine.build(session.entries);
  const runAt = session.entries[5]!.at + 10;
  const rows = eventRows(engine.events, [run('ann', runAt)], (t) => engine.indexAt(t));

  it('groups one person’s edits and gives file changes, chat and runs rows of their own', () => {
    expect(rows.map((r) => `${r.author} ${describeRow(r)}`)).toEqual([
      'ann created main.py',
      'ann edited main.py',
      'ben edited main.py',
      'ben created util.py',
      'ann ran main.py',
      'ben edited util.py and 1 more file',
      'ann said “hi”',
      'ann renamed util.py to lib.py',
    ]);
    const annEdits = rows[1]!;
    expect(annEdits.kind === 'edit' && [annEdits.first, annEdits.index, annEdits.count]).toEqual([1, 3, 3]);
    expect(rows[4]!.index).toBe(5);
  });

  it('finds the current row and steps between rows', () => {
    expect(currentRow(rows, -1)).toBe(-1);
    expect(currentRow(rows, 2)).toBe(0);
    expect(currentRow(rows, 3)).toBe(1);
    expect(currentRow(rows, 100)).toBe(rows.length - 1);
    expect(stepRow(rows, 0, 1)).toBe(3);
    expect(stepRow(rows, 3, 1)).toBe(4);
    expect(stepRow(rows, 4, -1)).toBe(3);
    expect(stepRow(rows, 0, -1)).toBeNull();
    expect(stepRow(rows, rows.at(-1)!.index, 1)).toBeNull();
  });

  it('starts a new edit row after a pause', () => {
    const events = [0, 1000, 1000 + EDIT_GROUP_GAP_MS + 1].map((at, index) => ({
      index,
      seq: index + 1,
      at,
      author: 'ann',
      files: [{ kind: 'edited' as const, fileId: 'f', path: 'a.py' }],
      chat: [],
    }));
    expect(eventRows(events, [], () => 0).map((r) => r.index)).toEqual([1, 2]);
  });
});
