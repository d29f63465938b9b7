import { describe, expect, it } from 'vitest';
import { commonEnds } from './restore.js';

/** What applying the middle of `b` over the middle of `a` gives. */
function apply(a: string, b: string): string {
  const { prefix, suffix } = commonEnds(a, b);
  return a.slice(0, prefix) + b.slice(prefix, b.length - suffix) + a.slice(a.length - suffix);
}

describe('commonEnds', () => {
  it('finds what two texts share at both ends', () => {
    expect(commonEnds('hello world', 'hello there world')).toEqual({ prefix: 6, suffix: 5 });
    expect(commonEnds('abc', 'abc')).toEqual({ prefix: 3, suffix: 0 });
    expect(commonEnds('', 'x')).toEqual({ prefix: 0, suffix: 0 });
    expect(commonEnds('aaa', 'aa')).toEqual({ prefix: 2, suffix: 0 });
  });

  it('never cuts a surrogate pair', () => {
    const { prefix } = commonEnds('a\u{1F600}', 'a\u{1F601}');
    expect(prefix).toBe(1);
    const { suffix } = commonEnds('\u{1F600}b', '\u{1F680}b');
    expect(suffix).toBe(1);
  });

  it('rebuilds the new text from the old one', () => {
    const texts = [
      '',
      'a',
      'abc\n',
      'abXc\n',
      'ab\u{1F600}c',
      'x\nab\u{1F600}c\n',
      'line 1\nline 2\n',
      'line 2\n',
    ];
    for (const a of texts) for (const b of texts) expect(apply(a, b)).toBe(b);
  });
});
