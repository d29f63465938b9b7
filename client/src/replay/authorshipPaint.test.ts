import { describe, expect, it } from 'vitest';
import { colorFor, PALETTE } from '../lib/colors.js';
import { AuthorColors } from './authorshipPaint.js';

/** Two user ids whose cursor colours are the same. */
function collidingIds(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const id = `user-${i}`;
    const other = seen.get(colorFor(id));
    if (other) return [other, id];
    seen.set(colorFor(id), id);
  }
}

describe('AuthorColors', () => {
  it('keeps a person’s cursor colour while it is free', () => {
    const colors = new AuthorColors();
    expect(colors.of('alice')).toBe(colorFor('alice'));
    expect(colors.of('alice')).toBe(colorFor('alice'));
  });

  it('gives a second person with the same cursor colour a free one, again the same for the same order', () => {
    const [a, b] = collidingIds();
    const colors = new AuthorColors().assign([a, b]);
    expect(colors.of(a)).toBe(colorFor(a));
    expect(colors.of(b)).not.toBe(colors.of(a));
    expect(PALETTE).toContain(colors.of(b));
    expect(new AuthorColors().assign([a, b]).of(b)).toBe(colors.of(b));
  });

  it('paints the relay’s own writes and unknown writers grey', () => {
    const colors = new AuthorColors();
    expect(colors.of('system')).toBe(colors.of(''));
    expect(PALETTE).not.toContain(colors.of('system'));
  });
});
