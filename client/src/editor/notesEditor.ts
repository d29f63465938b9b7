/**
 * The private notes' editor: a small Monaco bound to the notes document's one
 * Y.Text. Part of the editor kit, so it loads with Monaco and never before.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { MonacoBinding } from 'y-monaco';
import type * as Y from 'yjs';

export interface NotesEditor {
  editor: Monaco.editor.IStandaloneCodeEditor;
  setReadOnly(reason: string | null): void;
  dispose(): void;
}

export function createNotesEditor(monaco: typeof Monaco, host: HTMLElement, text: Y.Text): NotesEditor {
  const model = monaco.editor.createModel(text.toString(), 'markdown');
  model.setEOL(monaco.editor.EndOfLineSequence.LF);
  const editor = monaco.editor.create(host, {
    model,
    automaticLayout: true,
    fontSize: 13,
    lineNumbers: 'off',
    minimap: { enabled: false },
    wordWrap: 'on',
    scrollBeyondLastLine: false,
    glyphMargin: false,
    folding: false,
    padding: { top: 6 },
    renderLineHighlight: 'none',
    overviewRulerLanes: 0,
    hideCursorInOverviewRuler: true,
    overviewRulerBorder: false,
    lineDecorationsWidth: 10,
    scrollbar: { verticalScrollbarSize: 8, horizontal: 'hidden' },
  });
  const binding = new MonacoBinding(text, model, new Set([editor]), null);
  return {
    editor,
    setReadOnly(reason) {
      editor.updateOptions({ readOnly: reason !== null, readOnlyMessage: { value: reason ?? '' } });
    },
    dispose() {
      binding.destroy();
      editor.dispose();
      model.dispose();
    },
  };
}
