/**
 * Authorship colouring in the live room editor: each line of the open file
 * tinted by who wrote it last, kept current while people type. The room calls
 * it when its toggle goes on and disposes of it when it goes off:
 *
 *   const live = showLiveAuthorship({ monaco, editor, doc, text, roomId, token, awareness });
 *   live.setText(fileText(doc, fileId));   // the editor switched files (null: none)
 *   live.legend.value          // who wrote the shown file, for a legend
 *   live.dispose();            // the toggle went off
 *
 * The history is fetched once (through the replay's worker, so the page stays
 * responsive); see liveTracker.ts for how live updates are credited.
 */
import { signal, type Signal } from '@preact/signals';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { AuthorColors, AuthorshipPainter, type LegendEntry } from './authorshipPaint.js';
import { loadBundle } from './bundleLoader.js';
import { LiveAuthorshipTracker } from './liveTracker.js';

export { fileText } from './liveTracker.js';

export interface LiveAuthorshipOptions {
  monaco: typeof Monaco;
  editor: Monaco.editor.ICodeEditor;
  /** The room's document. */
  doc: Y.Doc;
  /** The Y.Text bound to the editor's model (null: no file open). */
  text: Y.Text | null;
  roomId: string;
  token: string;
  /** The room's awareness: names the writers of updates that arrive live. */
  awareness?: Awareness;
}

export interface LiveAuthorship {
  readonly status: Signal<'loading' | 'ready' | 'error'>;
  /** Why it failed, in a sentence. */
  readonly error: Signal<string | null>;
  /** Who wrote the shown file's lines, most lines first. */
  readonly legend: Signal<LegendEntry[]>;
  setText(text: Y.Text | null): void;
  dispose(): void;
}

export function showLiveAuthorship(options: LiveAuthorshipOptions): LiveAuthorship {
  const { monaco, editor, doc, roomId, token, awareness } = options;
  const status = signal<'loading' | 'ready' | 'error'>('loading');
  const error = signal<string | null>(null);
  const legend = signal<LegendEntry[]>([]);
  const painter = new AuthorshipPainter(monaco, editor, new AuthorColors());
  let text = options.text;
  let frame = 0;
  let disposed = false;

  const repaint = () => {
    frame = 0;
    const lines = text && !disposed ? tracker.lines(text) : null;
    if (lines) legend.value = painter.paint(lines, (id) => tracker.nameOf(id));
  };
  // Typing comes in bursts: paint once a frame, after y-monaco has updated the model.
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(repaint);
  };
  const tracker = new LiveAuthorshipTracker(
    doc,
    (signal) => loadBundle({ kind: 'room', roomId, token }, { signal }),
    { awareness, onChange: schedule },
  );
  tracker.ready.then(
    () => (status.value = 'ready'),
    (caught: unknown) => {
      if (disposed) return;
      status.value = 'error';
      error.value = `Authorship is not available: ${caught instanceof Error ? caught.message : String(caught)}`;
    },
  );

  return {
    status,
    error,
    legend,
    setText(next) {
      text = next;
      if (next) return schedule();
      painter.clear();
      legend.value = [];
    },
    dispose() {
      disposed = true;
      cancelAnimationFrame(frame);
      tracker.dispose();
      painter.dispose();
      legend.value = [];
    },
  };
}
