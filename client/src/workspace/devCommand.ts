/**
 * The dev server command the toolbar suggests: the room's own (`meta.dev`, set
 * by a web template), else a guess from the project's top-level files: a
 * package.json `dev` or `start` script, a Flask `app.py`, or a static
 * `index.html`. Only a start: the person may edit it before starting.
 */

/** Reads a top-level text file of the project; null when there is none. */
export type ReadFile = (path: string) => string | null;

export const FLASK_COMMAND = 'flask --app app run --port 5000';
export const STATIC_COMMAND = 'python3 -m http.server 8000';

export function defaultDevCommand(read: ReadFile, metaDev: string | null = null): string {
  const own = metaDev?.trim() ?? '';
  if (own !== '') return own;
  const scripts = packageScripts(read('package.json'));
  if (typeof scripts.dev === 'string') return 'npm run dev';
  if (typeof scripts.start === 'string') return 'npm start';
  if (read('app.py')?.includes('Flask')) return FLASK_COMMAND;
  if (read('index.html') !== null) return STATIC_COMMAND;
  return '';
}

/** package.json's `scripts`; {} when the file is missing, not JSON or has none. */
function packageScripts(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const scripts: unknown = (parsed as { scripts?: unknown }).scripts;
    return typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
