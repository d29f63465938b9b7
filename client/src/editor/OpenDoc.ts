/**
 * One file open in this browser: a Monaco model bound to the file's Y.Text, and
 * an undo manager that tracks only edits made through this binding, so Ctrl+Z
 * never takes back a collaborator's typing.
 *
 * The model's URI is the file's path (`file:///src/util.ts`), as the TypeScript
 * worker needs to resolve `import './util'` against it. A model's URI cannot
 * change, so a rename moves the file to a new model; the undo manager stays.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { MonacoBinding } from 'y-monaco';
import * as Y from 'yjs';
import { fileUri } from '../intel/fileUri.js';
import { languageOf } from './languages.js';

/** Keystrokes closer together than this undo as one step. */
const UNDO_CAPTURE_MS = 500;

type Editor = Monaco.editor.IStandaloneCodeEditor;
type Bound = { path: string; model: Monaco.editor.ITextModel; binding: MonacoBinding };

export class OpenDoc {
  readonly undo: Y.UndoManager;
  viewState: Monaco.editor.ICodeEditorViewState | null = null;
  private current: Bound | null = null;

  constructor(
    private readonly monaco: typeof Monaco,
    private readonly editor: Editor,
    readonly fileId: string,
    path: string,
    readonly text: Y.Text,
    canEdit: boolean,
  ) {
    // Monaco keeps one line ending per model and rewrites mixed ones, which would
    // shift offsets against the Y.Text. Every client uses LF; a stray CR written by
    // some other tool is normalised once, by an editor, in one transaction.
    if (canEdit && text.toString().includes('\r')) normaliseLineEndings(text);
    this.undo = new Y.UndoManager(text, { trackedOrigins: new Set(), captureTimeout: UNDO_CAPTURE_MS });
    this.moveTo(path);
    rememberCursor(this.undo, editor, () => this.model, text);
  }

  get model(): Monaco.editor.ITextModel {
    return this.current!.model;
  }

  get path(): string {
    return this.current!.path;
  }

  /** Gives up the model, so that another file can take its URI (two files swapping paths). */
  detach(): void {
    if (this.current) this.release(this.current);
    this.current = null;
  }

  /**
   * Binds the text to a new model at `path`'s URI, then gives up the old one.
   * `show` runs while both exist: an editor switched to the new model keeps its
   * focus, which it would lose if its model were disposed under it.
   */
  moveTo(path: string, show?: (model: Monaco.editor.ITextModel) => void): void {
    const old = this.current;
    const uri = fileUri(this.monaco, path);
    // Monaco's TypeScript support makes models of its own for files it looks into
    // (go to definition, peek); ours takes over the URI.
    this.monaco.editor.getModel(uri)?.dispose();
    const model = this.monaco.editor.createModel(this.text.toString(), languageOf(path), uri);
    model.setEOL(this.monaco.editor.EndOfLineSequence.LF);
    const binding = new MonacoBinding(this.text, model, new Set([this.editor]), null);
    this.undo.addTrackedOrigin(binding);
    this.current = { path, model, binding };
    show?.(model);
    if (old) this.release(old);
  }

  dispose(): void {
    this.detach();
    this.undo.destroy();
  }

  private release({ model, binding }: Bound): void {
    this.undo.removeTrackedOrigin(binding);
    binding.destroy();
    model.dispose();
  }
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
  editor: Editor,
  modelNow: () => Monaco.editor.ITextModel,
  text: Y.Text,
): void {
  undo.on('stack-item-added', ({ stackItem }: { stackItem: { meta: Map<string, unknown> } }) => {
    const model = modelNow();
    const selection = editor.getModel() === model ? editor.getSelection() : null;
    if (selection && !stackItem.meta.has('cursor')) {
      const offset = model.getOffsetAt(selection.getStartPosition());
      stackItem.meta.set('cursor', Y.createRelativePositionFromTypeIndex(text, offset));
    }
  });
  undo.on('stack-item-popped', ({ stackItem }: { stackItem: { meta: Map<string, unknown> } }) => {
    const model = modelNow();
    const cursor = stackItem.meta.get('cursor') as Y.RelativePosition | undefined;
    const absolute =
      cursor && text.doc ? Y.createAbsolutePositionFromRelativePosition(cursor, text.doc) : null;
    if (!absolute || editor.getModel() !== model) return;
    const position = model.getPositionAt(absolute.index);
    editor.setPosition(position);
    editor.revealPositionInCenterIfOutsideViewport(position);
  });
}
