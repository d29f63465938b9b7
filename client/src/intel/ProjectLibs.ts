/**
 * Every JavaScript and TypeScript file of the project, known to Monaco's
 * TypeScript workers, so that imports between files resolve whether or not the
 * imported file is open.
 *
 * Each file is an extra lib at its `file:///` URI, in both workers (a .ts file
 * may import a .js one and the other way round). Where a model of the file is
 * open, the worker reads the model instead, keystroke by keystroke; the lib is
 * only its fallback. So text edits reach the libs debounced, while adding,
 * renaming and deleting files reaches them at once. Nothing here starts a
 * worker: Monaco hands the libs over when the first JS/TS file opens.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import {
  javascriptDefaults,
  typescriptDefaults,
} from 'monaco-editor/languages/features/typescript/register.js';
import * as Y from 'yjs';
import { filesOf } from '../../../shared/schema/project.js';
import { languageOf } from '../editor/languages.js';
import { fileUri } from './fileUri.js';

/** Typing pauses shorter than this do not resend the project to the workers. */
const TEXT_SYNC_DELAY_MS = 300;
const SCRIPT_LANGUAGES = new Set(['javascript', 'typescript']);

interface Lib {
  content: string;
  handles: Monaco.IDisposable[];
}

export class ProjectLibs {
  /** Display path of each script file, by file id. */
  private paths = new Map<string, string>();
  /** The URI each file's lib sits at now, by file id. */
  private readonly uris = new Map<string, string>();
  private readonly libs = new Map<string, Lib>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly monaco: typeof Monaco,
    private readonly doc: Y.Doc,
    /** True for the models the editor binds to files; any other model at a file's URI is Monaco's copy. */
    private readonly isBound: (model: Monaco.editor.ITextModel) => boolean,
  ) {
    filesOf(doc).observeDeep(this.onChange);
  }

  /** The project's files by id, with the paths they are shown at. */
  setPaths(paths: ReadonlyMap<string, string>): void {
    const scripts = new Map([...paths].filter(([, path]) => SCRIPT_LANGUAGES.has(languageOf(path))));
    for (const id of new Set([...this.paths.keys(), ...scripts.keys()])) {
      if (this.paths.get(id) !== scripts.get(id)) this.dirty.add(id);
    }
    this.paths = scripts;
    this.flush();
  }

  dispose(): void {
    clearTimeout(this.timer);
    filesOf(this.doc).unobserveDeep(this.onChange);
    for (const uri of this.libs.keys()) this.remove(uri);
  }

  private readonly onChange = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
    // Added, renamed and deleted files come through setPaths; here only typing counts.
    for (const event of events) {
      const id = event.path[0];
      if (event.target instanceof Y.Text && typeof id === 'string' && this.paths.has(id)) this.dirty.add(id);
    }
    if (this.dirty.size > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), TEXT_SYNC_DELAY_MS);
    }
  };

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = [...this.dirty];
    this.dirty.clear();
    // Every URI given up first: two files may have swapped paths.
    for (const id of ids) {
      const path = this.paths.get(id);
      const uri = this.uris.get(id);
      if (uri && (!path || uri !== fileUri(this.monaco, path).toString())) {
        this.remove(uri);
        this.uris.delete(id);
      }
    }
    for (const id of ids) {
      const path = this.paths.get(id);
      const entry = filesOf(this.doc).get(id);
      const text = entry instanceof Y.Map ? entry.get('text') : null;
      if (!path || !(text instanceof Y.Text)) continue;
      const uri = fileUri(this.monaco, path).toString();
      this.set(uri, text.toString());
      this.uris.set(id, uri);
    }
  }

  private set(uri: string, content: string): void {
    if (this.libs.get(uri)?.content === content) return;
    // A lib added again at the same URI replaces the last one; its old handle goes stale.
    const handles = [typescriptDefaults, javascriptDefaults].map((d) => d.addExtraLib(content, uri));
    this.libs.set(uri, { content, handles });
    // The worker prefers a model to a lib: keep Monaco's own copy as fresh as the lib.
    const copy = this.copyAt(uri);
    if (copy && copy.getValue() !== content) copy.setValue(content);
  }

  private remove(uri: string): void {
    for (const handle of this.libs.get(uri)?.handles ?? []) handle.dispose();
    this.libs.delete(uri);
    this.copyAt(uri)?.dispose();
  }

  private copyAt(uri: string): Monaco.editor.ITextModel | null {
    const model = this.monaco.editor.getModel(this.monaco.Uri.parse(uri));
    return model && !this.isBound(model) ? model : null;
  }
}
