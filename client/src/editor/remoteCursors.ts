/**
 * Other people's cursors and selections in the open file, every one of them (not
 * only the first, as y-monaco draws), with the person's name above the main
 * cursor. Only people who may edit are drawn (the filter, from the room's
 * settings): viewers never, and in classroom mode only the owner's editors.
 *
 * Colours go into one generated stylesheet, keyed by awareness client id; they
 * were checked to be plain hex colours when the peer was read.
 */
import type * as Y from 'yjs';
import { createAbsolutePositionFromRelativePosition } from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { readPeers, type Peer } from '../presence/presence.js';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

type MonacoApi = typeof Monaco;
type Editor = Monaco.editor.IStandaloneCodeEditor;

export interface OpenText {
  fileId: string;
  text: Y.Text;
  model: Monaco.editor.ITextModel;
}

class NameLabel implements Monaco.editor.IContentWidget {
  readonly allowEditorOverflow = true;
  private readonly node = document.createElement('div');
  position: Monaco.IPosition = { lineNumber: 1, column: 1 };

  constructor(
    private readonly monaco: MonacoApi,
    readonly clientId: number,
  ) {
    this.node.className = 'tc-label';
  }
  update(peer: Peer): void {
    this.node.textContent = peer.name;
    this.node.style.background = peer.color;
  }
  getId(): string {
    return `tandem.cursor.${this.clientId}`;
  }
  getDomNode(): HTMLElement {
    return this.node;
  }
  getPosition(): Monaco.editor.IContentWidgetPosition {
    const { ABOVE, BELOW } = this.monaco.editor.ContentWidgetPositionPreference;
    return { position: this.position, preference: [ABOVE, BELOW] };
  }
}

export class RemoteCursors {
  private readonly decorations: Monaco.editor.IEditorDecorationsCollection;
  private readonly labels = new Map<number, NameLabel>();
  private readonly style = document.createElement('style');
  private styleKey = '';
  private open: OpenText | null = null;
  private frame = 0;
  private visible: (peer: Peer) => boolean = (peer) => peer.role !== 'viewer';

  constructor(
    private readonly monaco: MonacoApi,
    private readonly editor: Editor,
    private readonly awareness: Awareness,
  ) {
    this.decorations = editor.createDecorationsCollection();
    document.head.append(this.style);
    awareness.on('change', this.schedule);
  }

  setFilter(visible: (peer: Peer) => boolean): void {
    this.visible = visible;
    this.schedule();
  }

  /** The file now in the editor (null: none). */
  setOpen(open: OpenText | null): void {
    this.open?.text.unobserve(this.schedule);
    this.open = open;
    open?.text.observe(this.schedule);
    this.render();
  }

  /** Where a peer's main cursor is in the open file, if they are in it. */
  headOf(clientId: number): Monaco.IPosition | null {
    const peer = readPeers(this.awareness).find((p) => p.clientId === clientId);
    const head = peer?.selections[0]?.head;
    return head && this.open ? this.toPosition(head, this.open) : null;
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.awareness.off('change', this.schedule);
    this.open?.text.unobserve(this.schedule);
    for (const label of this.labels.values()) this.editor.removeContentWidget(label);
    this.decorations.clear();
    this.style.remove();
  }

  // Awareness and text events come in bursts; draw once per frame.
  private readonly schedule = (): void => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  };

  private toPosition(relative: Y.RelativePosition, open: OpenText): Monaco.IPosition | null {
    const doc = open.text.doc;
    const absolute = doc ? createAbsolutePositionFromRelativePosition(relative, doc) : null;
    if (!absolute || absolute.type !== open.text) return null;
    return open.model.getPositionAt(absolute.index);
  }

  private render(): void {
    const peers = readPeers(this.awareness).filter((p) => !p.self && this.visible(p));
    this.updateStyle(peers);
    const open = this.open;
    const decorations: Monaco.editor.IModelDeltaDecoration[] = [];
    const heads = new Map<number, Monaco.IPosition>();
    for (const peer of open ? peers.filter((p) => p.file === open.fileId) : []) {
      for (const selection of peer.selections) {
        const anchor = this.toPosition(selection.anchor, open!);
        const head = this.toPosition(selection.head, open!);
        if (!anchor || !head) continue;
        if (!heads.has(peer.clientId)) heads.set(peer.clientId, head);
        const range = this.monaco.Range.fromPositions(anchor, head);
        if (!range.isEmpty()) {
          decorations.push({
            range,
            options: { className: `tc-sel tc-c${peer.clientId}`, showIfCollapsed: false },
          });
        }
        decorations.push({
          range: this.monaco.Range.fromPositions(head),
          options: {
            beforeContentClassName: `tc-caret tc-c${peer.clientId}`,
            stickiness: this.monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
          },
        });
      }
    }
    this.decorations.set(decorations);
    this.updateLabels(peers, heads);
  }

  private updateLabels(peers: Peer[], heads: Map<number, Monaco.IPosition>): void {
    for (const [clientId, label] of this.labels) {
      if (heads.has(clientId)) continue;
      this.editor.removeContentWidget(label);
      this.labels.delete(clientId);
    }
    for (const [clientId, head] of heads) {
      const peer = peers.find((p) => p.clientId === clientId)!;
      let label = this.labels.get(clientId);
      const fresh = !label;
      label ??= new NameLabel(this.monaco, clientId);
      label.update(peer);
      label.position = head;
      if (fresh) {
        this.labels.set(clientId, label);
        this.editor.addContentWidget(label);
      } else this.editor.layoutContentWidget(label);
    }
  }

  private updateStyle(peers: Peer[]): void {
    const key = peers.map((p) => `${p.clientId}:${p.color}`).join(',');
    if (key === this.styleKey) return;
    this.styleKey = key;
    this.style.textContent = peers
      .map(
        (p) =>
          `.tc-sel.tc-c${p.clientId}{background-color:${p.color}33}` +
          `.tc-caret.tc-c${p.clientId}{border-left-color:${p.color}}`,
      )
      .join('\n');
  }
}
