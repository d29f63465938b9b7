/**
 * One file open in this browser: a Monaco model bound to the file's Y.Text, and
 * an undo manager that tracks only edits made through this binding, so Ctrl+Z
 * never takes back a collaborator's typing.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { MonacoBinding } from 'y-monaco';
import * as Y from 'yjs';
import { languageOf } from './languages.js';

/** Keystrokes closer together than this undo as one step. */
const UNDO_CAPTURE_MS = 500;

export interface OpenDoc {
  fileId: string;
  text: Y.Text;
  model: Monaco.editor.ITextModel;
  undo: Y.UndoManager;
  viewState: Monaco.editor.ICodeEditorViewState | null;
  dispose(): void;
}

export function openDoc(
  monaco: typeof Monaco,
  editor: Monaco.editor.IStandaloneCodeEditor,
  fileId: string,
  path: string,
  text: Y.Text,
  canEdit: boolean,
): OpenDoc {
  // Monaco keeps one line ending per model and rewrites mixed ones, which would
  // shift offsets against the Y.Text. Every client uses LF; a stray CR written by
  // some other tool is normalised once, by an editor, in one transaction.
  if (canEdit && text.toString().includes('\r')) normaliseLineEndings(text);
  const uri = monaco.Uri.from({
    scheme: 'file',
    path: `/${fileId}/${path.slice(path.lastIndexOf('/') + 1)}`,
  });
  const model = monaco.editor.createModel(text.toString(), languageOf(path), uri);
  model.setEOL(monaco.editor.EndOfLineSequence.LF);
  const binding = new MonacoBinding(text, model, new Set([editor]), null);
  const undo = new Y.UndoManager(text, {
    trackedOrigins: new Set([binding]),
    captureTimeout: UNDO_CAPTURE_MS,
  });
  rememberCursor(undo, editor, model, text);
  return {
    fileId,
    text,
    model,
    undo,
    viewState: null,
    dispose() {
      undo.destroy();
      binding.destroy();
      model.dispose();
    },
  };
}

function normaliseLineEndings(text: Y.Text): void {
  const value = text.toString();
  text.doc!.transact(() => {
    for (let i = value.length - 1; i >= 0; i--) {
      if (value[i] !== '\r') continue;
      if (value[i + 1] === '\n') text.delete(i, 1);
      else {
        text.delete(i, 1);
        text.insert(i, '\n');
      }
    }
  });
}

/** Puts the cursor back where an undone or redone edit happened. */
function rememberCursor(
  undo: Y.UndoManager,
  editor: Monaco.editor.IStandaloneCodeEditor,
  model: Monaco.editor.ITextModel,
  text: Y.Text,
): void {
  undo.on('stack-item-added', ({ stackItem }: { stackItem: { meta: Map<string, unknown> } }) => {
    const selection = editor.getModel() === model ? editor.getSelection() : null;
    if (selection && !stackItem.meta.has('cursor')) {
      const offset = model.getOffsetAt(selection.getStartPosition());
      stackItem.meta.set('cursor', Y.createRelativePositionFromTypeIndex(text, offset));
    }
  });
  undo.on('stack-item-popped', ({ stackItem }: { stackItem: { meta: Map<string, unknown> } }) => {
    const cursor = stackItem.meta.get('cursor') as Y.RelativePosition | undefined;
    const absolute =
      cursor && text.doc ? Y.createAbsolutePositionFromRelativePosition(cursor, text.doc) : null;
    if (!absolute || editor.getModel() !== model) return;
    const position = model.getPositionAt(absolute.index);
    editor.setPosition(position);
    editor.revealPositionInCenterIfOutsideViewport(position);
  });
}
