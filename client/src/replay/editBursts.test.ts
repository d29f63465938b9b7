import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../../shared/replay/timeline.js';
import { editBursts } from './editBursts.js';
import { describeRow, EDIT_GROUP_GAP_MS, eventRows, stepRow } from './eventRows.js';

/** One log entry by `author` at `at`: an edit of `path`, or a chat message. */
function entry(index: number, author: string, at: number, what: string): TimelineEvent {
  const chat = what.startsWith('say ') ? [{ userId: author, name: author, text: what.slice(4), at }] : [];
  const files = chat.length > 0 ? [] : [{ kind: 'edited' as const, fileId: what, path: what }];
  return { index, seq: index + 1, at, author, files, chat };
}

function bursts(log: [author: string, at: number, what: string][]): string[] {
  const events = log.map(([author, at, what], index) => entry(index, author, at, what));
  const rows = eventRows(events, [], () => 0);
  return editBursts(rows, (index) => events[index]!.at).map((row) => {
    const times = row.kind === 'edit' && row.count > 1 ? ` ×${row.count}` : '';
    return `${row.author} ${describeRow(row)}${times} @${row.index}`;
  });
}

describe('editBursts', () => {
  it('steps by the same rows it lists: two people typing at once are two steps, not thirty', () => {
    const events = Array.from({ length: 30 }, (_, i) =>
      entry(i, i % 2 ? 'ben' : 'ann', i * 100, i % 2 ? 'b.py' : 'a.py'),
    );
    const rows = editBursts(
      eventRows(events, [], () => 0),
      (index) => events[index]!.at,
    );
    const stops: number[] = [];
    for (let at: number | null = -1; (at = stepRow(rows, at, 1)) !== null;) stops.push(at);
    expect(stops).toEqual([28, 29]);
    expect(stepRow(rows, 29, -1)).toBe(28);
    expect(stepRow(rows, 28, -1)).toBeNull();
  });

  it('makes two people typing at once one row each, not one per turn', () => {
    const log: [string, number, string][] = [];
    for (let i = 0; i < 30; i++) log.push([i % 2 ? 'ben' : 'ann', i * 100, i % 2 ? 'b.py' : 'a.py']);
    expect(bursts(log)).toEqual(['ann edited a.py ×15 @28', 'ben edited b.py ×15 @29']);
  });

  it('starts a new row after a pause of that person', () => {
    const pause = EDIT_GROUP_GAP_MS + 1;
    expect(
      bursts([
        ['ann', 0, 'a.py'],
        ['ben', 100, 'a.py'],
        ['ann', 200, 'a.py'],
        ['ben', 300, 'a.py'],
        ['ann', 200 + pause, 'a.py'],
        ['ben', 300 + pause, 'a.py'],
      ]),
    ).toEqual(['ann edited a.py ×2 @2', 'ben edited a.py ×2 @3', 'ann edited a.py @4', 'ben edited a.py @5']);
  });

  it('ends a burst at that person’s own message, and only theirs', () => {
    expect(
      bursts([
        ['ann', 0, 'a.py'],
        ['ben', 100, 'b.py'],
        ['ben', 200, 'say hi'],
        ['ann', 300, 'a.py'],
        ['ben', 400, 'b.py'],
        ['ann', 500, 'c.py'],
      ]),
    ).toEqual([
      'ben edited b.py @1',
      'ben said “hi” @2',
      'ben edited b.py @4',
      'ann edited a.py and 1 more file ×3 @5',
    ]);
  });

  it('leaves the rows it was given as they were', () => {
    const events = [entry(0, 'ann', 0, 'a.py'), entry(1, 'ben', 1, 'a.py'), entry(2, 'ann', 2, 'a.py')];
    const rows = eventRows(events, [], () => 0);
    const before = JSON.stringify(rows);
    editBursts(rows, (index) => events[index]!.at);
    expect(JSON.stringify(rows)).toBe(before);
  });
});
