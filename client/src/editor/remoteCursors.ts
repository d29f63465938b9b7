/**
 * Other people's cursors and selections in the open file, every one of them (not
 * only the first, as y-monaco draws), with the person's name above the main
 * cursor. Only people who may edit are drawn (the filter, from the room's
 * settings): viewers never, and in classroom mode only the owner's editors.
 *
 * A name would hide the line above it for good, so it shows only while its
 * person types or moves, for LABEL_LINGER_MS after, and while the pointer is on
 * their caret: a class on the label, switched by a timer, never a re-render.
 *
 * Colours go into one generated stylesheet, keyed by awareness client id; they
 * were checked to be plain hex colours when the peer was read.
 */
import type * as Y from 'yjs';
import { compareRelativePositions, createAbsolutePositionFromRelativePosition } from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { readPeers, type Peer } from '../presence/presence.js';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

type MonacoApi = typeof Monaco;
type Editor = Monaco.editor.IStandaloneCodeEditor;

/** A name stays up this long after its person last typed or moved, or the pointer left their caret. */
const LABEL_LINGER_MS = 2000;

export interface OpenText {
  fileId: string;
  text: Y.Text;
  model: Monaco.editor.ITextModel;
}

/** Where a peer's main cursor is in the open file. */
interface Head {
  relative: Y.RelativePosition;
  offset: number;
  position: Monaco.IPosition;
}

class NameLabel implements Monaco.editor.IContentWidget {
  readonly allowEditorOverflow = true;
  /** Monaco sets the widget node's own visibility inline; the name shows and hides inside it. */
  private readonly node = document.createElement('div');
  private readonly name = this.node.appendChild(document.createElement('div'));
  private timer: ReturnType<typeof setTimeout> | undefined;
  position: Monaco.IPosition = { lineNumber: 1, column: 1 };
  /** The head as last drawn: another one means the person moved. */
  head: Y.RelativePosition | null = null;

  constructor(
    private readonly monaco: MonacoApi,
    readonly clientId: number,
  ) {
    this.name.className = 'tc-label';
  }
  update(peer: Peer): void {
    this.name.textContent = peer.name;
    this.name.style.background = peer.color;
  }
  /** Shows the name now and for LABEL_LINGER_MS more. */
  show(): void {
    this.name.classList.add('tc-label-on');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.name.classList.remove('tc-label-on'), LABEL_LINGER_MS);
  }
  dispose(): void {
    clearTimeout(this.timer);
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
  private readonly hover: Monaco.IDisposable;
  private open: OpenText | null = null;
  private frame = 0;
  private visible: (peer: Peer) => boolean = (peer) => peer.role !== 'viewer';
  /** Offsets where others deleted text since the last draw (see `onText`). */
  private deletedAt: number[] = [];

  constructor(
    private readonly monaco: MonacoApi,
    private readonly editor: Editor,
    private readonly awareness: Awareness,
  ) {
    this.decorations = editor.createDecorationsCollection();
    document.head.append(this.style);
    awareness.on('change', this.schedule);
    this.hover = editor.onMouseMove(({ target }) => {
      const caret = target.element;
      if (!caret?.classList.contains('tc-caret')) return;
      const clientId = /\btc-c(\d+)\b/.exec(caret.getAttribute('class') ?? '')?.[1];
      if (clientId) this.labels.get(Number(clientId))?.show();
    });
  }

  setFilter(visible: (peer: Peer) => boolean): void {
    this.visible = visible;
    this.schedule();
  }

  /** The file now in the editor (null: none). */
  setOpen(open: OpenText | null): void {
    this.open?.text.unobserve(this.onText);
    this.open = open;
    this.deletedAt = [];
    open?.text.observe(this.onText);
    this.render();
  }

  /** Where a peer's main cursor is in the open file, if they are in it. */
  headOf(clientId: number): Monaco.IPosition | null {
    const peer = readPeers(this.awareness).find((p) => p.clientId === clientId);
    const head = peer?.selections[0]?.head;
    const offset = head && this.open ? this.toOffset(head, this.open) : null;
    return offset === null ? null : this.open!.model.getPositionAt(offset);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.awareness.off('change', this.schedule);
    this.open?.text.unobserve(this.onText);
    this.hover.dispose();
    for (const label of this.labels.values()) {
      label.dispose();
      this.editor.removeContentWidget(label);
    }
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

  /**
   * Someone else's edit. Their cursor stays put in Yjs terms while they type (it
   * points at the character after it), so typing is told apart here: whoever's
   * client clock a remote transaction advanced inserted text in it. A deletion
   * names nobody; it goes to a caret that stands where the text went (`render`).
   */
  private readonly onText = (event: Y.YTextEvent): void => {
    const { transaction } = event;
    if (!transaction.local) {
      for (const label of this.labels.values()) {
        const before = transaction.beforeState.get(label.clientId) ?? 0;
        if ((transaction.afterState.get(label.clientId) ?? 0) > before) label.show();
      }
      let offset = 0;
      for (const op of event.delta) {
        if (op.delete) this.deletedAt.push(offset);
        else offset += op.retain ?? (typeof op.insert === 'string' ? op.insert.length : 1);
      }
    }
    this.schedule();
  };

  private toOffset(relative: Y.RelativePosition, open: OpenText): number | null {
    const doc = open.text.doc;
    const absolute = doc ? createAbsolutePositionFromRelativePosition(relative, doc) : null;
    return absolute && absolute.type === open.text ? absolute.index : null;
  }

  private render(): void {
    const peers = readPeers(this.awareness).filter((p) => !p.self && this.visible(p));
    this.updateStyle(peers);
    const open = this.open;
    const decorations: Monaco.editor.IModelDeltaDecoration[] = [];
    const heads = new Map<number, Head>();
    for (const peer of open ? peers.filter((p) => p.file === open.fileId) : []) {
      for (const selection of peer.selections) {
        const anchorOffset = this.toOffset(selection.anchor, open!);
        const headOffset = this.toOffset(selection.head, open!);
        if (anchorOffset === null || headOffset === null) continue;
        const anchor = open!.model.getPositionAt(anchorOffset);
        const head = open!.model.getPositionAt(headOffset);
        if (!heads.has(peer.clientId))
          heads.set(peer.clientId, { relative: selection.head, offset: headOffset, position: head });
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
    this.deletedAt = [];
  }

  private updateLabels(peers: Peer[], heads: Map<number, Head>): void {
    for (const [clientId, label] of this.labels) {
      if (heads.has(clientId)) continue;
      label.dispose();
      this.editor.removeContentWidget(label);
      this.labels.delete(clientId);
    }
    for (const [clientId, head] of heads) {
      const peer = peers.find((p) => p.clientId === clientId)!;
      let label = this.labels.get(clientId);
      const fresh = !label;
      label ??= new NameLabel(this.monaco, clientId);
      label.update(peer);
      label.position = head.position;
      // New here, moved, or deleted text where their caret now stands.
      const moved = !label.head || !compareRelativePositions(label.head, head.relative);
      if (moved || this.deletedAt.includes(head.offset)) label.show();
      label.head = head.relative;
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
