/** Finding a file's Y.Text in a project document (shared/schema/project.ts layout). */
import * as Y from 'yjs';
import { filesOf } from '../../shared/schema/project.js';

export function fileText(doc: Y.Doc, fileId: string): Y.Text | undefined {
  const entry = filesOf(doc).get(fileId);
  if (!(entry instanceof Y.Map)) return undefined;
  const text: unknown = entry.get('text');
  return text instanceof Y.Text ? text : undefined;
}

/** The first file's text, whatever its id. */
export function firstFileText(doc: Y.Doc): Y.Text | undefined {
  for (const id of filesOf(doc).keys()) {
    const text = fileText(doc, id);
    if (text) return text;
  }
  return undefined;
}

/** Resolves with the time at which `text` first equals `expected`, checked after every transaction. */
export function whenTextEquals(
  doc: Y.Doc,
  text: Y.Text,
  expected: string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((done, fail) => {
    const check = () => {
      if (text.length !== expected.length || text.toString() !== expected) return false;
      clearTimeout(timer);
      doc.off('afterTransaction', check);
      done(performance.now());
      return true;
    };
    const timer = setTimeout(() => {
      doc.off('afterTransaction', check);
      fail(
        new Error(
          `text did not reach the expected content within ${timeoutMs} ms (length ${text.length} of ${expected.length})`,
        ),
      );
    }, timeoutMs);
    if (!check()) doc.on('afterTransaction', check);
  });
}
