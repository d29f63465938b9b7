/**
 * What a language server answered, turned into the wire's shapes
 * (shared/lsp/results.ts): LSP lets each answer take several forms
 * (MarkedString or MarkupContent, Location or LocationLink, a tree or a list
 * of symbols); the browser gets one. Only project files survive as places
 * (`path` relative to the project root); commands and extra edits are
 * dropped, so nothing in an answer can change a file. Strings are cut to the
 * wire's caps; the result is checked against the shared schema before it goes.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as v from 'valibot';
import {
  LSP_DIAGNOSTIC_MESSAGE_MAX_CHARS,
  LSP_DIAGNOSTICS_MAX,
  type LspMethod,
} from '../../shared/lsp/protocol.js';
import {
  parseLspResult,
  type LspDiagnostic,
  type LspMarkup,
  type LspRange,
  type LspResult,
} from '../../shared/lsp/results.js';

const uint = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const Range = v.object({
  start: v.object({ line: uint, character: uint }),
  end: v.object({ line: uint, character: uint }),
});
const MarkedString = v.union([v.string(), v.object({ language: v.string(), value: v.string() })]);
const Markup = v.union([
  v.object({ kind: v.string(), value: v.string() }),
  MarkedString,
  v.array(MarkedString),
]);
const TextEdit = v.object({ range: Range, newText: v.string() });
const InsertReplaceEdit = v.object({ insert: Range, replace: Range, newText: v.string() });
const CompletionItem = v.object({
  label: v.string(),
  kind: v.optional(v.number()),
  detail: v.optional(v.nullable(v.string())),
  documentation: v.optional(v.nullable(Markup)),
  insertText: v.optional(v.nullable(v.string())),
  insertTextFormat: v.optional(v.nullable(v.number())),
  textEdit: v.optional(v.nullable(v.union([TextEdit, InsertReplaceEdit]))),
  sortText: v.optional(v.nullable(v.string())),
  filterText: v.optional(v.nullable(v.string())),
});
const Completion = v.nullable(
  v.union([
    v.array(CompletionItem),
    v.object({ isIncomplete: v.optional(v.boolean()), items: v.array(CompletionItem) }),
  ]),
);
const Hover = v.nullable(v.object({ contents: Markup, range: v.optional(v.nullable(Range)) }));
const SignatureHelp = v.nullable(
  v.object({
    signatures: v.array(
      v.object({
        label: v.string(),
        documentation: v.optional(v.nullable(Markup)),
        parameters: v.optional(
          v.nullable(
            v.array(
              v.object({
                label: v.union([v.string(), v.tuple([uint, uint])]),
                documentation: v.optional(v.nullable(Markup)),
              }),
            ),
          ),
        ),
        activeParameter: v.optional(v.nullable(uint)),
      }),
    ),
    activeSignature: v.optional(v.nullable(uint)),
    activeParameter: v.optional(v.nullable(uint)),
  }),
);
const Location = v.object({ uri: v.string(), range: Range });
const LocationLink = v.object({ targetUri: v.string(), targetSelectionRange: Range });
const Definition = v.nullable(v.union([Location, v.array(v.union([Location, LocationLink]))]));
interface RawSymbol {
  name: string;
  detail?: string | null | undefined;
  kind: number;
  range: v.InferOutput<typeof Range>;
  selectionRange: v.InferOutput<typeof Range>;
  children?: RawSymbol[] | null | undefined;
}
const DocumentSymbol: v.GenericSchema<RawSymbol> = v.object({
  name: v.string(),
  detail: v.optional(v.nullable(v.string())),
  kind: v.number(),
  range: Range,
  selectionRange: Range,
  children: v.optional(v.nullable(v.array(v.lazy(() => DocumentSymbol)))),
});
const SymbolInformation = v.object({
  name: v.string(),
  kind: v.number(),
  location: Location,
  containerName: v.optional(v.nullable(v.string())),
});
const DocumentSymbols = v.nullable(v.union([v.array(DocumentSymbol), v.array(SymbolInformation)]));
const Diagnostics = v.array(
  v.object({
    range: Range,
    severity: v.optional(v.nullable(v.number())),
    code: v.optional(v.nullable(v.union([v.string(), v.number()]))),
    source: v.optional(v.nullable(v.string())),
    message: v.string(),
  }),
);

/** Where the project sits in the workspace, as LSP URIs see it. */
export class ProjectUris {
  private readonly prefix: string;

  constructor(root: string) {
    this.prefix = pathToFileURL(root.endsWith('/') ? root : `${root}/`).href;
  }

  get rootUri(): string {
    return this.prefix.slice(0, -1);
  }

  uri(path: string): string {
    return `${this.prefix}${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The project path a URI names, or null for anywhere else (the standard library, the system). */
  path(uri: string): string | null {
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return null;
    }
    const root = fileURLToPath(this.prefix);
    if (!file.startsWith(root)) return null;
    const path = file.slice(root.length);
    return path && path.split('/').every((part) => part && part !== '.' && part !== '..') ? path : null;
  }
}

/** The answer in its wire shape, checked; null when the server's answer is not one LSP allows. */
export function normalizeResult<M extends LspMethod>(
  method: M,
  raw: unknown,
  uris: ProjectUris,
): LspResult<M> | null {
  const normalized = NORMALIZE[method](raw, uris);
  return normalized === undefined ? null : parseLspResult(method, normalized);
}

const NORMALIZE: Record<LspMethod, (raw: unknown, uris: ProjectUris) => unknown> = {
  completion: (raw) => {
    const parsed = v.safeParse(Completion, raw);
    if (!parsed.success) return undefined;
    const list = parsed.output ?? [];
    const items = Array.isArray(list) ? list : list.items;
    return {
      isIncomplete: Array.isArray(list) ? false : (list.isIncomplete ?? false),
      items: items.slice(0, 2000).map((item) => ({
        label: item.label.slice(0, 1024),
        ...(item.kind !== undefined && item.kind >= 1 && item.kind <= 25 ? { kind: item.kind } : {}),
        ...(item.detail ? { detail: item.detail.slice(0, 4096) } : {}),
        ...(item.documentation ? { documentation: markup(item.documentation) } : {}),
        ...(item.insertText ? { insertText: item.insertText.slice(0, 16 * 1024) } : {}),
        ...(item.insertTextFormat === 1 || item.insertTextFormat === 2
          ? { insertTextFormat: item.insertTextFormat }
          : {}),
        ...(item.textEdit
          ? { textEdit: { ...item.textEdit, newText: item.textEdit.newText.slice(0, 16 * 1024) } }
          : {}),
        ...(item.sortText ? { sortText: item.sortText.slice(0, 1024) } : {}),
        ...(item.filterText ? { filterText: item.filterText.slice(0, 1024) } : {}),
      })),
    };
  },
  hover: (raw) => {
    const parsed = v.safeParse(Hover, raw);
    if (!parsed.success) return undefined;
    if (!parsed.output) return null;
    const contents = markup(parsed.output.contents);
    if (!contents.value.trim()) return null;
    return { contents, ...(parsed.output.range ? { range: parsed.output.range } : {}) };
  },
  signatureHelp: (raw) => {
    const parsed = v.safeParse(SignatureHelp, raw);
    if (!parsed.success) return undefined;
    const help = parsed.output;
    if (!help || help.signatures.length === 0) return null;
    return {
      signatures: help.signatures.slice(0, 32).map((signature) => ({
        label: signature.label.slice(0, 4096),
        ...(signature.documentation ? { documentation: markup(signature.documentation) } : {}),
        ...(signature.parameters
          ? {
              parameters: signature.parameters.slice(0, 64).map((parameter) => ({
                label: typeof parameter.label === 'string' ? parameter.label.slice(0, 1024) : parameter.label,
                ...(parameter.documentation ? { documentation: markup(parameter.documentation) } : {}),
              })),
            }
          : {}),
        ...(typeof signature.activeParameter === 'number'
          ? { activeParameter: signature.activeParameter }
          : {}),
      })),
      ...(typeof help.activeSignature === 'number' ? { activeSignature: help.activeSignature } : {}),
      ...(typeof help.activeParameter === 'number' ? { activeParameter: help.activeParameter } : {}),
    };
  },
  definition: (raw, uris) => {
    const parsed = v.safeParse(Definition, raw);
    if (!parsed.success) return undefined;
    const list = parsed.output === null ? [] : Array.isArray(parsed.output) ? parsed.output : [parsed.output];
    const places: { path: string; range: LspRange }[] = [];
    for (const place of list) {
      const path = uris.path('uri' in place ? place.uri : place.targetUri);
      if (path) places.push({ path, range: 'range' in place ? place.range : place.targetSelectionRange });
    }
    return places.slice(0, 100);
  },
  documentSymbol: (raw, uris) => {
    const parsed = v.safeParse(DocumentSymbols, raw);
    if (!parsed.success) return undefined;
    const out: unknown[] = [];
    const cut = (text: string) => text.slice(0, 1024);
    const walk = (symbols: RawSymbol[], container: string | null) => {
      for (const symbol of symbols) {
        if (out.length >= 2000) return;
        if (symbol.kind < 1 || symbol.kind > 26) continue;
        out.push({
          name: cut(symbol.name),
          ...(symbol.detail ? { detail: cut(symbol.detail) } : {}),
          kind: symbol.kind,
          range: symbol.range,
          selectionRange: symbol.selectionRange,
          ...(container ? { containerName: cut(container) } : {}),
        });
        if (symbol.children) walk(symbol.children, symbol.name);
      }
    };
    for (const symbol of parsed.output ?? []) {
      if (!('location' in symbol)) continue;
      if (out.length >= 2000 || symbol.kind < 1 || symbol.kind > 26 || !uris.path(symbol.location.uri))
        continue;
      out.push({
        name: cut(symbol.name),
        kind: symbol.kind,
        range: symbol.location.range,
        selectionRange: symbol.location.range,
        ...(symbol.containerName ? { containerName: cut(symbol.containerName) } : {}),
      });
    }
    walk(
      (parsed.output ?? []).filter((symbol): symbol is RawSymbol => !('location' in symbol)),
      null,
    );
    return out;
  },
};

/** Diagnostics in their wire shape, errors first, at most LSP_DIAGNOSTICS_MAX; null: not LSP's shape. */
export function normalizeDiagnostics(raw: unknown): LspDiagnostic[] | null {
  const parsed = v.safeParse(Diagnostics, raw);
  if (!parsed.success) return null;
  return parsed.output
    .map((diagnostic) => ({
      range: diagnostic.range,
      severity: (diagnostic.severity && diagnostic.severity >= 1 && diagnostic.severity <= 4
        ? diagnostic.severity
        : 1) as LspDiagnostic['severity'],
      message: diagnostic.message.slice(0, LSP_DIAGNOSTIC_MESSAGE_MAX_CHARS),
      ...(diagnostic.source ? { source: diagnostic.source.slice(0, 64) } : {}),
      ...(diagnostic.code !== undefined && diagnostic.code !== null
        ? { code: String(diagnostic.code).slice(0, 64) }
        : {}),
    }))
    .sort((a, b) => a.severity - b.severity)
    .slice(0, LSP_DIAGNOSTICS_MAX);
}

/** Any of LSP's forms of documentation as one markup. */
function markup(raw: v.InferOutput<typeof Markup>): LspMarkup {
  const MAX = 64 * 1024;
  if (typeof raw === 'string') return { kind: 'markdown', value: raw.slice(0, MAX) };
  if (Array.isArray(raw)) {
    const parts = raw.map((part) => markup(part).value).filter((part) => part.trim());
    return { kind: 'markdown', value: parts.join('\n\n---\n\n').slice(0, MAX) };
  }
  if ('language' in raw) return { kind: 'markdown', value: fence(raw.language, raw.value).slice(0, MAX) };
  return { kind: raw.kind === 'plaintext' ? 'plaintext' : 'markdown', value: raw.value.slice(0, MAX) };
}

function fence(language: string, code: string): string {
  const ticks = '`'.repeat(Math.max(3, ...[...code.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}${language.replace(/[^\w+-]/g, '')}\n${code}\n${ticks}`;
}
