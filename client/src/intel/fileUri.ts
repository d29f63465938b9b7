/**
 * Where a project file lives for Monaco and its TypeScript worker: its path under
 * `file:///`, so that `import './util'` in src/main.ts finds src/util.ts, and
 * go to definition lands on a URI that names the file.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

export function fileUri(monaco: typeof Monaco, path: string): Monaco.Uri {
  return monaco.Uri.from({ scheme: 'file', path: `/${path}` });
}
