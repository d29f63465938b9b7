/**
 * Go to definition (F12, Ctrl+click) into another project file opens that file
 * in the editor. Monaco's standalone editor moves only within the model it
 * shows; for any other URI it asks the openers registered here.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

export function openDefinitionsIn(
  monaco: typeof Monaco,
  editor: Monaco.editor.IStandaloneCodeEditor,
  /** Shows the project file at `uri` in `editor`; false when no file has it. */
  show: (uri: Monaco.Uri) => boolean,
): Monaco.IDisposable {
  return monaco.editor.registerEditorOpener({
    openCodeEditor(source, resource, selectionOrPosition) {
      if (source !== editor || !show(resource)) return false;
      if (selectionOrPosition && monaco.Range.isIRange(selectionOrPosition)) {
        editor.setSelection(selectionOrPosition);
        editor.revealRangeInCenterIfOutsideViewport(selectionOrPosition);
      } else if (selectionOrPosition) {
        editor.setPosition(selectionOrPosition);
        editor.revealPositionInCenterIfOutsideViewport(selectionOrPosition);
      }
      editor.focus();
      return true;
    },
  });
}
