/**
 * Python, C and C++ intelligence in Monaco from the language servers of the
 * room's workspace (shared/lsp/protocol.ts): completions, hover, signature
 * help, go to definition and the outline ask over the room's socket with the
 * file's text as this page shows it, and the servers' diagnostics become
 * markers on every page. Monaco's own read-only rule keeps a viewer from
 * applying anything; the relay answers a viewer on the room's text.
 *
 * While the workspace is not running nothing is asked and the editor works
 * as before; `languageServerNote` says, quietly, what would bring these.
 *
 * Mount once per editor page, beside the editor, and call what it returns on
 * the way out:
 *
 *     attachLanguageServers(kit.monaco, room)
 */
import { computed, effect, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import {
  isLspLanguage,
  LSP_LANGUAGES,
  LSP_TEXT_MAX_CHARS,
  LspStatus,
  lspLanguageName,
  type LspLanguage,
} from '../../../shared/lsp/protocol.js';
import type { LspDiagnostic } from '../../../shared/lsp/results.js';
import { MessageType } from '../../../shared/protocol/table.js';
import { languageOf } from '../editor/languages.js';
import { fileUri } from '../intel/fileUri.js';
import type { RoomState } from '../room/roomState.js';
import {
  toCompletionList,
  toHover,
  toLspPosition,
  toMarkers,
  toMonacoRange,
  toSignatureHelp,
  toSymbols,
} from './convert.js';
import { LspClient, type LspProblem } from './lspClient.js';

const MARKER_OWNER = 'tandem-lsp';
const COMPLETION_TRIGGERS: Record<LspLanguage, string[]> = {
  python: ['.'],
  c: ['.', '>'],
  cpp: ['.', '>', ':'],
};

/** Per room: why its language servers last gave no answer (for the note). */
const problems = new WeakMap<RoomState, Signal<LspProblem | null>>();

function problemOf(room: RoomState): Signal<LspProblem | null> {
  let problem = problems.get(room);
  if (!problem) problems.set(room, (problem = signal<LspProblem | null>(null)));
  return problem;
}

interface Asked {
  language: LspLanguage;
  path: string;
  text: string;
}

/** Registers the providers and the markers; returns what undoes it all. */
export function attachLanguageServers(monaco: typeof Monaco, room: RoomState): () => void {
  const { conn, workspace } = room;
  const client = new LspClient(conn.channel);
  const problem = problemOf(room);
  /** Diagnostics per path, as the room's workspace last published them. */
  const diagnostics = new Map<string, LspDiagnostic[]>();
  /** Models asked about once in this run of the workspace, so the server follows them. */
  let opened = new WeakSet<Monaco.editor.ITextModel>();

  /** What a request about `model` sends, or null: not a served file, or no workspace to ask. */
  const asked = (model: Monaco.editor.ITextModel): Asked | null => {
    if (!workspace.running.peek() || model.uri.scheme !== 'file' || model.isDisposed()) return null;
    const language = model.getLanguageId();
    const path = model.uri.path.slice(1);
    if (!isLspLanguage(language) || !isRoomFile(room, path)) return null;
    const text = model.getValue();
    return text.length > LSP_TEXT_MAX_CHARS ? null : { language, path, text };
  };
  const request = <M extends Parameters<LspClient['request']>[0]>(
    method: M,
    model: Monaco.editor.ITextModel,
    position: Monaco.IPosition,
  ) => {
    const what = asked(model);
    return what ? client.request(method, what.language, what.path, what.text, toLspPosition(position)) : null;
  };
  /** Asks for the outline once: the server opens the file and its diagnostics come from then on. */
  const open = (model: Monaco.editor.ITextModel) => {
    if (opened.has(model) || !asked(model)) return;
    opened.add(model);
    void request('documentSymbol', model, { lineNumber: 1, column: 1 });
  };
  const mark = (path: string) => {
    const model = monaco.editor.getModel(fileUri(monaco, path));
    if (model)
      monaco.editor.setModelMarkers(model, MARKER_OWNER, toMarkers(monaco, diagnostics.get(path) ?? []));
  };

  const disposables: Monaco.IDisposable[] = LSP_LANGUAGES.flatMap((language) => [
    monaco.languages.registerCompletionItemProvider(language, {
      triggerCharacters: COMPLETION_TRIGGERS[language],
      provideCompletionItems: async (model, position, _context, token) => {
        const result = await request('completion', model, position);
        if (!result || token.isCancellationRequested) return undefined;
        return toCompletionList(monaco, model, position, result);
      },
    }),
    monaco.languages.registerHoverProvider(language, {
      provideHover: async (model, position, token) => {
        const result = await request('hover', model, position);
        return result && !token.isCancellationRequested ? toHover(result) : null;
      },
    }),
    monaco.languages.registerSignatureHelpProvider(language, {
      signatureHelpTriggerCharacters: ['(', ','],
      signatureHelpRetriggerCharacters: [')'],
      provideSignatureHelp: async (model, position, token) => {
        const result = await request('signatureHelp', model, position);
        return result && !token.isCancellationRequested ? toSignatureHelp(result) : null;
      },
    }),
    monaco.languages.registerDefinitionProvider(language, {
      provideDefinition: async (model, position, token) => {
        const result = await request('definition', model, position);
        if (!result || token.isCancellationRequested) return null;
        // Another file opens through the editor's opener (see intel/openDefinitions.ts).
        return result.map((place) => ({
          uri: fileUri(monaco, place.path),
          range: toMonacoRange(place.range),
        }));
      },
    }),
    monaco.languages.registerDocumentSymbolProvider(language, {
      provideDocumentSymbols: async (model, token) => {
        const result = await request('documentSymbol', model, { lineNumber: 1, column: 1 });
        return result && !token.isCancellationRequested ? toSymbols(result) : null;
      },
    }),
  ]);
  disposables.push(
    monaco.editor.onDidCreateModel((model) => {
      const path = model.uri.scheme === 'file' ? model.uri.path.slice(1) : null;
      if (path && diagnostics.has(path)) mark(path);
      open(model);
    }),
  );

  const stops = [
    conn.channel.on(MessageType.LspDiagnostics, (message) => {
      if (message.diagnostics.length === 0) diagnostics.delete(message.path);
      else diagnostics.set(message.path, message.diagnostics);
      mark(message.path);
    }),
    effect(() => {
      problem.value = client.problem.value;
    }),
    effect(() => {
      if (workspace.running.value) {
        for (const model of monaco.editor.getModels()) open(model);
        return;
      }
      // No workspace: its diagnostics are gone, and the next one opens files afresh.
      opened = new WeakSet();
      const paths = [...diagnostics.keys()];
      diagnostics.clear();
      for (const path of paths) mark(path);
    }),
  ];

  return () => {
    for (const stop of stops) stop();
    for (const disposable of disposables) disposable.dispose();
    for (const model of monaco.editor.getModels()) monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
    client.dispose();
  };
}

/**
 * A quiet line for the open file, or null: what brings Python, C or C++
 * intelligence when it is missing (the workspace is off or starting, or its
 * image has no server for the language). Shows nothing for other languages.
 */
export function languageServerNote(room: RoomState): ReadonlySignal<string | null> {
  const problem = problemOf(room);
  return computed(() => {
    const id = room.active.value;
    const path = id === null ? undefined : room.pathById.value.get(id);
    const language = path === undefined ? null : languageOf(path);
    if (!language || !isLspLanguage(language)) return null;
    const name = lspLanguageName(language);
    const state = room.workspace.status.value.state;
    if (state === 'starting') return `The workspace is starting: ${name} completions follow`;
    if (state !== 'running') {
      return room.workspace.canUse.value
        ? `Open the workspace for ${name} completions`
        : `${name} completions come with the workspace, which an editor starts`;
    }
    const now = problem.value;
    return now?.language === language && now.status === LspStatus.Unavailable ? now.message : null;
  });
}

function isRoomFile(room: RoomState, path: string): boolean {
  for (const known of room.pathById.peek().values()) if (known === path) return true;
  return false;
}
