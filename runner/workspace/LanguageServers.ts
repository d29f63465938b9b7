/**
 * The language servers of one workspace: at most one per server kind (pylsp
 * for Python, clangd for C and C++), started inside the container as the
 * sandbox user on the first request that needs it, shared by everyone in the
 * room, its memory counted in the workspace's limits like any program there.
 *
 * Each request names a file and carries its text as the asker sees it: when
 * that differs from what the server last saw, the server gets `didOpen` or a
 * full-text `didChange` first. The room's own file changes (from the relay,
 * and from commands in the container) reach open documents the same way, so
 * diagnostics follow the room's text and go to everyone.
 *
 * Servers only read. The requests are an allow-list of reading ones, no
 * command is ever executed, and a server's own `workspace/applyEdit` is
 * refused. A server that dies is started again on the next request, at most
 * RESTARTS_MAX times a minute; one that stops answering is ended and counts
 * as having died.
 */
import * as v from 'valibot';
import {
  isProjectPath,
  lspLanguageName,
  LSP_RESULT_MAX_CHARS,
  LspStatus,
  type LspLanguage,
  type LspMethod,
} from '../../shared/lsp/protocol.js';
import type { LspDiagnostic } from '../../shared/lsp/results.js';
import type { MessageOf } from '../../shared/protocol/table.js';
import { LspConnection, LspRequestError } from './LspConnection.js';
import { normalizeDiagnostics, normalizeResult, ProjectUris } from './lspResults.js';
import { initializeParams, specOf, type ServerSpec } from './lspServers.js';
import { PROJECT_ROOT, type WorkspaceProcess } from './Workspace.js';

const INITIALIZE_TIMEOUT_MS = 30_000;
/**
 * A request's time, its server's start included (a cold pylsp takes seconds
 * to start and more for its first completion); under the relay's own limit, so
 * the answer says what happened. A start that takes longer goes on for the next request.
 */
const REQUEST_TIMEOUT_MS = 20_000;
const RESTARTS_MAX = 3;
const RESTART_WINDOW_MS = 60_000;
/** Requests in a row that ran out of time before the server is taken for hung. */
const TIMEOUTS_MAX = 3;
/** Documents a server keeps open; the least recently asked about is closed first. */
const DOCUMENTS_MAX = 64;
/** Requests waiting on one workspace's servers at once. */
const PENDING_MAX = 32;

export interface LanguageServersHooks {
  onDiagnostics(language: LspLanguage, path: string, diagnostics: LspDiagnostic[]): void;
  log: { info(event: string, fields?: object): void; warn(event: string, fields?: object): void };
}

export interface LspOutcome {
  status: LspStatus;
  message: string;
  /** JSON; 'null' unless ok. */
  result: string;
}

interface Document {
  language: LspLanguage;
  version: number;
  text: string;
  usedAt: number;
}

interface Server {
  spec: ServerSpec;
  ready: Promise<void>;
  process: WorkspaceProcess | null;
  conn: LspConnection | null;
  documents: Map<string, Document>;
  timeouts: number;
  /** We ended it: not a crash. */
  ending: boolean;
}

class Refusal extends Error {
  constructor(
    readonly status: LspStatus,
    message: string,
  ) {
    super(message);
  }
}

export class LanguageServers {
  private readonly servers = new Map<string, Server>();
  private readonly crashes = new Map<string, number[]>();
  /** Servers the image does not have. */
  private readonly missing = new Set<string>();
  private readonly uris = new ProjectUris(PROJECT_ROOT);
  /** The diagnostics last sent per path, to send only changes. */
  private readonly sent = new Map<string, string>();
  private pending = 0;
  private closed = false;

  constructor(
    private readonly open: (command: string[]) => Promise<WorkspaceProcess>,
    private readonly hooks: LanguageServersHooks,
  ) {}

  async request(message: MessageOf<'RunnerLspRequest'>): Promise<LspOutcome> {
    if (this.pending >= PENDING_MAX) return refusal(LspStatus.RateLimited, 'the language servers are busy');
    this.pending++;
    try {
      if (!isProjectPath(message.path)) throw new Refusal(LspStatus.Refused, 'not a path in the project');
      const deadline = Date.now() + REQUEST_TIMEOUT_MS;
      const server = await beforeDeadline(this.server(specOf(message.language)), deadline);
      const result = await this.ask(server, message, deadline);
      return { status: LspStatus.Ok, message: '', result };
    } catch (error) {
      if (error instanceof Refusal) return refusal(error.status, error.message);
      if (error instanceof LspRequestError) {
        if (error.code === 'timeout') return refusal(LspStatus.Timeout, error.message);
        if (error.code === 'closed') return refusal(LspStatus.Unavailable, error.message);
        return refusal(LspStatus.Failed, `the language server failed: ${error.message}`);
      }
      this.hooks.log.warn('lsp.request_failed', { err: error });
      return refusal(LspStatus.Failed, `the language server failed: ${(error as Error).message}`);
    } finally {
      this.pending--;
    }
  }

  /** A file of the room changed (null: deleted): open documents follow it. */
  fileChanged(path: string, data: Uint8Array | null): void {
    for (const server of this.servers.values()) {
      const doc = server.documents.get(path);
      if (!doc || !server.conn) continue;
      if (data === null) {
        this.closeDocument(server, path);
        continue;
      }
      const text = Buffer.from(data).toString('utf8');
      if (text !== doc.text) this.change(server, path, doc, text);
    }
  }

  /** The workspace is going: its container takes the servers with it. */
  close(): void {
    this.closed = true;
    for (const server of this.servers.values()) {
      server.ending = true;
      server.conn?.close('the workspace stopped');
    }
    this.servers.clear();
  }

  private async server(spec: ServerSpec): Promise<Server> {
    if (this.closed) throw new Refusal(LspStatus.NoWorkspace, 'the workspace stopped');
    const name = `the ${spec.languages.map(lspLanguageName).join(' and ')} language server`;
    if (this.missing.has(spec.name)) {
      throw new Refusal(
        LspStatus.Unavailable,
        `this workspace image has no ${spec.command[0]}: rebuild it (scripts/build-images workspace)`,
      );
    }
    let server = this.servers.get(spec.name);
    if (!server) {
      const now = Date.now();
      const recent = (this.crashes.get(spec.name) ?? []).filter((at) => now - at < RESTART_WINDOW_MS);
      this.crashes.set(spec.name, recent);
      if (recent.length >= RESTARTS_MAX) {
        const waitS = Math.ceil((recent[0]! + RESTART_WINDOW_MS - now) / 1000);
        throw new Refusal(
          LspStatus.Unavailable,
          `${name} stopped ${recent.length} times in a minute; it is tried again in ${waitS} s`,
        );
      }
      server = {
        spec,
        ready: Promise.resolve(),
        process: null,
        conn: null,
        documents: new Map(),
        timeouts: 0,
        ending: false,
      };
      const starting = server;
      server.ready = this.start(server, name).catch((error: unknown) => {
        // It never ran (e.g. the exec failed): the next request tries again, within the same budget.
        if (this.servers.get(spec.name) === starting) {
          this.servers.delete(spec.name);
          this.crashes.set(spec.name, [...(this.crashes.get(spec.name) ?? []), Date.now()]);
        }
        throw error;
      });
      this.servers.set(spec.name, server);
    }
    await server.ready;
    return server;
  }

  private async start(server: Server, name: string): Promise<void> {
    const { spec } = server;
    const startedAt = Date.now();
    const process = await this.open(spec.command);
    server.process = process;
    let stderr = '';
    process.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    const conn = new LspConnection(process.stdin, process.stdout, {
      onRequest: (method, params) => this.serverRequest(method, params),
      onNotification: (method, params) => this.serverNotification(server, method, params),
      onClose: (reason) => this.lost(server, reason, stderr),
    });
    server.conn = conn;
    void process.exited.then((code) => {
      if (code === 127 && !server.ending) this.missing.add(spec.name);
      conn.close(`${name} ended (exit code ${code ?? 'unknown'})`);
    });
    try {
      await conn.request('initialize', initializeParams(this.uris), INITIALIZE_TIMEOUT_MS);
    } catch (error) {
      const code = await Promise.race([process.exited, new Promise<null>((done) => setTimeout(done, 3_000))]);
      if (code === 127) this.missing.add(spec.name);
      if (!conn.isClosed) this.end(server, 'it did not start');
      throw error instanceof LspRequestError && error.code === 'closed' && code === 127
        ? new Refusal(
            LspStatus.Unavailable,
            `this workspace image has no ${spec.command[0]}: rebuild it (scripts/build-images workspace)`,
          )
        : error;
    }
    conn.notify('initialized', {});
    if (spec.settings) conn.notify('workspace/didChangeConfiguration', { settings: spec.settings });
    this.hooks.log.info('lsp.started', { server: spec.name, ms: Date.now() - startedAt });
  }

  private async ask(
    server: Server,
    message: MessageOf<'RunnerLspRequest'>,
    deadline: number,
  ): Promise<string> {
    const conn = server.conn!;
    this.sync(server, message.path, message.language, message.text);
    const textDocument = { uri: this.uris.uri(message.path) };
    const position = { line: message.line, character: message.character };
    const params =
      message.method === 'documentSymbol'
        ? { textDocument }
        : message.method === 'completion'
          ? { textDocument, position, context: { triggerKind: 1 } }
          : { textDocument, position };
    let raw: unknown;
    try {
      raw = await conn.request(
        `textDocument/${message.method}`,
        params,
        Math.max(1_000, deadline - Date.now()),
      );
      server.timeouts = 0;
    } catch (error) {
      if (error instanceof LspRequestError && error.code === 'timeout' && ++server.timeouts >= TIMEOUTS_MAX) {
        this.end(server, `it did not answer ${TIMEOUTS_MAX} requests in a row`);
      }
      throw error;
    }
    const result = normalizeResult(message.method, raw, this.uris);
    if (result === null && raw !== null) {
      throw new Refusal(LspStatus.Failed, 'the language server’s answer is not one LSP allows');
    }
    return fitted(message.method, result);
  }

  /** The server sees `text` for `path` before the request. */
  private sync(server: Server, path: string, language: LspLanguage, text: string): void {
    const doc = server.documents.get(path);
    if (doc) {
      doc.usedAt = Date.now();
      if (doc.text !== text) this.change(server, path, doc, text);
      return;
    }
    if (server.documents.size >= DOCUMENTS_MAX) {
      const [oldest] = [...server.documents].sort(([, a], [, b]) => a.usedAt - b.usedAt)[0]!;
      this.closeDocument(server, oldest);
    }
    server.documents.set(path, { language, version: 1, text, usedAt: Date.now() });
    server.conn!.notify('textDocument/didOpen', {
      textDocument: { uri: this.uris.uri(path), languageId: language, version: 1, text },
    });
  }

  private change(server: Server, path: string, doc: Document, text: string): void {
    doc.text = text;
    doc.version++;
    server.conn!.notify('textDocument/didChange', {
      textDocument: { uri: this.uris.uri(path), version: doc.version },
      contentChanges: [{ text }],
    });
  }

  private closeDocument(server: Server, path: string): void {
    const doc = server.documents.get(path);
    if (!doc) return;
    server.documents.delete(path);
    server.conn?.notify('textDocument/didClose', { textDocument: { uri: this.uris.uri(path) } });
    this.publish(doc.language, path, []);
  }

  /** The server asks something of us: never an edit. */
  private serverRequest(method: string, params: unknown): unknown {
    switch (method) {
      case 'workspace/applyEdit':
        return { applied: false, failureReason: 'Tandem’s language servers do not change files' };
      case 'workspace/configuration': {
        const items = v.safeParse(v.object({ items: v.array(v.unknown()) }), params);
        return items.success ? items.output.items.map(() => null) : [];
      }
      case 'window/workDoneProgress/create':
      case 'client/registerCapability':
      case 'client/unregisterCapability':
      case 'window/showMessageRequest':
        return null;
      default:
        throw new Error(`${method} is not supported`);
    }
  }

  private serverNotification(server: Server, method: string, params: unknown): void {
    if (method !== 'textDocument/publishDiagnostics') return;
    const parsed = v.safeParse(v.object({ uri: v.string(), diagnostics: v.unknown() }), params);
    if (!parsed.success) return;
    const path = this.uris.path(parsed.output.uri);
    const diagnostics = normalizeDiagnostics(parsed.output.diagnostics);
    if (!path || !diagnostics) return;
    const doc = server.documents.get(path);
    // A file no one asked about, or one closed meanwhile: not the room's concern.
    if (!doc && diagnostics.length > 0) return;
    this.publish(doc?.language ?? server.spec.languages[0]!, path, diagnostics);
  }

  private publish(language: LspLanguage, path: string, diagnostics: LspDiagnostic[]): void {
    const key = JSON.stringify(diagnostics);
    if ((this.sent.get(path) ?? '[]') === key) return;
    if (diagnostics.length === 0) this.sent.delete(path);
    else this.sent.set(path, key);
    this.hooks.onDiagnostics(language, path, diagnostics);
  }

  /** Ends a server that misbehaves; it counts as having died. */
  private end(server: Server, why: string): void {
    // Closing the connection reports it lost, which ends the process.
    server.conn?.close(`the language server was stopped: ${why}`);
  }

  private lost(server: Server, reason: string, stderr: string): void {
    if (this.servers.get(server.spec.name) === server) this.servers.delete(server.spec.name);
    for (const [path, doc] of server.documents) this.publish(doc.language, path, []);
    server.documents.clear();
    if (server.ending || this.closed) return;
    server.ending = true;
    server.process?.kill();
    this.crashes.set(server.spec.name, [...(this.crashes.get(server.spec.name) ?? []), Date.now()]);
    this.hooks.log.warn('lsp.server_lost', {
      server: server.spec.name,
      reason,
      stderr: stderr.trim().split('\n').slice(-3).join('\n'),
    });
  }
}

/** `promise`, or a timeout at `deadline` (the work itself goes on). */
function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LspRequestError('the language server is still starting', 'timeout')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function refusal(status: LspStatus, message: string): LspOutcome {
  return { status, message: message.slice(0, 1000), result: 'null' };
}

/** The result as JSON within the wire's cap: a long completion list loses documentation, then items. */
function fitted(method: LspMethod, result: unknown): string {
  let json = JSON.stringify(result ?? null);
  if (json.length <= LSP_RESULT_MAX_CHARS) return json;
  if (method === 'completion') {
    const list = result as { isIncomplete: boolean; items: { documentation?: unknown }[] };
    let items = list.items.map(({ documentation: _documentation, ...item }) => item);
    for (;;) {
      json = JSON.stringify({ isIncomplete: true, items });
      if (json.length <= LSP_RESULT_MAX_CHARS || items.length === 0) return json;
      items = items.slice(0, Math.floor(items.length / 2));
    }
  }
  throw new Refusal(LspStatus.Failed, 'the language server’s answer is too large');
}
