/** File paths in a project: `src/main.py`, forward slashes, no leading slash. */

export const PATH_MAX_CHARS = 512;
const SEGMENT_MAX_CHARS = 255;

/**
 * Characters that change how a name reads without showing themselves: bidi
 * embeddings, overrides and isolates, zero-width spaces and joiners, the word
 * joiner family, the byte-order mark. `main.py\u202Eyp.exe` would show as
 * `main.pyexe.py`. A zero-width joiner between two pictographs (an emoji
 * family) is shown, so it stays allowed.
 */
const INVISIBLE =
  /[\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]|(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

export class PathError extends Error {
  override name = 'PathError';
}

/**
 * Returns the canonical form of a project path, or throws `PathError`. Refuses
 * anything that could leave the project when written to disk: `..`, absolute
 * paths, backslashes, control characters, empty segments.
 */
export function normalizePath(input: string): string {
  if (typeof input !== 'string') throw new PathError('path must be a string');
  const path = input.trim();
  if (path.length === 0) throw new PathError('path is empty');
  if (path.length > PATH_MAX_CHARS) throw new PathError(`path is longer than ${PATH_MAX_CHARS}`);
  if (path.startsWith('/')) throw new PathError('path must not start with /');
  if (path.includes('\\')) throw new PathError('path must use forward slashes');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new PathError('path has control characters');
  if (INVISIBLE.test(path)) {
    throw new PathError('path has invisible or direction-changing characters (bidi controls, zero-width)');
  }
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '') throw new PathError('path has an empty segment');
    if (segment === '.' || segment === '..') throw new PathError('path has . or .. segments');
    if (segment.length > SEGMENT_MAX_CHARS) throw new PathError('path segment too long');
  }
  return segments.join('/');
}

export function isValidPath(input: string): boolean {
  try {
    return normalizePath(input) === input;
  } catch {
    return false;
  }
}

/**
 * `src/main.py` -> `src/main (2).py`: a distinct display path for a clash. The
 * name is shortened if needed so the result is still a valid path.
 */
export function suffixPath(path: string, suffix: string): string {
  const slash = path.lastIndexOf('/');
  const folder = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const tag = ` (${suffix})`;
  const room = SEGMENT_MAX_CHARS - tag.length - ext.length;
  return `${folder}${stem.slice(0, Math.max(1, room))}${tag}${ext}`;
}

/**
 * A stored path that is valid but for invisible characters (rooms older than
 * the rule): the same path with each such character spelled out, `[U+202E]`, so
 * the file stays visible and nobody is misled by it. Null if that is still not a
 * valid path.
 */
export function revealInvisible(path: string): string | null {
  const shown = path.replace(
    INVISIBLE_ALL,
    (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );
  return shown !== path && isValidPath(shown) ? shown : null;
}
