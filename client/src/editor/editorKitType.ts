import type * as EditorKitModule from './editorKit.js';

/** The Monaco half of the client once loaded, as the room page hands it to the editor and the notes. */
export type EditorKit = typeof EditorKitModule;
