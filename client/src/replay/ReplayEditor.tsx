/**
 * The file shown at the replay's moment, in a read-only Monaco: one model per
 * file, brought to each new moment by replacing only what changed (so the view
 * keeps its place); during playback the change is scrolled into view. With
 * authorship on, each line is tinted by who wrote it last.
 */
import { effect } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { lineAuthors } from '../../../shared/replay/authorship.js';
import { languageOf } from '../editor/languages.js';
import type * as MonacoKit from '../editor/monaco.js';
import { theme } from '../lib/theme.js';
import { AuthorshipPainter } from './authorshipPaint.js';
import { fileText } from './liveTracker.js';
import { commonEnds } from '../../../shared/schema/restore.js';
import { setModelText } from './modelText.js';
import type { ReplaySession } from './replaySession.js';

export type MonacoApi = (typeof MonacoKit)['monaco'];
type Model = ReturnType<MonacoApi['editor']['createModel']>;

const READ_ONLY_MESSAGE =
  'This is a replay: it shows the project as it was. Restore or fork to edit from here.';

export function ReplayEditor(props: { session: ReplaySession; monaco: MonacoApi }) {
  const host = useRef<HTMLDivElement>(null);
  const { session, monaco } = props;

  useEffect(() => {
    const editor = monaco.editor.create(host.current!, {
      model: null,
      readOnly: true,
      readOnlyMessage: { value: READ_ONLY_MESSAGE },
      automaticLayout: true,
      fontSize: 14,
      fontFamily: "'JetBrains Mono', 'Fira Code', ui-monospace, Menlo, Consolas, monospace",
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      padding: { top: 8 },
      tabSize: 4,
      lineDecorationsWidth: 14,
    });
    const painter = new AuthorshipPainter(monaco, editor, session.colors);
    const models = new Map<string, Model>();
    const modelFor = (fileId: string, path: string): Model => {
      let model = models.get(fileId);
      if (!model) {
        const uri = monaco.Uri.from({
          scheme: 'replay',
          path: `/${fileId}/${path.slice(path.lastIndexOf('/') + 1)}`,
        });
        model = monaco.editor.createModel('', languageOf(path), uri);
        model.setEOL(monaco.editor.EndOfLineSequence.LF);
        models.set(fileId, model);
      } else if (model.getLanguageId() !== languageOf(path))
        monaco.editor.setModelLanguage(model, languageOf(path));
      return model;
    };
    // For debugging and end-to-end tests, beside `window.tandem` on a room page.
    Object.assign(window, { tandemReplay: { session, editor } });

    const disposers = [
      effect(() => monaco.editor.setTheme(theme.value === 'dark' ? 'tandem-dark' : 'tandem-light')),
      effect(() => {
        void session.revision.value;
        const file = session.shownFile.value;
        const text = file?.kind === 'text' ? fileText(session.engine.doc, file.id) : null;
        if (!file || !text) {
          editor.setModel(null);
          painter.clear();
          session.legend.value = [];
          return;
        }
        const model = modelFor(file.id, file.path);
        const before = model.getValue();
        if (editor.getModel() !== model) editor.setModel(model);
        setModelText(monaco, model, text.toString());
        if (session.playing.peek() && before !== model.getValue()) {
          const { prefix } = commonEnds(before, model.getValue());
          editor.revealLineInCenterIfOutsideViewport(model.getPositionAt(prefix).lineNumber);
        }
        // After the text: the painter's lines are the model's.
        const authorship = session.authorship.value;
        if (session.showAuthors.value && authorship) {
          session.legend.value = painter.paint(lineAuthors(text, authorship), (id) => session.nameOf(id));
        } else {
          painter.clear();
          session.legend.value = [];
        }
      }),
    ];
    return () => {
      for (const dispose of disposers) dispose();
      painter.dispose();
      editor.dispose();
      for (const model of models.values()) model.dispose();
      delete (window as { tandemReplay?: unknown }).tandemReplay;
    };
  }, [session, monaco]);

  return <div class="editor-host" ref={host} data-testid="replay-editor" />;
}
