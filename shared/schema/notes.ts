/**
 * An interview room's private notes: a document of its own (the relay serves it
 * at `/yjs/:roomId/notes`, to interviewers only) holding one Y.Text.
 */
import type * as Y from 'yjs';

export const NOTES_TEXT = 'notes';

export function notesText(doc: Y.Doc): Y.Text {
  return doc.getText(NOTES_TEXT);
}
