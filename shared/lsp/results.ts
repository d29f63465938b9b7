/**
 * The results of code intelligence on the wire: a small, normalised subset of
 * LSP's, one shape per method, as valibot schemas. The runner turns whatever
 * its language server said into these (runner/workspace/lspResults.ts) and
 * checks them before they leave; the browser checks them again before Monaco
 * sees them. A language server runs inside the room's container, next to the
 * room's code, so its answers are treated as untrusted input at both edges.
 * Every string and list is capped; unknown keys are dropped.
 */
import * as v from 'valibot';
import {
  LSP_DIAGNOSTIC_MESSAGE_MAX_CHARS,
  LSP_DIAGNOSTICS_MAX,
  LSP_LANGUAGES,
  type LspMethod,
} from './protocol.js';
import { ProtocolError } from '../protocol/fields.js';

const uint = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const str = (max: number) => v.pipe(v.string(), v.maxLength(max));

export const PositionSchema = v.object({ line: uint, character: uint });
export const RangeSchema = v.object({ start: PositionSchema, end: PositionSchema });
export type LspPosition = v.InferOutput<typeof PositionSchema>;
export type LspRange = v.InferOutput<typeof RangeSchema>;

/** Documentation and hover text: markdown or plain text. */
export const MarkupSchema = v.object({ kind: v.picklist(['markdown', 'plaintext']), value: str(64 * 1024) });
export type LspMarkup = v.InferOutput<typeof MarkupSchema>;

const TextEditSchema = v.object({ range: RangeSchema, newText: str(16 * 1024) });
const InsertReplaceEditSchema = v.object({
  insert: RangeSchema,
  replace: RangeSchema,
  newText: str(16 * 1024),
});

export const CompletionResultSchema = v.object({
  isIncomplete: v.boolean(),
  items: v.pipe(
    v.array(
      v.object({
        label: str(1024),
        /** LSP's CompletionItemKind, 1 to 25. */
        kind: v.optional(v.pipe(uint, v.minValue(1), v.maxValue(25))),
        detail: v.optional(str(4096)),
        documentation: v.optional(MarkupSchema),
        insertText: v.optional(str(16 * 1024)),
        /** 1: plain text, 2: snippet. */
        insertTextFormat: v.optional(v.picklist([1, 2])),
        textEdit: v.optional(v.union([TextEditSchema, InsertReplaceEditSchema])),
        sortText: v.optional(str(1024)),
        filterText: v.optional(str(1024)),
      }),
    ),
    v.maxLength(2000),
  ),
});

export const HoverResultSchema = v.nullable(
  v.object({ contents: MarkupSchema, range: v.optional(RangeSchema) }),
);

const ParameterSchema = v.object({
  /** The parameter's text, or its [start, end) offsets in the signature's label. */
  label: v.union([str(1024), v.tuple([uint, uint])]),
  documentation: v.optional(MarkupSchema),
});

export const SignatureHelpResultSchema = v.nullable(
  v.object({
    signatures: v.pipe(
      v.array(
        v.object({
          label: str(4096),
          documentation: v.optional(MarkupSchema),
          parameters: v.optional(v.pipe(v.array(ParameterSchema), v.maxLength(64))),
          activeParameter: v.optional(uint),
        }),
      ),
      v.maxLength(32),
    ),
    activeSignature: v.optional(uint),
    activeParameter: v.optional(uint),
  }),
);

/** Definitions inside the project only: `path` is relative to its root, like the room's files. */
export const DefinitionResultSchema = v.pipe(
  v.array(v.object({ path: str(4096), range: RangeSchema })),
  v.maxLength(100),
);

/** The outline of a file, flattened (`containerName` says what a symbol sits in). */
export const DocumentSymbolResultSchema = v.pipe(
  v.array(
    v.object({
      name: str(1024),
      detail: v.optional(str(1024)),
      /** LSP's SymbolKind, 1 to 26. */
      kind: v.pipe(uint, v.minValue(1), v.maxValue(26)),
      range: RangeSchema,
      selectionRange: RangeSchema,
      containerName: v.optional(str(1024)),
    }),
  ),
  v.maxLength(2000),
);

export const RESULT_SCHEMAS = {
  completion: CompletionResultSchema,
  hover: HoverResultSchema,
  signatureHelp: SignatureHelpResultSchema,
  definition: DefinitionResultSchema,
  documentSymbol: DocumentSymbolResultSchema,
} as const satisfies Record<LspMethod, v.GenericSchema>;

export type LspResult<M extends LspMethod> = v.InferOutput<(typeof RESULT_SCHEMAS)[M]>;

/** The result of `method`, checked; null when it does not match its shape. */
export function parseLspResult<M extends LspMethod>(method: M, value: unknown): LspResult<M> | null {
  const result = v.safeParse(RESULT_SCHEMAS[method], value);
  return result.success ? (result.output as LspResult<M>) : null;
}

export const DiagnosticSchema = v.object({
  range: RangeSchema,
  /** 1 error, 2 warning, 3 information, 4 hint. */
  severity: v.picklist([1, 2, 3, 4]),
  message: str(LSP_DIAGNOSTIC_MESSAGE_MAX_CHARS),
  source: v.optional(str(64)),
  code: v.optional(str(64)),
});
export type LspDiagnostic = v.InferOutput<typeof DiagnosticSchema>;

const DiagnosticsEntries = {
  language: v.picklist(LSP_LANGUAGES),
  path: str(4096),
  diagnostics: v.pipe(v.array(DiagnosticSchema), v.maxLength(LSP_DIAGNOSTICS_MAX)),
};

/** `lspDiagnostics` (relay -> client): the diagnostics of one file now (empty: none). */
const LspDiagnosticsSchema = v.object(DiagnosticsEntries);
export type LspDiagnosticsPayload = v.InferOutput<typeof LspDiagnosticsSchema>;

/** `runnerLspDiagnostics` (runner -> relay): the same, for a workspace. */
const RunnerLspDiagnosticsSchema = v.object({
  workspaceId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  ...DiagnosticsEntries,
});
export type RunnerLspDiagnosticsPayload = v.InferOutput<typeof RunnerLspDiagnosticsSchema>;

function parser<S extends v.GenericSchema>(schema: S, name: string): (value: unknown) => v.InferOutput<S> {
  return (value) => {
    const result = v.safeParse(schema, value);
    if (result.success) return result.output;
    const issue = result.issues[0];
    throw new ProtocolError(`${name}.${v.getDotPath(issue) ?? ''}: ${issue.message}`);
  };
}

export const parseLspDiagnostics = parser(LspDiagnosticsSchema, 'lspDiagnostics');
export const parseRunnerLspDiagnostics = parser(RunnerLspDiagnosticsSchema, 'runnerLspDiagnostics');
