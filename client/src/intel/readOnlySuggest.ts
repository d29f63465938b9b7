/**
 * Ctrl+Space for people who may not edit. Monaco's suggest refuses a read-only
 * editor, but listing what fits at the cursor is reading, not writing: a viewer
 * exploring the code should see it too. The editor is writable only for the
 * synchronous moment the suggest session starts; picking an item then changes
 * nothing, because Monaco applies every completion through the editor, which is
 * read-only again.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

export function suggestWhenReadOnly(
  monaco: typeof Monaco,
  editor: Monaco.editor.IStandaloneCodeEditor,
): Monaco.IDisposable {
  const { KeyMod, KeyCode } = monaco;
  return editor.addAction({
    id: 'tandem.readOnlySuggest',
    label: 'Show completions',
    keybindings: [KeyMod.CtrlCmd | KeyCode.Space],
    precondition: 'editorReadonly',
    keybindingContext: 'editorTextFocus && editorReadonly',
    run: () => {
      editor.updateOptions({ readOnly: false });
      try {
        editor.trigger('keyboard', 'editor.action.triggerSuggest', {});
      } finally {
        editor.updateOptions({ readOnly: true });
      }
    },
  });
}
