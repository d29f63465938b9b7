/**
 * Everything that needs Monaco, behind one dynamic import (see RoomGate): the
 * landing page and the first paint of a room never wait for it.
 */
export { monaco } from './monaco.js';
export { EditorController } from './EditorController.js';
export { createNotesEditor } from './notesEditor.js';
