import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { countMissing, discardSentence } from './discard.js';

/** A page and a relay that share `start`; the page records each update it makes. */
function pageAndRelay(start: string) {
  const relay = new Y.Doc();
  relay.getText('t').insert(0, start);
  const page = new Y.Doc();
  Y.applyUpdate(page, Y.encodeStateAsUpdate(relay));
  const updates: Uint8Array[] = [];
  page.on('update', (update: Uint8Array) => updates.push(update));
  return { relay, page, updates, text: page.getText('t') };
}

describe('countMissing', () => {
  it('counts only the updates the relay never got, typed one key at a time', () => {
    const { relay, updates, text } = pageAndRelay('abc');
    for (const key of 'defgh') text.insert(text.length, key);
    // The relay stored the first two keys, then refused the rest.
    for (const update of updates.slice(0, 2)) Y.applyUpdate(relay, update);
    expect(relay.getText('t').toString()).toBe('abcde');
    expect(countMissing(relay, updates)).toBe(3);
  });

  it('counts a refused deletion, and nothing when the relay has every edit', () => {
    const { relay, updates, text } = pageAndRelay('hello');
    text.insert(5, '!');
    Y.applyUpdate(relay, updates[0]!);
    text.delete(0, 1);
    expect(countMissing(relay, updates)).toBe(1);
    Y.applyUpdate(relay, updates[1]!);
    expect(countMissing(relay, updates)).toBe(0);
  });

  it('treats bytes that are not an update as lost, and leaves the relay doc alone', () => {
    const { relay } = pageAndRelay('x');
    expect(countMissing(relay, [new Uint8Array([255, 255, 255])])).toBe(1);
    expect(relay.getText('t').toString()).toBe('x');
  });
});

describe('discardSentence', () => {
  it('says how many edits went and why', () => {
    expect(discardSentence(1, 'classroom')).toBe(
      'Your last 1 unsaved edit was discarded because your edit right was revoked (classroom).',
    );
    expect(discardSentence(3, 'ended')).toContain('Your last 3 unsaved edits were discarded');
  });
});
