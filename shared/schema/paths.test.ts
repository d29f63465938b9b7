import { describe, expect, it } from 'vitest';
import {
  PATH_MAX_CHARS,
  PathError,
  isValidPath,
  normalizePath,
  revealInvisible,
  suffixPath,
} from './paths.js';

describe('normalizePath', () => {
  it.each([
    ['src/main.py', 'src/main.py'],
    ['main.py', 'main.py'],
    ['  src/main.py  ', 'src/main.py'],
    ['\tMakefile\n', 'Makefile'],
    ['.env', '.env'],
    ['a/b/c/d.txt', 'a/b/c/d.txt'],
    ['dir with spaces/file name.md', 'dir with spaces/file name.md'],
    ['..hidden', '..hidden'],
    ['a/...', 'a/...'],
    ['ünïcødé/😀.txt', 'ünïcødé/😀.txt'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['absolute', '/abs'],
    ['absolute after trim', '  /etc/passwd'],
    ['parent', '../x'],
    ['parent only', '..'],
    ['current', './x'],
    ['current only', '.'],
    ['parent in the middle', 'a/../b'],
    ['parent at the end', 'a/..'],
    ['current in the middle', 'a/./b'],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/'],
    ['backslash', 'a\\b'],
    ['windows parent', '..\\x'],
    ['NUL', 'a\u0000b'],
    ['newline inside', 'a\nb'],
    ['escape', 'a\u001b[31mb'],
    ['DEL', 'a\u007fb'],
    ['too long', 'a/'.repeat(PATH_MAX_CHARS / 2) + 'a'],
    ['segment too long', 'x'.repeat(256)],
  ])('refuses %s', (_label, input) => {
    expect(() => normalizePath(input)).toThrow(PathError);
    expect(isValidPath(input)).toBe(false);
  });

  it('allows exactly PATH_MAX_CHARS and a 255-character segment', () => {
    const longest = Array.from({ length: 3 }, () => 'x'.repeat(127)).join('/') + '/' + 'y'.repeat(128);
    expect(longest.length).toBe(PATH_MAX_CHARS);
    expect(normalizePath(longest)).toBe(longest);
    expect(normalizePath('x'.repeat(255))).toBe('x'.repeat(255));
    expect(() => normalizePath(longest + 'y')).toThrow(PathError);
  });

  it('refuses a non-string', () => {
    expect(() => normalizePath(42 as unknown as string)).toThrow(PathError);
  });
});

describe('isValidPath', () => {
  it('is true only for paths already in canonical form', () => {
    expect(isValidPath('src/main.py')).toBe(true);
    expect(isValidPath(' src/main.py')).toBe(false);
    expect(isValidPath('src/main.py\n')).toBe(false);
  });
});

describe('suffixPath', () => {
  it.each([
    ['src/main.py', 'src/main (x).py'],
    ['main.py', 'main (x).py'],
    ['Makefile', 'Makefile (x)'],
    ['src/Makefile', 'src/Makefile (x)'],
    ['.env', '.env (x)'],
    ['src/.env', 'src/.env (x)'],
    ['archive.tar.gz', 'archive.tar (x).gz'],
    ['v1.2/README', 'v1.2/README (x)'],
  ])('%j -> %j', (path, expected) => {
    expect(suffixPath(path, 'x')).toBe(expected);
    expect(isValidPath(suffixPath(path, 'x'))).toBe(true);
  });
});

describe('invisible characters', () => {
  it.each([
    ['right-to-left override', 'main.py\u202eyp.exe'],
    ['left-to-right isolate', 'a\u2066b.txt'],
    ['zero-width space', 'ma\u200bin.py'],
    ['zero-width joiner between letters', 'a\u200db.py'],
    ['byte-order mark', 'src/\ufeffmain.py'],
    ['soft hyphen', 'ma\u00adin.py'],
    ['arabic letter mark', 'a\u061cb'],
  ])('refuses a path with a %s', (_name, path) => {
    expect(() => normalizePath(path)).toThrow(/invisible or direction-changing/);
    expect(isValidPath(path)).toBe(false);
  });

  it('keeps a zero-width joiner inside an emoji sequence', () => {
    const family = 'docs/\u{1f468}\u200d\u{1f469}\u200d\u{1f467}.md';
    expect(normalizePath(family)).toBe(family);
  });

  it('spells out the invisible characters of an old stored path', () => {
    expect(revealInvisible('main.py\u202eyp.exe')).toBe('main.py[U+202E]yp.exe');
    expect(revealInvisible('plain.py')).toBeNull();
    expect(revealInvisible('../\u200bx')).toBeNull();
  });
});
