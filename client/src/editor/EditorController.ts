/**
 * The one Monaco editor of a room page. Each open tab keeps its model and binding
 * alive (so switching tabs is instant and keeps undo history); the editor shows
 * one of them at a time. JavaScript and TypeScript intelligence sees every file
 * of the project (see intel/), and go to definition opens the file it lands in.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { filesOf } from '../../../shared/schema/project.js';
import { setLocalFile, setLocalSelections, type Peer } from '../presence/presence.js';
import { fileUri } from '../intel/fileUri.js';
import { openDefinitionsIn } from '../intel/openDefinitions.js';
import { ProjectLibs } from '../intel/ProjectLibs.js';
import { suggestWhenReadOnly } from '../intel/readOnlySuggest.js';
import { OpenDoc } from './OpenDoc.js';
import { RemoteCursors } from './remoteCursors.js';

export interface EditorEvents {
  /** The person typed or clicked in the editor (ends follow mode). */
  onLocalInteraction(): void;
  /** Ctrl/Cmd+S: there is nothing to save. */
  onSaveShortcut(): void;
  /** Ctrl/Cmd+Enter: run the project (Monaco would insert a line). */
  onRunShortcut(): void;
  /** Go to definition landed in another file: make it the open tab (which calls `show`). */
  onOpenFile(fileId: string): void;
}

export class EditorController {
  readonly editor: Monaco.editor.IStandaloneCodeEditor;
  private readonly docs = new Map<string, OpenDoc>();
  private readonly cursors: RemoteCursors;
  private readonly project: ProjectLibs;
  private readonly disposables: Monaco.IDisposable[];
  /** Every file's display path, by id. */
  private paths: ReadonlyMap<string, string> = new Map();
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
    this.project = new ProjectLibs(monaco, doc, (model) => this.isBound(model));
    this.disposables = [
      suggestWhenReadOnly(monaco, this.editor),
      openDefinitionsIn(monaco, this.editor, (uri) => {
        const fileId = this.fileAt(uri);
        if (!fileId || fileId === this.current?.fileId) return false;
        events.onOpenFile(fileId);
        return this.current?.fileId === fileId;
      }),
    ];
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
    this.showModelOf(next);
    setLocalFile(this.awareness, next?.fileId ?? null);
    this.publishSelections();
  }

  /** Drops a closed tab's model, or a deleted file's. */
  close(fileId: string): void {
    if (this.current?.fileId === fileId) this.show(null);
    this.docs.get(fileId)?.dispose();
    this.docs.delete(fileId);
  }

  /**
   * Every file's display path, by id: call before `show` whenever files are added,
   * renamed or deleted. A renamed open file moves to a model at its new URI (and
   * maybe a new language: main.txt -> main.py).
   */
  setPaths(paths: ReadonlyMap<string, string>): void {
    if (paths === this.paths) return;
    this.paths = paths;
    const moved = [...this.docs.values()].filter((open) => {
      const path = paths.get(open.fileId);
      return path !== undefined && path !== open.path;
    });
    const current = this.current && moved.includes(this.current) ? this.current : null;
    // Old URIs are freed before new ones are taken, as two files may swap paths;
    // the shown file's last, so the editor switches models without losing focus.
    const others = moved.filter((open) => open !== current);
    for (const open of others) open.detach();
    if (current) {
      current.viewState = this.editor.saveViewState();
      current.moveTo(paths.get(current.fileId)!, () => this.showModelOf(current));
    }
    for (const open of others) open.moveTo(paths.get(open.fileId)!);
    this.project.setPaths(paths);
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
    for (const disposable of this.disposables) disposable.dispose();
    this.project.dispose();
    this.cursors.dispose();
    for (const open of this.docs.values()) open.dispose();
    this.docs.clear();
    this.editor.dispose();
  }

  private showModelOf(open: OpenDoc | null): void {
    this.editor.setModel(open?.model ?? null);
    if (open?.viewState) this.editor.restoreViewState(open.viewState);
    this.cursors.setOpen(open ? { fileId: open.fileId, text: open.text, model: open.model } : null);
  }

  private load(fileId: string): OpenDoc | null {
    const existing = this.docs.get(fileId);
    if (existing) return existing;
    const entry = filesOf(this.doc).get(fileId);
    const text = entry instanceof Y.Map ? entry.get('text') : null;
    const path = this.paths.get(fileId);
    if (!(text instanceof Y.Text) || path === undefined) return null;
    const open = new OpenDoc(this.monaco, this.editor, fileId, path, text, this.canEdit);
    this.docs.set(fileId, open);
    return open;
  }

  private fileAt(uri: Monaco.Uri): string | null {
    const wanted = uri.toString();
    for (const [id, path] of this.paths) if (fileUri(this.monaco, path).toString() === wanted) return id;
    return null;
  }

  private isBound(model: Monaco.editor.ITextModel): boolean {
    for (const open of this.docs.values()) if (open.model === model) return true;
    return false;
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
