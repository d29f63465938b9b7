/**
 * Code intelligence on the relay: a browser's `lspRequest` goes to the runner
 * that keeps the room's workspace, under an id of the relay's, and the
 * runner's `lspAnswer` comes back to that one connection with the browser's
 * id. Diagnostics a workspace's language servers publish go to the whole
 * room, and are kept per file for whoever says hello later.
 *
 * Checked here, on every request, each refusal answered (the socket stays
 * open): the method is on the allow-list of reading ones and the language is
 * served, the path is a file of the room, the text is within its cap, the
 * connection keeps to its rate and has few requests in flight. A connection
 * without the edit right is answered on the room's text of the file, never its
 * own: it cannot change what the server reads, so nor what others are shown.
 * Every request is answered: by the runner, or with `timeout` after
 * TIMEOUT_MS, or `no_workspace` when the workspace stops first.
 */
import type { Logger } from '../../server/log.js';
import {
  isLspLanguage,
  isLspMethod,
  isProjectPath,
  LSP_METHODS,
  LSP_TEXT_MAX_CHARS,
  LspStatus,
} from '../../shared/lsp/protocol.js';
import type { LspDiagnosticsPayload } from '../../shared/lsp/results.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType, type MessageOf } from '../../shared/protocol/table.js';
import { findFile } from '../../shared/schema/project.js';
import { TokenBucket } from '../limits/TokenBucket.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import { sendToRunner, type RunnerLink } from '../runs/RunnerHub.js';

/** Longer than the runner's own limit (runner/workspace/LanguageServers.ts), which answers first. */
const TIMEOUT_MS = 25_000;
/** Requests per connection: typing asks for completions and signatures at every few keys. */
const BURST = 30;
const PER_SECOND = 10;
const IN_FLIGHT_MAX = 8;
/** Files with diagnostics kept per workspace for late joiners. */
const KEPT_FILES_MAX = 500;

const tooLarge = `the file is too large for code intelligence (more than ${LSP_TEXT_MAX_CHARS} characters)`;

/** The room's running workspace, as the relay reaches it. */
export interface LanguageTarget {
  link: RunnerLink;
  workspaceId: string;
}

interface Pending {
  conn: Connection;
  /** The browser's own id for it. */
  requestId: number;
  link: RunnerLink;
  workspaceId: string;
  timer: NodeJS.Timeout;
}

interface Budget {
  bucket: TokenBucket;
  inFlight: number;
}

type Outcome = Pick<MessageOf<'LspAnswer'>, 'status' | 'message'>;

export class LanguageRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly budgets = new WeakMap<Connection, Budget>();
  /** Diagnostics per workspace, per path. */
  private readonly kept = new Map<string, Map<string, LspDiagnosticsPayload>>();

  constructor(
    private readonly log: Logger,
    /** The room's workspace if it runs. */
    private readonly targetOf: (room: Room) => LanguageTarget | null,
    /** The room whose workspace this is, if it runs on `link`. */
    private readonly roomOf: (link: RunnerLink, workspaceId: string) => Room | null,
  ) {}

  request(room: Room, conn: Connection, message: MessageOf<'LspRequest'>): void {
    const { requestId } = message;
    const refused = this.check(room, conn, message);
    if (refused) return this.reply(conn, requestId, refused);
    const target = this.targetOf(room);
    if (!target) {
      return this.reply(conn, requestId, {
        status: LspStatus.NoWorkspace,
        message: 'the workspace is not running: start it for code intelligence',
      });
    }
    // A viewer is answered on the room's text: it cannot change what the server reads, nor others see.
    const text = room.controls.editRight(conn.claims).canEdit
      ? message.text
      : (findFile(room.doc, message.path)?.text.toString() ?? '');
    if (text.length > LSP_TEXT_MAX_CHARS) {
      return this.reply(conn, requestId, { status: LspStatus.Refused, message: tooLarge });
    }
    this.budgets.get(conn)!.inFlight++;
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.settle(id, { status: LspStatus.Timeout, message: 'the language server did not answer in time' });
    }, TIMEOUT_MS);
    timer.unref();
    this.pending.set(id, { conn, requestId, link: target.link, workspaceId: target.workspaceId, timer });
    sendToRunner(target.link, {
      type: MessageType.RunnerLspRequest,
      workspaceId: target.workspaceId,
      requestId: id,
      language: message.language as MessageOf<'RunnerLspRequest'>['language'],
      method: message.method as MessageOf<'RunnerLspRequest'>['method'],
      path: message.path,
      text,
      line: message.line,
      character: message.character,
    });
  }

  /** The runner answered a request of ours. */
  answer(link: RunnerLink, message: MessageOf<'LspAnswer'>): void {
    const pending = this.pending.get(message.requestId);
    if (!pending || pending.link !== link) return;
    this.settle(message.requestId, message, message.result);
  }

  /** A workspace's language server published diagnostics: to the room, and kept. */
  diagnostics(link: RunnerLink, message: MessageOf<'RunnerLspDiagnostics'>): void {
    const room = this.roomOf(link, message.workspaceId);
    if (!room) return;
    const { language, path, diagnostics } = message;
    const payload: LspDiagnosticsPayload = { language, path, diagnostics };
    let files = this.kept.get(message.workspaceId);
    if (!files) this.kept.set(message.workspaceId, (files = new Map()));
    files.delete(path);
    if (diagnostics.length > 0 && files.size < KEPT_FILES_MAX) files.set(path, payload);
    room.broadcastTandem(encode({ type: MessageType.LspDiagnostics, ...payload }));
  }

  /** A connection said hello: the diagnostics of the room's workspace as they stand. */
  greet(room: Room, conn: Connection): void {
    const target = this.targetOf(room);
    for (const payload of (target && this.kept.get(target.workspaceId)?.values()) || []) {
      conn.sendTandem({ type: MessageType.LspDiagnostics, ...payload });
    }
  }

  /** A workspace stopped: what waits on it is answered, its diagnostics forgotten. */
  ended(workspaceId: string): void {
    this.kept.delete(workspaceId);
    for (const [id, pending] of this.pending) {
      if (pending.workspaceId === workspaceId)
        this.settle(id, { status: LspStatus.NoWorkspace, message: 'the workspace stopped' });
    }
  }

  /** Why this request is refused, or null. */
  private check(room: Room, conn: Connection, message: MessageOf<'LspRequest'>): Outcome | null {
    const refuse = (sentence: string): Outcome => ({ status: LspStatus.Refused, message: sentence });
    // The rate first: what follows reads the room's files.
    let budget = this.budgets.get(conn);
    if (!budget)
      this.budgets.set(conn, (budget = { bucket: new TokenBucket(BURST, PER_SECOND), inFlight: 0 }));
    if (budget.inFlight >= IN_FLIGHT_MAX || !budget.bucket.take()) {
      return { status: LspStatus.RateLimited, message: 'too many code intelligence requests at once' };
    }
    if (!isLspMethod(message.method)) {
      return refuse(
        `${message.method.slice(0, 64)} is not a request code intelligence answers (${LSP_METHODS.join(', ')})`,
      );
    }
    if (!isLspLanguage(message.language)) {
      return refuse(`no language server for ${message.language.slice(0, 64)}`);
    }
    if (message.text.length > LSP_TEXT_MAX_CHARS) {
      return refuse(tooLarge);
    }
    if (!isProjectPath(message.path) || !findFile(room.doc, message.path)) {
      return refuse(`the room has no file ${message.path.slice(0, 200)}`);
    }
    return null;
  }

  private settle(id: number, outcome: Outcome, result = 'null'): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    const budget = this.budgets.get(pending.conn);
    if (budget) budget.inFlight = Math.max(0, budget.inFlight - 1);
    if (outcome.status !== LspStatus.Ok && outcome.status !== LspStatus.NoWorkspace) {
      this.log.debug('lsp.not_ok', {
        conn: pending.conn.id,
        status: outcome.status,
        message: outcome.message,
      });
    }
    this.reply(pending.conn, pending.requestId, outcome, result);
  }

  private reply(conn: Connection, requestId: number, outcome: Outcome, result = 'null'): void {
    conn.sendTandem({
      type: MessageType.LspAnswer,
      requestId,
      status: outcome.status,
      message: outcome.message.slice(0, 1024),
      result: outcome.status === LspStatus.Ok ? result : 'null',
    });
  }
}
