/**
 * LSP's shapes (as shared/lsp/results.ts checked them) into Monaco's, and back
 * for positions. LSP counts lines and characters from 0, Monaco from 1; both
 * count characters in UTF-16 code units, so the rest maps one to one.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import type {
  LspDiagnostic,
  LspMarkup,
  LspPosition,
  LspRange,
  LspResult,
} from '../../../shared/lsp/results.js';

type MonacoApi = typeof Monaco;

export function toLspPosition(position: Monaco.IPosition): LspPosition {
  return { line: position.lineNumber - 1, character: position.column - 1 };
}

export function toMonacoRange(range: LspRange): Monaco.IRange {
  return {
    startLineNumber: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLineNumber: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** Documentation as Monaco shows it: markdown untrusted (no command links, no HTML). */
export function toMarkdown(markup: LspMarkup): Monaco.IMarkdownString {
  return { value: markup.kind === 'markdown' ? markup.value : escapeMarkdown(markup.value) };
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

/** LSP's CompletionItemKind (1 Text … 25 TypeParameter) by name, as Monaco numbers them otherwise. */
const COMPLETION_KINDS = [
  'Text',
  'Method',
  'Function',
  'Constructor',
  'Field',
  'Variable',
  'Class',
  'Interface',
  'Module',
  'Property',
  'Unit',
  'Value',
  'Enum',
  'Keyword',
  'Snippet',
  'Color',
  'File',
  'Reference',
  'Folder',
  'EnumMember',
  'Constant',
  'Struct',
  'Event',
  'Operator',
  'TypeParameter',
] as const;

export function toCompletionList(
  monaco: MonacoApi,
  model: Monaco.editor.ITextModel,
  position: Monaco.Position,
  result: LspResult<'completion'>,
): Monaco.languages.CompletionList {
  const word = model.getWordUntilPosition(position);
  const fallback: Monaco.IRange = {
    startLineNumber: position.lineNumber,
    startColumn: word.startColumn,
    endLineNumber: position.lineNumber,
    endColumn: word.endColumn,
  };
  const { CompletionItemKind, CompletionItemInsertTextRule } = monaco.languages;
  return {
    incomplete: result.isIncomplete,
    suggestions: result.items.map((item) => {
      const kindName = item.kind ? COMPLETION_KINDS[item.kind - 1] : undefined;
      // pylsp labels a function with its parameters (`access(path, mode)`): typing filters on the name only.
      const name = item.insertText ?? item.textEdit?.newText;
      const filterText = item.filterText ?? (name && item.label.startsWith(name) ? name : undefined);
      const edit = item.textEdit;
      let range: Monaco.IRange | Monaco.languages.CompletionItemRanges = fallback;
      if (edit && 'range' in edit) range = usable(toMonacoRange(edit.range), position) ?? fallback;
      else if (edit) {
        const insert = usable(toMonacoRange(edit.insert), position);
        const replace = usable(toMonacoRange(edit.replace), position);
        if (insert && replace) range = { insert, replace };
      }
      return {
        label: item.label,
        kind: kindName ? CompletionItemKind[kindName] : CompletionItemKind.Text,
        ...(item.detail ? { detail: item.detail } : {}),
        ...(item.documentation ? { documentation: toMarkdown(item.documentation) } : {}),
        insertText: edit?.newText ?? item.insertText ?? item.label,
        ...(item.insertTextFormat === 2
          ? { insertTextRules: CompletionItemInsertTextRule.InsertAsSnippet }
          : {}),
        ...(item.sortText ? { sortText: item.sortText } : {}),
        ...(filterText ? { filterText } : {}),
        range,
      };
    }),
  };
}

/** Monaco takes a completion's range only on the cursor's line, around the cursor. */
function usable(range: Monaco.IRange, position: Monaco.Position): Monaco.IRange | null {
  const oneLine =
    range.startLineNumber === position.lineNumber && range.endLineNumber === position.lineNumber;
  return oneLine && range.startColumn <= position.column && range.endColumn >= position.column ? range : null;
}

export function toHover(result: LspResult<'hover'>): Monaco.languages.Hover | null {
  if (!result) return null;
  return {
    contents: [toMarkdown(result.contents)],
    ...(result.range ? { range: toMonacoRange(result.range) } : {}),
  };
}

export function toSignatureHelp(
  result: LspResult<'signatureHelp'>,
): Monaco.languages.SignatureHelpResult | null {
  if (!result || result.signatures.length === 0) return null;
  return {
    value: {
      signatures: result.signatures.map((signature) => ({
        label: signature.label,
        ...(signature.documentation ? { documentation: toMarkdown(signature.documentation) } : {}),
        parameters: (signature.parameters ?? []).map((parameter) => ({
          label: parameter.label,
          ...(parameter.documentation ? { documentation: toMarkdown(parameter.documentation) } : {}),
        })),
        ...(signature.activeParameter !== undefined ? { activeParameter: signature.activeParameter } : {}),
      })),
      activeSignature: result.activeSignature ?? 0,
      activeParameter: result.activeParameter ?? 0,
    },
    dispose: () => undefined,
  };
}

export function toSymbols(result: LspResult<'documentSymbol'>): Monaco.languages.DocumentSymbol[] {
  return result.map((symbol) => ({
    name: symbol.name,
    detail: symbol.detail ?? '',
    // Monaco's SymbolKind is LSP's, counted from 0.
    kind: (symbol.kind - 1) as Monaco.languages.SymbolKind,
    tags: [],
    range: toMonacoRange(symbol.range),
    selectionRange: toMonacoRange(symbol.selectionRange),
    ...(symbol.containerName ? { containerName: symbol.containerName } : {}),
  }));
}

export function toMarkers(monaco: MonacoApi, diagnostics: LspDiagnostic[]): Monaco.editor.IMarkerData[] {
  const { MarkerSeverity } = monaco;
  const severities = [MarkerSeverity.Error, MarkerSeverity.Warning, MarkerSeverity.Info, MarkerSeverity.Hint];
  return diagnostics.map((diagnostic) => ({
    ...toMonacoRange(diagnostic.range),
    severity: severities[diagnostic.severity - 1]!,
    message: diagnostic.message,
    ...(diagnostic.source ? { source: diagnostic.source } : {}),
    ...(diagnostic.code ? { code: diagnostic.code } : {}),
  }));
}
