/**
 * Monaco, set up once and loaded only on the room page (a dynamic import), so the
 * landing page never downloads it.
 *
 * We build from the bare editor API plus the features people expect, not from
 * `editor.main`, which also pulls in every language service and the LSP client. Highlighting for
 * every language is registered but each grammar is its own chunk, fetched when a
 * file of that language opens. Workers are constructed on first request: the
 * TypeScript worker (7 MB) starts only when a JS/TS file is opened and never holds
 * up the first screen.
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/bracketMatching/register.js';
import 'monaco-editor/features/caretOperations/register.js';
import 'monaco-editor/features/clipboard/register.js';
import 'monaco-editor/features/codeAction/register.js';
import 'monaco-editor/features/codicon/register.js';
import 'monaco-editor/features/comment/register.js';
import 'monaco-editor/features/contextmenu/register.js';
import 'monaco-editor/features/cursorUndo/register.js';
import 'monaco-editor/features/dnd/register.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/features/folding/register.js';
import 'monaco-editor/features/fontZoom/register.js';
import 'monaco-editor/features/format/register.js';
import 'monaco-editor/features/gotoError/register.js';
import 'monaco-editor/features/gotoLine/register.js';
import 'monaco-editor/features/gotoSymbol/register.js';
import 'monaco-editor/features/hover/register.js';
import 'monaco-editor/features/indentation/register.js';
import 'monaco-editor/features/lineSelection/register.js';
import 'monaco-editor/features/linesOperations/register.js';
import 'monaco-editor/features/links/register.js';
import 'monaco-editor/features/multicursor/register.js';
import 'monaco-editor/features/parameterHints/register.js';
import 'monaco-editor/features/quickCommand/register.js';
import 'monaco-editor/features/readOnlyMessage/register.js';
import 'monaco-editor/features/rename/register.js';
import 'monaco-editor/features/smartSelect/register.js';
import 'monaco-editor/features/snippet/register.js';
import 'monaco-editor/features/suggest/register.js';
// features/suggest registers only the inline half of suggest; the controller
// behind Ctrl+Space and the list after `console.` must be loaded before the
// editor is created (editor.main imports it directly).
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/features/tokenization/register.js';
import 'monaco-editor/features/unicodeHighlighter/register.js';
import 'monaco-editor/features/wordHighlighter/register.js';
import 'monaco-editor/features/wordOperations/register.js';
import 'monaco-editor/features/wordPartOperations/register.js';
import 'monaco-editor/languages/definitions/register.all.js';
import 'monaco-editor/languages/features/json/register.js';
import 'monaco-editor/languages/features/typescript/register.js';
import { configureTypeScript } from '../intel/compilerOptions.js';

type WorkerFactory = () => Promise<{ default: new () => Worker }>;

// Each factory is a dynamic import, so a worker's script is fetched only when
// Monaco first asks for that worker.
const WORKERS: Record<string, WorkerFactory> = {
  json: () => import('monaco-editor/language/json/json.worker.js?worker'),
  typescript: () => import('monaco-editor/language/typescript/ts.worker.js?worker'),
  javascript: () => import('monaco-editor/language/typescript/ts.worker.js?worker'),
};
const editorWorker: WorkerFactory = () => import('monaco-editor/editor/editor.worker.js?worker');

// Monaco accepts a Promise<Worker> here (both of its worker paths wrap the
// result in Promise.resolve), so the worker's script is imported on demand.
self.MonacoEnvironment = {
  getWorker: async (_moduleId: string, label: string) => {
    const { default: WorkerConstructor } = await (WORKERS[label] ?? editorWorker)();
    return new WorkerConstructor();
  },
};

configureTypeScript();

monaco.editor.defineTheme('tandem-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#ffffff' },
});
monaco.editor.defineTheme('tandem-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#16181d' },
});

export { monaco };
