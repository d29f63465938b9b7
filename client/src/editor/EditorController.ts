/**
 * The one Monaco editor of a room page. Each open tab keeps its model and binding
 * alive (so switching tabs is instant and keeps undo history); the editor shows
 * one of them at a time.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { filesOf } from '../../../shared/schema/project.js';
import { setLocalFile, setLocalSelections, type Peer } from '../presence/presence.js';
import { languageOf } from './languages.js';
import { openDoc, type OpenDoc } from './openDoc.js';
import { RemoteCursors } from './remoteCursors.js';

export interface EditorEvents {
  /** The person typed or clicked in the editor (ends follow mode). */
  onLocalInteraction(): void;
  /** Ctrl/Cmd+S: there is nothing to save. */
  onSaveShortcut(): void;
  /** Ctrl/Cmd+Enter: run the project (Monaco would insert a line). */
  onRunShortcut(): void;
}

export class EditorController {
  readonly editor: Monaco.editor.IStandaloneCodeEditor;
  private readonly docs = new Map<string, OpenDoc>();
  private readonly cursors: RemoteCursors;
  private current: OpenDoc | null = null;

  constructor(
    private readonly monaco: typeof Monaco,
    container: HTMLElement,
    private readonly doc: Y.Doc,
    private readonly awareness: Awareness,
    private canEdit: boolean,
    events: EditorEvents,
  ) {
    this.editor = monaco.editor.create(container, {
      model: null,
      automaticLayout: true,
      fontSize: 14,
      fontFamily: "'JetBrains Mono', 'Fira Code', ui-monospace, Menlo, Consolas, monospace",
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      renderLineHighlight: 'all',
      smoothScrolling: true,
      padding: { top: 8 },
      tabSize: 4,
    });
    this.setCanEdit(canEdit, null);
    this.cursors = new RemoteCursors(monaco, this.editor, awareness);
    const { KeyMod, KeyCode } = monaco;
    // Monaco's own undo stack also holds remote edits; ours holds only this person's.
    // It writes to the Y.Text directly, past Monaco's read-only: only with the edit right.
    const undo = () => this.canEdit && this.current?.undo.undo();
    const redo = () => this.canEdit && this.current?.undo.redo();
    this.editor.addCommand(KeyMod.CtrlCmd | KeyCode.KeyZ, undo);
    this.editor.addCommand(KeyMod.CtrlCmd | KeyMod.Shift | KeyCode.KeyZ, redo);
    this.editor.addCommand(KeyMod.CtrlCmd | KeyCode.KeyY, redo);
    this.editor.addCommand(KeyMod.CtrlCmd | KeyCode.KeyS, () => events.onSaveShortcut());
    this.editor.addCommand(KeyMod.CtrlCmd | KeyCode.Enter, () => events.onRunShortcut());
    this.editor.onDidChangeCursorSelection(() => this.publishSelections());
    this.editor.onMouseDown(() => events.onLocalInteraction());
    this.editor.onKeyDown(() => events.onLocalInteraction());
  }

  get openFileId(): string | null {
    return this.current?.fileId ?? null;
  }

  /** Follows the edit right live; `reason` is what Monaco says when someone types anyway. */
  setCanEdit(canEdit: boolean, reason: string | null): void {
    const lost = this.canEdit && !canEdit;
    this.canEdit = canEdit;
    this.editor.updateOptions({ readOnly: !canEdit, readOnlyMessage: { value: reason ?? '' } });
    // Without the edit right there is no cursor to show (classroom: only editors' are drawn).
    if (lost) setLocalSelections(this.awareness, []);
    else this.publishSelections();
  }

  /** Whose cursors are drawn (the room's settings decide). */
  setCursorFilter(visible: (peer: Peer) => boolean): void {
    this.cursors.setFilter(visible);
  }

  setTheme(dark: boolean): void {
    this.monaco.editor.setTheme(dark ? 'tandem-dark' : 'tandem-light');
  }

  /** Shows a file (null: none). Its text must exist in the document. */
  show(fileId: string | null): void {
    if (fileId === this.current?.fileId) return;
    if (this.current) this.current.viewState = this.editor.saveViewState();
    const next = fileId ? this.load(fileId) : null;
    this.current = next;
    this.editor.setModel(next?.model ?? null);
    if (next?.viewState) this.editor.restoreViewState(next.viewState);
    this.cursors.setOpen(next ? { fileId: next.fileId, text: next.text, model: next.model } : null);
    setLocalFile(this.awareness, next?.fileId ?? null);
    this.publishSelections();
  }

  /** Drops a closed tab's model, or a deleted file's. */
  close(fileId: string): void {
    if (this.current?.fileId === fileId) this.show(null);
    this.docs.get(fileId)?.dispose();
    this.docs.delete(fileId);
  }

  /** A rename can change the language (main.txt -> main.py). */
  pathChanged(fileId: string, path: string): void {
    const open = this.docs.get(fileId);
    const language = languageOf(path);
    if (open && open.model.getLanguageId() !== language)
      this.monaco.editor.setModelLanguage(open.model, language);
  }

  focus(): void {
    this.editor.focus();
  }

  /** Follow mode: bring a peer's cursor into view. */
  revealPeer(clientId: number): void {
    const head = this.cursors.headOf(clientId);
    if (head) this.editor.revealPositionInCenterIfOutsideViewport(head);
  }

  dispose(): void {
    this.cursors.dispose();
    for (const open of this.docs.values()) open.dispose();
    this.docs.clear();
    this.editor.dispose();
  }

  private load(fileId: string): OpenDoc | null {
    const existing = this.docs.get(fileId);
    if (existing) return existing;
    const entry = filesOf(this.doc).get(fileId);
    const text = entry instanceof Y.Map ? entry.get('text') : null;
    const path = entry instanceof Y.Map ? entry.get('path') : null;
    if (!(text instanceof Y.Text) || typeof path !== 'string') return null;
    const open = openDoc(this.monaco, this.editor, fileId, path, text, this.canEdit);
    this.docs.set(fileId, open);
    return open;
  }

  private publishSelections(): void {
    const open = this.current;
    // A viewer has no cursor to show; an editor without a file has none either.
    if (!open || !this.canEdit) return;
    const selections = this.editor.getSelections() ?? [];
    setLocalSelections(
      this.awareness,
      selections.map((s) => {
        const anchor = open.model.getOffsetAt(s.getSelectionStart());
        const head = open.model.getOffsetAt(s.getPosition());
        return {
          anchor: Y.createRelativePositionFromTypeIndex(open.text, anchor),
          head: Y.createRelativePositionFromTypeIndex(open.text, head),
        };
      }),
    );
  }
}
