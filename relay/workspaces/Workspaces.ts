/**
 * Rooms' live workspaces, on the relay: which runners keep them (each says how
 * many it can, `runnerWorkspaces`), one session per room that has one, and the
 * traffic between them: the room's files out (FileMirror), the container's
 * changes in as attributed edits, shells both ways with a scrollback for late
 * joiners, and `workspaceStatus` to everyone in the room on every change.
 *
 * A workspace holds its room loaded (a pin) and stops when nobody has been in
 * the room for `idleMs`, after `maxMs` in all, when someone who may edit stops
 * it, or when its runner goes away; the room's files are never touched by a
 * stop. Everything a person sends here passes the room's edit right first
 * (relay/socket/workspaceHandlers.ts), on every message.
 *
 * Previews: the runner reports the ports programs listen on; each becomes a
 * preview with an id of its own (relay/previews/previewAccess.ts), served by
 * the preview listener over streams on the runner link (PreviewStreams). The
 * dev server is a command on a terminal like a shell, one per room, restarted
 * by starting it again, ended after `devServerMaxMs`.
 *
 * Code intelligence rides the same runner link: requests for the workspace's
 * language servers and their diagnostics (LanguageRequests.ts).
 */
import type { Logger } from '../../server/log.js';
import { encode } from '../../shared/protocol/codec.js';
import {
  FILE_OPS_MAX,
  MessageType,
  type FileChange,
  type FileOp,
  type MessageOf,
  type RelayToRunnerMessage,
  type RunnerToRelayMessage,
  type WorkspaceLimits,
} from '../../shared/protocol/table.js';
import { WorkspaceState, type WorkspacePayload } from '../../shared/protocol/workspacePayload.js';
import { plainTerminalText } from '../../shared/terminalText.js';
import type { TokenClaims } from '../../shared/token.js';
import { randomId } from '../auth/tokens.js';
import type { Connection } from '../rooms/Connection.js';
import type { Room } from '../rooms/Room.js';
import { TokenBucket } from '../limits/TokenBucket.js';
import { sendToRunner, type RunnerLink } from '../runs/RunnerHub.js';
import type { PreviewKeys, PreviewOrigins } from '../previews/previewAccess.js';
import { PreviewStreams } from '../previews/PreviewStreams.js';
import { DEFAULT_SKIP, FileMirror } from './FileMirror.js';
import { LanguageRequests } from './LanguageRequests.js';

export interface WorkspaceSettings {
  idleMs: number;
  maxMs: number;
  limits: WorkspaceLimits;
  /** Files a room may hold before a workspace's new files stay in the container. */
  filesMax: number;
  /** Milliseconds between a change in the room and its batch to the workspace. */
  flushDelayMs?: number;
  /** A dev server runs at most this long. */
  devServerMaxMs: number;
  /** Where previews are served and how their ids are made; null: the relay serves no previews. */
  previews: { keys: PreviewKeys; origins: PreviewOrigins } | null;
}

/** What the preview listener needs to carry a request to a port of a workspace. */
export interface PreviewTarget {
  room: Room;
  link: RunnerLink;
  workspaceId: string;
  port: number;
}

interface DevServer {
  shellId: string;
  command: string;
  startedBy: string;
  state: 'running' | 'exited';
  code: number | null;
  lastLines: string;
}

/** The dev server's terminal, at a size its output reads well in a pane. */
const DEV_COLS = 120;
const DEV_ROWS = 30;
const DEV_LAST_LINES = 15;
const DEV_LAST_CHARS = 4096;
const INSTALL_COMMAND = 'npm install --no-audit --no-fund';
/** A package.json being typed into installs once it has been still this long. */
const INSTALL_QUIET_MS = 1_000;

const SCROLLBACK_BYTES = 64 * 1024;
/** Starts and restarts per room: a burst of 3, then one every 10 s (each makes a container). */
const STARTS_BURST = 3;
const STARTS_PER_SECOND = 0.1;
const NOTICES_MAX = 8;
const SHELLS_MAX = 8;
/** Bytes of file data per workspaceFiles frame. */
const FILES_FRAME_BYTES = 2 * 1024 * 1024;

interface ShellEntry {
  shellId: string;
  openedBy: string;
  openedAt: number;
  scrollback: Buffer[];
  scrollbackBytes: number;
  /** Who typed last, and the window size each typist reported. */
  typist: Connection | null;
  sizes: WeakMap<Connection, { cols: number; rows: number }>;
}

interface RunnerSide {
  link: RunnerLink;
  capacity: number;
  sessions: Set<Session>;
}

class Session {
  state: WorkspaceState = WorkspaceState.Off;
  reason = '';
  startedBy: { userId: string; name: string } | null = null;
  startedAt = 0;
  memoryBytes = 0;
  cpuPermille = 0;
  notices: string[] = [];
  workspaceId: string | null = null;
  runner: RunnerSide | null = null;
  mirror: FileMirror | null = null;
  shells = new Map<string, ShellEntry>();
  /** The user whose typing the next file changes are credited to. */
  author: string | null = null;
  applying: Promise<void> = Promise.resolve();
  timer: NodeJS.Timeout | null = null;
  emptySince: number | null = null;
  stopRequested = false;
  /** Ports programs listen on, as the runner last said. */
  ports: number[] = [];
  dev: DevServer | null = null;
  /** Asked for while the workspace was starting: starts once it runs. */
  pendingDev: { command: string; by: string } | null = null;
  devTimer: NodeJS.Timeout | null = null;
  /** package.json's dependencies as last sent to the workspace (undefined: nothing sent yet). */
  dependencies: string | undefined = undefined;
  installTimer: NodeJS.Timeout | null = null;
  /** The terminal of the install running now. */
  installing: string | null = null;

  constructor(readonly room: Room) {}
}

export class Workspaces {
  private readonly runners = new Map<RunnerLink, RunnerSide>();
  private readonly sessions = new Map<string, Session>();
  private readonly byWorkspace = new Map<string, Session>();
  private readonly byShell = new Map<string, Session>();
  /** Start budgets per room id; they outlive sessions, so stopping and starting again is counted too. */
  private readonly starts = new Map<string, TokenBucket>();
  /** Starts and stops of one room, one after the other (a restart is a stop, then a start). */
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Live previews by id. */
  private readonly previewIndex = new Map<string, { session: Session; port: number }>();
  readonly streams = new PreviewStreams();
  /** Code intelligence from the workspaces' language servers. */
  readonly languages: LanguageRequests;

  /** `release` hands a room back once no workspace holds it (it may unload). */
  constructor(
    private readonly settings: WorkspaceSettings,
    private readonly log: Logger,
    private readonly release: (room: Room) => void = () => undefined,
  ) {
    this.languages = new LanguageRequests(
      log,
      (room) => {
        const session = this.sessions.get(room.id);
        const running = session?.room === room && session.state === WorkspaceState.Running;
        return running && session.runner && session.workspaceId
          ? { link: session.runner.link, workspaceId: session.workspaceId }
          : null;
      },
      (link, workspaceId) => {
        const session = this.byWorkspace.get(workspaceId);
        return session?.runner?.link === link ? session.room : null;
      },
    );
  }

  // ---- runners ----

  /** Workspaces the connected runners can still start. */
  /** Rooms with a live workspace (starting or running). */
  get running(): number {
    return this.sessions.size;
  }

  /** Previews offered: ports programs listen on, over every workspace. */
  get previewCount(): number {
    let count = 0;
    for (const session of this.sessions.values()) count += session.ports.length;
    return count;
  }

  get freeSlots(): number {
    let free = 0;
    for (const side of this.runners.values()) free += Math.max(0, side.capacity - side.sessions.size);
    return free;
  }

  setCapacity(link: RunnerLink, capacity: number): void {
    const side = this.runners.get(link) ?? { link, capacity, sessions: new Set<Session>() };
    side.capacity = capacity;
    this.runners.set(link, side);
  }

  removeRunner(link: RunnerLink): void {
    const side = this.runners.get(link);
    if (!side) return;
    this.streams.dropLink(link);
    this.runners.delete(link);
    for (const session of [...side.sessions])
      this.ended(session, 'its runner went away; Restart starts a fresh one');
  }

  fromRunner(link: RunnerLink, message: RunnerToRelayMessage): void {
    switch (message.type) {
      case MessageType.RunnerWorkspaces:
        return this.setCapacity(link, message.capacity);
      case MessageType.WorkspaceState: {
        const session = this.byWorkspace.get(message.workspaceId);
        if (!session || session.runner?.link !== link) return;
        if (message.state === 'stopped') return this.ended(session, message.reason);
        const starting = session.state === WorkspaceState.Starting;
        session.state = WorkspaceState.Running;
        session.memoryBytes = message.memoryBytes;
        session.cpuPermille = message.cpuPermille;
        if (starting) {
          this.log.info('workspace.running', { room: session.room.id, workspace: message.workspaceId });
          const pending = session.pendingDev;
          session.pendingDev = null;
          if (pending) this.openDev(session, pending.command, pending.by);
        }
        return this.broadcast(session);
      }
      case MessageType.WorkspacePorts: {
        const session = this.byWorkspace.get(message.workspaceId);
        if (!session || session.runner?.link !== link) return;
        this.setPorts(session, message.ports);
        return this.broadcast(session);
      }
      case MessageType.PreviewHead:
      case MessageType.PreviewData:
      case MessageType.PreviewEnd:
      case MessageType.PreviewAbort:
      case MessageType.PreviewCredit:
        return this.streams.fromRunner(link, message);
      case MessageType.WorkspaceChanges: {
        const session = this.byWorkspace.get(message.workspaceId);
        if (session?.runner?.link === link) this.applyChanges(session, message.changes);
        return;
      }
      case MessageType.ShellOutput: {
        const session = this.byShell.get(message.shellId);
        const shell = session?.shells.get(message.shellId);
        if (!session || !shell || session.runner?.link !== link) return;
        const chunk = Buffer.from(message.bytes);
        shell.scrollback.push(chunk);
        shell.scrollbackBytes += chunk.byteLength;
        while (shell.scrollbackBytes > SCROLLBACK_BYTES && shell.scrollback.length > 1) {
          shell.scrollbackBytes -= shell.scrollback.shift()!.byteLength;
        }
        session.room.broadcastTandem(encode(message));
        return;
      }
      case MessageType.ShellExit: {
        const session = this.byShell.get(message.shellId);
        if (!session || session.runner?.link !== link) return;
        this.closeShell(session, message.shellId, message.code);
        return;
      }
      case MessageType.LspAnswer:
        return this.languages.answer(link, message);
      case MessageType.RunnerLspDiagnostics:
        return this.languages.diagnostics(link, message);
    }
  }

  // ---- rooms ----

  /** A connection said hello: the workspace as it stands and each shell's recent output. */
  greet(room: Room, conn: Connection): void {
    const session = this.sessions.get(room.id);
    if (!session || session.state === WorkspaceState.Off) return;
    conn.send(this.statusFrame(session));
    for (const shell of session.shells.values()) {
      if (shell.scrollbackBytes === 0) continue;
      conn.send(
        encode({
          type: MessageType.ShellOutput,
          shellId: shell.shellId,
          bytes: Buffer.concat(shell.scrollback),
        }),
      );
    }
    this.languages.greet(room, conn);
  }

  /**
   * Opens the room's workspace (or a fresh one with `restart`). Returns a
   * sentence when it refuses (too many starts in a short while).
   */
  start(room: Room, claims: TokenClaims, restart: boolean): Promise<string | null> {
    return this.inTurn(room.id, () => this.startNow(room, claims, restart));
  }

  /** Stops the room's workspace; resolves once the relay let go of it. */
  stop(room: Room, reason: string): Promise<void> {
    return this.inTurn(room.id, () => this.stopNow(room, reason));
  }

  private inTurn<T>(roomId: string, act: () => Promise<T>): Promise<T> {
    const turn = (this.turns.get(roomId) ?? Promise.resolve()).then(act, act);
    const settled = turn.catch(() => undefined);
    this.turns.set(roomId, settled);
    void settled.then(() => {
      if (this.turns.get(roomId) === settled) this.turns.delete(roomId);
    });
    return turn;
  }

  private async startNow(room: Room, claims: TokenClaims, restart: boolean): Promise<string | null> {
    let session = this.sessions.get(room.id);
    const live =
      session && (session.state === WorkspaceState.Starting || session.state === WorkspaceState.Running);
    if (live && !restart) return null;
    let budget = this.starts.get(room.id);
    if (!budget) this.starts.set(room.id, (budget = new TokenBucket(STARTS_BURST, STARTS_PER_SECOND)));
    if (!budget.take()) {
      return `the workspace was started too often: try again in ${Math.ceil(budget.waitMs() / 1000)} s`;
    }
    if (live) await this.stopNow(room, `restarted by ${claims.name}`);
    // A session of an earlier load of this room (unloaded since) is not reused.
    if (!session || session.room !== room) session = new Session(room);
    this.sessions.set(room.id, session);
    const runner = this.freeRunner();
    session.startedBy = { userId: claims.uid, name: claims.name };
    session.author = claims.uid;
    if (!runner) {
      session.state = WorkspaceState.Failed;
      session.reason =
        this.runners.size === 0
          ? 'no runner is connected: start one (npm start does, where Docker runs)'
          : [...this.runners.values()].every((side) => side.capacity === 0)
            ? 'no runner can start workspaces: build the image with scripts/build-images'
            : 'every runner keeps as many workspaces as it can; try again when one stops';
      this.broadcast(session);
      return null;
    }
    const workspaceId = randomId(12);
    session.state = WorkspaceState.Starting;
    session.reason = '';
    session.notices = [];
    session.memoryBytes = 0;
    session.cpuPermille = 0;
    session.startedAt = Date.now();
    session.stopRequested = false;
    session.workspaceId = workspaceId;
    session.runner = runner;
    runner.sessions.add(session);
    this.byWorkspace.set(workspaceId, session);
    room.pins++;
    session.emptySince = null;
    session.timer = setInterval(
      () => this.checkTimers(session),
      Math.min(1000, Math.max(100, this.settings.idleMs / 4)),
    );
    session.timer.unref();
    this.send(runner, {
      type: MessageType.WorkspaceOpen,
      workspaceId,
      limits: this.settings.limits,
      skip: DEFAULT_SKIP,
    });
    session.mirror = new FileMirror(
      room.doc,
      (ops) => this.sendFiles(session, ops),
      this.settings.flushDelayMs,
    );
    session.mirror.start();
    this.log.info('workspace.starting', { room: room.id, workspace: workspaceId, user: claims.uid });
    this.broadcast(session);
    return null;
  }

  private async stopNow(room: Room, reason: string): Promise<void> {
    const session = this.sessions.get(room.id);
    if (!session?.workspaceId || !session.runner) return;
    session.stopRequested = true;
    this.send(session.runner, { type: MessageType.WorkspaceClose, workspaceId: session.workspaceId });
    this.ended(session, reason);
    await session.applying;
  }

  openShell(room: Room, conn: Connection, cols: number, rows: number): string | null {
    const session = this.sessions.get(room.id);
    if (!session?.runner || !session.workspaceId) return 'the workspace is not running: open it first';
    if (session.shells.size >= SHELLS_MAX) return `a workspace has at most ${SHELLS_MAX} shells`;
    const shellId = randomId(9);
    const shell: ShellEntry = {
      shellId,
      openedBy: conn.claims.name,
      openedAt: Date.now(),
      scrollback: [],
      scrollbackBytes: 0,
      typist: conn,
      sizes: new WeakMap(),
    };
    shell.sizes.set(conn, { cols, rows });
    session.shells.set(shellId, shell);
    this.byShell.set(shellId, session);
    this.send(session.runner, {
      type: MessageType.RunnerShellOpen,
      workspaceId: session.workspaceId,
      shellId,
      cols: clampSize(cols, 500),
      rows: clampSize(rows, 200),
    });
    this.broadcast(session);
    return null;
  }

  /** Keystrokes from someone who may edit now; the window of whoever typed last sets the size. */
  shellInput(room: Room, conn: Connection, message: MessageOf<'ShellInput'>): void {
    const session = this.byShell.get(message.shellId);
    const shell = session?.shells.get(message.shellId);
    if (!session || session.room !== room || !shell || !session.runner) return;
    session.author = conn.claims.uid;
    if (shell.typist !== conn) {
      shell.typist = conn;
      const size = shell.sizes.get(conn);
      if (size) this.send(session.runner, { type: MessageType.ShellResize, shellId: shell.shellId, ...size });
    }
    this.send(session.runner, message);
  }

  shellResize(room: Room, conn: Connection, message: MessageOf<'ShellResize'>): void {
    const session = this.byShell.get(message.shellId);
    const shell = session?.shells.get(message.shellId);
    if (!session || session.room !== room || !shell || !session.runner) return;
    const size = { cols: clampSize(message.cols, 500), rows: clampSize(message.rows, 200) };
    shell.sizes.set(conn, size);
    if (shell.typist === conn)
      this.send(session.runner, { type: MessageType.ShellResize, shellId: shell.shellId, ...size });
  }

  shellClose(room: Room, message: MessageOf<'ShellClose'>): void {
    const session = this.byShell.get(message.shellId);
    if (!session || session.room !== room || !session.runner) return;
    this.send(session.runner, message);
  }

  /**
   * Starts (or restarts) the room's dev server, opening the workspace first if
   * it is off. Returns a sentence when it refuses.
   */
  async startDevServer(room: Room, claims: TokenClaims, command: string): Promise<string | null> {
    const line = command.trim();
    if (!line) return 'say which command starts the dev server';
    let session = this.sessions.get(room.id);
    const live = (s: Session | undefined) =>
      s?.state === WorkspaceState.Starting || s?.state === WorkspaceState.Running;
    if (!live(session)) {
      const refused = await this.start(room, claims, false);
      if (refused) return refused;
      session = this.sessions.get(room.id);
      if (!session || !live(session)) return session?.reason || 'the workspace could not start';
    }
    if (session!.state === WorkspaceState.Starting) {
      session!.pendingDev = { command: line, by: claims.name };
      return null;
    }
    this.openDev(session!, line, claims.name);
    return null;
  }

  stopDevServer(room: Room): void {
    const session = this.sessions.get(room.id);
    if (session) session.pendingDev = null;
    if (session?.dev?.state === 'running' && session.runner)
      this.send(session.runner, { type: MessageType.ShellClose, shellId: session.dev.shellId });
  }

  /** The live preview `previewId` names, or null (no such port now, or a made-up id). */
  preview(previewId: string): PreviewTarget | null {
    const found = this.previewIndex.get(previewId);
    if (!found) return null;
    const { session, port } = found;
    if (!session.runner || !session.workspaceId) return null;
    return { room: session.room, link: session.runner.link, workspaceId: session.workspaceId, port };
  }

  /** The relay is shutting down: every workspace stops. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.stop(s.room, 'the relay stopped')));
  }

  // ---- inside ----

  private freeRunner(): RunnerSide | null {
    let best: RunnerSide | null = null;
    for (const side of this.runners.values()) {
      const free = side.capacity - side.sessions.size;
      if (free > 0 && (!best || free > best.capacity - best.sessions.size)) best = side;
    }
    return best;
  }

  private sendFiles(session: Session, ops: FileOp[]): void {
    if (!session.runner || !session.workspaceId) return;
    this.watchDependencies(session, ops);
    let batch: FileOp[] = [];
    let bytes = 0;
    const flush = () => {
      if (batch.length === 0) return;
      this.send(session.runner!, {
        type: MessageType.WorkspaceFiles,
        workspaceId: session.workspaceId!,
        ops: batch,
      });
      batch = [];
      bytes = 0;
    };
    for (const op of ops) {
      if (batch.length >= FILE_OPS_MAX || (bytes > 0 && bytes + op.data.byteLength > FILES_FRAME_BYTES))
        flush();
      batch.push(op);
      bytes += op.data.byteLength;
    }
    flush();
  }

  /** One batch from the container: one change of the room, in arrival order. */
  private applyChanges(session: Session, changes: FileChange[]): void {
    const { room } = session;
    const mirror = session.mirror;
    if (!mirror) return;
    // A package.json a command wrote (`npm install x`) is what the disk has installed.
    const pkg = changes.findLast((change) => change.path === 'package.json' && change.op === 'put');
    const installed = pkg ? dependencyKey(pkg.data) : null;
    if (installed !== null && session.dependencies !== undefined) session.dependencies = installed;
    session.applying = session.applying.then(async () => {
      if (session.mirror !== mirror) return;
      let notices: string[] = [];
      const author = session.author ?? session.startedBy?.userId ?? 'workspace';
      try {
        await room.change(author, (doc) => {
          notices = mirror.apply(doc, changes, {
            filesMax: this.settings.filesMax,
            hasRoomFor: (bytes) => room.fits(bytes),
          });
        });
      } catch (error) {
        this.log.error('workspace.apply_failed', { room: room.id, err: error });
        notices = ['changes from the workspace could not be stored; they stay in the workspace'];
      }
      if (notices.length > 0) {
        session.notices = [...session.notices, ...notices].slice(-NOTICES_MAX);
        this.broadcast(session);
      }
    });
  }

  private checkTimers(session: Session): void {
    const now = Date.now();
    if (session.room.controls.record.policy.endedAt !== null) {
      void this.stop(session.room, 'stopped: the room ended');
      return;
    }
    if (session.room.connections.size > 0) session.emptySince = null;
    else session.emptySince ??= now;
    if (session.emptySince !== null && now - session.emptySince >= this.settings.idleMs) {
      void this.stop(session.room, `stopped: nobody was in the room for ${describeMs(this.settings.idleMs)}`);
    } else if (now - session.startedAt >= this.settings.maxMs) {
      void this.stop(
        session.room,
        `stopped: a workspace runs at most ${describeMs(this.settings.maxMs)}; Open starts a fresh one`,
      );
    }
  }

  /** A command on a terminal everyone sees (it reports like a shell); its id. */
  private openCommand(session: Session, command: string, openedBy: string): string | null {
    if (!session.runner || !session.workspaceId) return null;
    const shellId = randomId(9);
    session.shells.set(shellId, {
      shellId,
      openedBy,
      openedAt: Date.now(),
      scrollback: [],
      scrollbackBytes: 0,
      typist: null,
      sizes: new WeakMap(),
    });
    this.byShell.set(shellId, session);
    this.send(session.runner, {
      type: MessageType.RunnerCommandOpen,
      workspaceId: session.workspaceId,
      shellId,
      cols: DEV_COLS,
      rows: DEV_ROWS,
      command,
    });
    return shellId;
  }

  private openDev(session: Session, command: string, by: string): void {
    if (!session.runner || !session.workspaceId) return;
    if (session.dev?.state === 'running')
      this.send(session.runner, { type: MessageType.ShellClose, shellId: session.dev.shellId });
    const shellId = this.openCommand(session, command, by)!;
    session.dev = { shellId, command, startedBy: by, state: 'running', code: null, lastLines: '' };
    if (session.devTimer) clearTimeout(session.devTimer);
    session.devTimer = setTimeout(() => {
      if (session.dev?.shellId !== shellId || session.dev.state !== 'running' || !session.runner) return;
      session.notices = [
        ...session.notices,
        `the dev server was stopped: it runs at most ${describeMs(this.settings.devServerMaxMs)}`,
      ].slice(-NOTICES_MAX);
      this.send(session.runner, { type: MessageType.ShellClose, shellId });
    }, this.settings.devServerMaxMs);
    session.devTimer.unref();
    this.log.info('workspace.dev_server', { room: session.room.id, command: command.slice(0, 200) });
    this.broadcast(session);
  }

  /**
   * A saved package.json whose dependencies changed installs them (after a
   * second of quiet, one install at a time), on a terminal everyone sees, as
   * a local dev environment does. The first sync only sets the baseline: the
   * dev command installs what the project starts with.
   */
  private watchDependencies(session: Session, ops: FileOp[]): void {
    const baseline = session.dependencies === undefined;
    const op = ops.findLast((candidate) => candidate.path === 'package.json');
    if (!op) {
      if (baseline) session.dependencies = '';
      return;
    }
    const key = op.op === 'put' ? dependencyKey(op.data) : '';
    if (key === null || key === session.dependencies) return;
    session.dependencies = key;
    if (baseline || key === '') return;
    if (session.installTimer) clearTimeout(session.installTimer);
    session.installTimer = setTimeout(() => {
      session.installTimer = null;
      if (session.installing && session.shells.has(session.installing)) return;
      session.installing = this.openCommand(session, INSTALL_COMMAND, 'package.json changed');
      this.broadcast(session);
    }, INSTALL_QUIET_MS);
    session.installTimer.unref();
  }

  private setPorts(session: Session, ports: number[]): void {
    const previews = this.settings.previews;
    const next = [...new Set(ports)].sort((a, b) => a - b);
    if (previews) {
      for (const port of session.ports) {
        if (next.includes(port)) continue;
        const previewId = previews.keys.previewId(session.room.id, port);
        this.previewIndex.delete(previewId);
        this.streams.dropPreview(previewId, `the app stopped listening on port ${port}`);
      }
      for (const port of next)
        this.previewIndex.set(previews.keys.previewId(session.room.id, port), { session, port });
    }
    session.ports = next;
  }

  private closeShell(session: Session, shellId: string, code: number | null): void {
    const shell = session.shells.get(shellId);
    if (shell && session.dev?.shellId === shellId) {
      session.dev = { ...session.dev, state: 'exited', code, lastLines: lastLines(shell.scrollback) };
      if (session.devTimer) clearTimeout(session.devTimer);
      session.devTimer = null;
    }
    if (!session.shells.delete(shellId)) return;
    this.byShell.delete(shellId);
    session.room.broadcastTandem(encode({ type: MessageType.ShellExit, shellId, code }));
    this.broadcast(session);
  }

  /** The workspace is gone (stopped, failed, runner lost): the room keeps its files. */
  private ended(session: Session, reason: string): void {
    if (!session.workspaceId) return;
    const expected = session.stopRequested;
    this.byWorkspace.delete(session.workspaceId);
    session.runner?.sessions.delete(session);
    this.log.info('workspace.ended', { room: session.room.id, workspace: session.workspaceId, reason });
    this.languages.ended(session.workspaceId);
    session.workspaceId = null;
    session.runner = null;
    session.mirror?.stop();
    session.mirror = null;
    if (session.timer) clearInterval(session.timer);
    session.timer = null;
    for (const shellId of [...session.shells.keys()]) this.closeShell(session, shellId, null);
    this.setPorts(session, []);
    session.dev = null;
    session.pendingDev = null;
    session.dependencies = undefined;
    session.installing = null;
    if (session.installTimer) clearTimeout(session.installTimer);
    session.installTimer = null;
    session.state = expected || reason.startsWith('stopped') ? WorkspaceState.Off : WorkspaceState.Failed;
    session.reason = reason;
    session.memoryBytes = 0;
    session.cpuPermille = 0;
    session.room.pins = Math.max(0, session.room.pins - 1);
    this.broadcast(session);
    this.release(session.room);
    // Nothing to keep once it is off: the next start makes a fresh session.
    if (session.state === WorkspaceState.Off && this.sessions.get(session.room.id) === session) {
      this.sessions.delete(session.room.id);
    }
  }

  private broadcast(session: Session): void {
    session.room.broadcastTandem(this.statusFrame(session));
  }

  private statusFrame(session: Session): Uint8Array {
    const payload: WorkspacePayload = {
      state: session.state,
      reason: session.reason.slice(0, 1024),
      startedBy: session.startedBy,
      startedAt: session.state === WorkspaceState.Off ? 0 : session.startedAt,
      memoryBytes: session.memoryBytes,
      memoryLimitBytes: this.settings.limits.memoryBytes,
      cpuPermille: session.cpuPermille,
      shells: [...session.shells.values()]
        .filter((shell) => shell.shellId !== session.dev?.shellId)
        .map(({ shellId, openedBy, openedAt }) => ({
          shellId,
          openedBy: openedBy.slice(0, 256),
          openedAt,
        })),
      previews: this.settings.previews
        ? session.ports.map((port) => {
            const previewId = this.settings.previews!.keys.previewId(session.room.id, port);
            return { port, previewId, origin: this.settings.previews!.origins.origin(previewId) };
          })
        : [],
      devServer: session.dev
        ? {
            ...session.dev,
            command: session.dev.command.slice(0, 1024),
            startedBy: session.dev.startedBy.slice(0, 256),
          }
        : null,
      notices: session.notices.map((notice) => notice.slice(0, 1024)),
    };
    return encode({ type: MessageType.WorkspaceStatus, ...payload });
  }

  private send(runner: RunnerSide, message: RelayToRunnerMessage): void {
    sendToRunner(runner.link, message);
  }
}

/** What installs depend on in a package.json: its dependency lists (null: not JSON, e.g. half typed). */
function dependencyKey(data: Uint8Array): string | null {
  try {
    const pkg = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
    const lists = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
    return JSON.stringify(lists.map((name) => sortedEntries(pkg[name])));
  } catch {
    return null;
  }
}

function sortedEntries(value: unknown): [string, unknown][] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The last lines a terminal printed, as plain text (colours and cursor moves taken out). */
function lastLines(scrollback: Buffer[]): string {
  const text = plainTerminalText(Buffer.concat(scrollback).toString('utf8')).replace(/\r/g, '');
  return text.trimEnd().split('\n').slice(-DEV_LAST_LINES).join('\n').slice(-DEV_LAST_CHARS);
}

function clampSize(value: number, max: number): number {
  return Math.min(max, Math.max(2, value));
}

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} seconds`;
}
