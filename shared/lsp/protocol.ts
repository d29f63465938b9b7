/**
 * Code intelligence from a workspace's language servers, as the wire carries
 * it (messages 190-199 of shared/protocol/table.ts).
 *
 *   browser --lspRequest {requestId, language, method, path, text, position}--> relay
 *   relay   --runnerLspRequest {workspaceId, relay's requestId, ...}----------> runner
 *   runner  --lspAnswer {requestId, status, message, result}------------------> relay
 *   relay   --lspAnswer {the browser's requestId, ...}--> the asking connection only
 *   runner  --runnerLspDiagnostics {workspaceId, path, diagnostics}--> relay --lspDiagnostics--> the room
 *
 * One server per language per workspace, started on the first request and
 * shared by the room. Every request says which file and carries the text the
 * person sees (a viewer's is replaced by the room's: a viewer cannot change
 * what the server reads). The methods are an allow-list of reading ones: no
 * rename, code action, formatting or command, and the runner refuses a
 * server's `workspace/applyEdit`; edits happen only in an editor's Monaco,
 * under its edit right. Positions are LSP's: 0-based line and UTF-16
 * character; the browser converts from Monaco's 1-based ones.
 */

/** Monaco language ids that a workspace's language servers answer for. Go: no toolchain in the image. */
export const LSP_LANGUAGES = ['python', 'c', 'cpp'] as const;
export type LspLanguage = (typeof LSP_LANGUAGES)[number];

/** The LSP requests a browser may ask for, by their short names (`textDocument/<name>`). */
export const LSP_METHODS = ['completion', 'hover', 'signatureHelp', 'definition', 'documentSymbol'] as const;
export type LspMethod = (typeof LSP_METHODS)[number];

/** How a request ended: `ok` carries a result; anything else a short sentence in `message`. */
export const LspStatus = {
  Ok: 'ok',
  /** The room has no running workspace: nothing to ask. */
  NoWorkspace: 'no_workspace',
  /** Not allowed or malformed (method, language, path, size). */
  Refused: 'refused',
  RateLimited: 'rate_limited',
  Timeout: 'timeout',
  /** No server for it now: missing from the image, or it crashed too often lately. */
  Unavailable: 'unavailable',
  /** The server answered with an error, or its answer did not validate. */
  Failed: 'failed',
} as const;
export type LspStatus = (typeof LspStatus)[keyof typeof LspStatus];
export const LSP_STATUSES: readonly LspStatus[] = Object.values(LspStatus);

/** A file's text in one request (as many characters as a workspace file's default byte cap). */
export const LSP_TEXT_MAX_CHARS = 1024 * 1024;
/** One answer's result, as JSON. */
export const LSP_RESULT_MAX_CHARS = 1024 * 1024;
/** Diagnostics of one file that reach the room (errors first). */
export const LSP_DIAGNOSTICS_MAX = 100;
/** A diagnostic's message is cut to this. */
export const LSP_DIAGNOSTIC_MESSAGE_MAX_CHARS = 1000;

export function isLspLanguage(value: string): value is LspLanguage {
  return (LSP_LANGUAGES as readonly string[]).includes(value);
}

export function isLspMethod(value: string): value is LspMethod {
  return (LSP_METHODS as readonly string[]).includes(value);
}

/** The language's name for people ("Python", "C++"). */
export function lspLanguageName(language: LspLanguage): string {
  return language === 'python' ? 'Python' : language === 'c' ? 'C' : 'C++';
}

/**
 * A project path a request may name: relative, `/`-separated, no `.` or `..`
 * segment, no empty one, no NUL. The relay also checks the room has the file.
 */
export function isProjectPath(path: string): boolean {
  if (path.length === 0 || path.length > 4096 || path.includes('\0') || path.includes('\\')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
