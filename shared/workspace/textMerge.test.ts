import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyTextDiff, mergeText } from './textMerge.js';

describe('mergeText', () => {
  it('takes the container’s change over a room that did not move, and the reverse', () => {
    expect(mergeText('a\n', 'b\n', 'a\n')).toBe('b\n');
    expect(mergeText('a\n', 'a\n', 'c\n')).toBe('c\n');
  });

  it('keeps typing in the room and a formatter’s change elsewhere in the file', () => {
    const base = 'def f( x ):\n    return x\n\nprint(f(1))\n';
    const disk = 'def f(x):\n    return x\n\nprint(f(1))\n';
    const room = 'def f( x ):\n    return x\n\nprint(f(1), f(2))\n';
    expect(mergeText(base, disk, room)).toBe('def f(x):\n    return x\n\nprint(f(1), f(2))\n');
  });
});

describe('applyTextDiff', () => {
  it('makes the smallest edit: a cursor after the change keeps its place', () => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    text.insert(0, 'hello world\nsecond line\n');
    const cursor = Y.createRelativePositionFromTypeIndex(text, 14); // inside "second"
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    expect(applyTextDiff(text, 'hello, world\nsecond line\n')).toBe(true);
    expect(text.toString()).toBe('hello, world\nsecond line\n');
    expect(Y.createAbsolutePositionFromRelativePosition(cursor, doc)?.index).toBe(15);
    // One character inserted, nothing deleted: a tiny update, not the whole text again.
    expect(updates.length).toBe(1);
    expect(updates[0]!.byteLength).toBeLessThan(40);
    expect(applyTextDiff(text, text.toString())).toBe(false);
  });

  it('turns any text into any other', () => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    for (const [from, to] of [
      ['', 'abc'],
      ['abc', ''],
      ['αβγ 😀 δ', 'αγ 😀😀 δε'],
      ['line 1\nline 2\nline 3\n', 'line 0\nline 2\nline 3 changed\nline 4\n'],
    ] as const) {
      doc.transact(() => {
        text.delete(0, text.length);
        text.insert(0, from);
      });
      applyTextDiff(text, to);
      expect(text.toString()).toBe(to);
    }
  });
});
