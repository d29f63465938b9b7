/**
 * Brings a read-only Monaco model to a new text by replacing only the middle
 * that differs, so playback changes a few characters per step and the view
 * keeps its scroll position, instead of reloading the whole file.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { commonEnds } from '../../../shared/schema/restore.js';

export function setModelText(monaco: typeof Monaco, model: Monaco.editor.ITextModel, next: string): void {
  const current = model.getValue();
  if (current === next) return;
  const { prefix, suffix } = commonEnds(current, next);
  const range = monaco.Range.fromPositions(
    model.getPositionAt(prefix),
    model.getPositionAt(current.length - suffix),
  );
  model.applyEdits([{ range, text: next.slice(prefix, next.length - suffix) }]);
}
