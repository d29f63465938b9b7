/**
 * The runner's side of workspaces: opens and closes them as the relay asks (up
 * to its capacity), writes the room's file operations into them in order
 * (queued while one starts), carries shells, and sends back what commands
 * changed, the workspace's usage every few seconds, and why it stopped.
 * Limits from the relay are clamped to the runner's bounds.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import {
  FILE_OPS_MAX,
  MessageType,
  type FileChange,
  type FileOp,
  type MessageOf,
  type RunnerToRelayMessage,
  type WorkspaceLimits,
} from '../../shared/protocol/table.js';
import { LspStatus } from '../../shared/lsp/protocol.js';
import type { SandboxConfig } from '../sandbox/containerSpec.js';
import { LIMIT_BOUNDS } from '../sandbox/types.js';
import { clampInto } from '../sandbox/validate.js';
import type { Server } from 'node:http';
import { PreviewProxy } from './PreviewProxy.js';
import type { RegistryProxy } from './RegistryProxy.js';
import { LanguageServers } from './LanguageServers.js';
import { Workspace, type AgentEvent, type Shell } from './Workspace.js';

const USAGE_INTERVAL_MS = 5_000;
/** Bytes of file data per workspaceChanges frame, well under the relay's frame cap. */
const CHANGES_FRAME_BYTES = 2 * 1024 * 1024;
const FILE_BOUNDS: readonly [number, number] = [1024, 64 * 1024 * 1024];
const SHELLS_PER_WORKSPACE_MAX = 16;

export interface WorkspaceHostOptions {
  docker: Docker;
  image: string;
  capacity: number;
  sandbox: SandboxConfig;
  send(message: RunnerToRelayMessage): void;
  log: { info(event: string, fields?: object): void; warn(event: string, fields?: object): void };
  usageIntervalMs?: number;
  /**
   * A folder of this machine for the workspaces' preview sockets (one
   * subfolder per workspace, mounted into it); null: no previews. Docker must
   * see the same path (when the runner itself runs in a container, mount it
   * at the same place).
   */
  previewRoot: string | null;
  /** Answer npm and pip in workspaces (each on its socket in every preview folder). */
  registries?: RegistryProxy[];
}

interface PendingShell {
  pending: ((shell: Shell) => void)[];
}

interface Entry {
  id: string;
  workspace: Workspace | null;
  /** File operations that arrived while the container was starting. */
  queued: FileOp[];
  closed: boolean;
  /** A shell still starting holds the keystrokes (and a close) that came meanwhile. */
  shells: Map<string, Shell | PendingShell>;
  changes: FileChange[];
  changeBytes: number;
  flushTimer: NodeJS.Timeout | null;
  usageTimer: NodeJS.Timeout | null;
  /** This workspace's folder of preview sockets (null: no previews). */
  previewDir: string | null;
  /** Ports with a forwarder, as the agent last reported. */
  ports: Set<number>;
  /** The registry proxies' listeners in this workspace's preview folder. */
  registries: Server[];
  /** Its language servers, once the container runs. */
  languages: LanguageServers | null;
}

export class WorkspaceHost {
  private readonly entries = new Map<string, Entry>();
  private readonly shellOwners = new Map<string, Entry>();
  private available = false;
  private readonly previews: PreviewProxy;

  constructor(private readonly options: WorkspaceHostOptions) {
    this.previews = new PreviewProxy({
      send: options.send,
      socketFor: (workspaceId, port) => {
        const entry = this.entries.get(workspaceId);
        if (!entry?.previewDir || !entry.ports.has(port)) return null;
        return join(entry.previewDir, `${port}.sock`);
      },
    });
    if (options.previewRoot) {
      // Only the runner may reach into it; each workspace's folder below is the container's.
      mkdirSync(options.previewRoot, { recursive: true, mode: 0o700 });
      chmodSync(options.previewRoot, 0o700);
    }
  }

  /** Workspaces this runner can hold now (0 while its image is missing or Docker is down). */
  get capacity(): number {
    return this.available ? this.options.capacity : 0;
  }

  setAvailable(available: boolean): void {
    if (available === this.available) return;
    this.available = available;
    this.announce();
  }

  /** Tells the relay the capacity (after every hello, and when it changes). */
  announce(): void {
    this.options.send({ type: MessageType.RunnerWorkspaces, capacity: this.capacity });
  }

  handle(
    message:
      | MessageOf<'WorkspaceOpen'>
      | MessageOf<'WorkspaceClose'>
      | MessageOf<'WorkspaceFiles'>
      | MessageOf<'RunnerShellOpen'>
      | MessageOf<'RunnerCommandOpen'>
      | MessageOf<'ShellInput'>
      | MessageOf<'ShellResize'>
      | MessageOf<'ShellClose'>
      | MessageOf<'PreviewOpen'>
      | MessageOf<'PreviewData'>
      | MessageOf<'PreviewEnd'>
      | MessageOf<'PreviewAbort'>
      | MessageOf<'PreviewCredit'>
      | MessageOf<'RunnerLspRequest'>,
  ): void {
    switch (message.type) {
      case MessageType.RunnerLspRequest:
        return this.languageRequest(message);
      case MessageType.PreviewOpen:
      case MessageType.PreviewData:
      case MessageType.PreviewEnd:
      case MessageType.PreviewAbort:
      case MessageType.PreviewCredit:
        return this.previews.handle(message);
      case MessageType.RunnerCommandOpen:
        return this.openShell(message, message.command);
      case MessageType.WorkspaceOpen:
        return this.open(message);
      case MessageType.WorkspaceClose:
        return void this.close(message.workspaceId, 'stopped');
      case MessageType.WorkspaceFiles:
        return this.files(message.workspaceId, message.ops);
      case MessageType.RunnerShellOpen:
        return this.openShell(message);
      case MessageType.ShellInput:
        return this.withShell(message.shellId, (shell) => shell.write(message.bytes));
      case MessageType.ShellResize:
        return this.withShell(
          message.shellId,
          (shell) => void shell.resize(message.cols, message.rows).catch(() => undefined),
        );
      case MessageType.ShellClose:
        return this.withShell(message.shellId, (shell) => shell.close());
    }
  }

  /** Stops every workspace (the link to the relay dropped, or the runner stops). */
  async closeAll(reason: string): Promise<void> {
    this.previews.closeAll();
    await Promise.all([...this.entries.keys()].map((id) => this.close(id, reason)));
  }

  get count(): number {
    return this.entries.size;
  }

  private open(message: MessageOf<'WorkspaceOpen'>): void {
    const { workspaceId } = message;
    if (this.entries.has(workspaceId)) return;
    if (this.entries.size >= this.capacity) {
      const why =
        this.capacity === 0
          ? 'this runner cannot start workspaces now (image missing or Docker down: see scripts/build-images)'
          : `this runner already keeps ${this.capacity} workspaces, its most`;
      return this.stopped(workspaceId, why);
    }
    const entry: Entry = {
      id: workspaceId,
      workspace: null,
      queued: [],
      closed: false,
      shells: new Map(),
      changes: [],
      changeBytes: 0,
      flushTimer: null,
      usageTimer: null,
      previewDir: this.makePreviewDir(workspaceId),
      ports: new Set(),
      registries: [],
      languages: null,
    };
    this.entries.set(workspaceId, entry);
    const limits = clampLimits(message.limits);
    this.listenRegistry(entry)
      .then(() =>
        Workspace.start(
          this.options.docker,
          {
            ...this.options.sandbox,
            image: this.options.image,
            workspaceId,
            limits,
            skip: message.skip,
            maxFileBytes: limits.fileMaxBytes,
            previewDir: entry.previewDir,
          },
          {
            onFileEvent: (event) => this.change(entry, event),
            onPorts: (ports) => {
              if (entry.closed) return;
              entry.ports = new Set(ports);
              this.options.send({ type: MessageType.WorkspacePorts, workspaceId, ports: ports.slice(0, 64) });
            },
            onEnded: (reason) => {
              if (!entry.closed) void this.close(workspaceId, reason);
            },
          },
        ),
      )
      .then(
        (workspace) => {
          if (entry.closed) {
            workspace
              .stop()
              .catch((error: unknown) =>
                this.options.log.warn('workspace.stop_failed', { workspace: workspaceId, err: error }),
              );
            return;
          }
          entry.workspace = workspace;
          entry.languages = new LanguageServers((command) => workspace.openProcess(command), {
            onDiagnostics: (language, path, diagnostics) =>
              this.options.send({
                type: MessageType.RunnerLspDiagnostics,
                workspaceId,
                language,
                path,
                diagnostics,
              }),
            log: this.options.log,
          });
          for (const op of entry.queued.splice(0)) apply(workspace, op);
          this.options.log.info('workspace.started', { workspace: workspaceId });
          this.report(entry, 0, 0);
          entry.usageTimer = setInterval(
            () => void this.usage(entry),
            this.options.usageIntervalMs ?? USAGE_INTERVAL_MS,
          );
          entry.usageTimer.unref();
        },
        (error: unknown) => {
          this.options.log.warn('workspace.start_failed', { workspace: workspaceId, err: error });
          if (entry.closed) return; // closed meanwhile, and reported
          entry.closed = true;
          this.entries.delete(workspaceId);
          this.removePreviewDir(entry);
          this.stopped(workspaceId, `the workspace could not start: ${(error as Error).message}`);
        },
      );
  }

  private files(workspaceId: string, ops: FileOp[]): void {
    const entry = this.entries.get(workspaceId);
    if (!entry || entry.closed) return;
    if (entry.workspace) for (const op of ops) apply(entry.workspace, op);
    else entry.queued.push(...ops);
    for (const op of ops) entry.languages?.fileChanged(op.path, op.op === 'put' ? op.data : null);
  }

  /** A request for a workspace's language server, answered whatever happens. */
  private languageRequest(message: MessageOf<'RunnerLspRequest'>): void {
    const { requestId } = message;
    const languages = this.entries.get(message.workspaceId)?.languages;
    const answer = languages
      ? languages.request(message)
      : Promise.resolve({
          status: LspStatus.NoWorkspace,
          message: 'the workspace is not running',
          result: 'null',
        });
    void answer.then((outcome) => this.options.send({ type: MessageType.LspAnswer, requestId, ...outcome }));
  }

  /** A shell, or with `command` a command on a terminal (the dev server). */
  private openShell(
    message: Pick<MessageOf<'RunnerShellOpen'>, 'workspaceId' | 'shellId' | 'cols' | 'rows'>,
    command?: string,
  ): void {
    const entry = this.entries.get(message.workspaceId);
    const { shellId } = message;
    const exit = (code: number | null) => this.options.send({ type: MessageType.ShellExit, shellId, code });
    if (!entry?.workspace || entry.closed || this.shellOwners.has(shellId)) return exit(null);
    if (entry.shells.size >= SHELLS_PER_WORKSPACE_MAX) return exit(null);
    const starting: PendingShell = { pending: [] };
    entry.shells.set(shellId, starting);
    this.shellOwners.set(shellId, entry);
    const forget = () => {
      entry.shells.delete(shellId);
      this.shellOwners.delete(shellId);
    };
    entry.workspace
      .openShell(
        Math.max(2, message.cols),
        Math.max(2, message.rows),
        {
          onOutput: (bytes) => this.options.send({ type: MessageType.ShellOutput, shellId, bytes }),
          onExit: (code) => {
            forget();
            exit(code);
          },
        },
        command,
      )
      .then(
        (shell) => {
          if (entry.shells.get(shellId) !== starting) return shell.close();
          entry.shells.set(shellId, shell);
          for (const act of starting.pending) act(shell);
        },
        () => {
          forget();
          exit(null);
        },
      );
  }

  private withShell(shellId: string, act: (shell: Shell) => void): void {
    const shell = this.shellOwners.get(shellId)?.shells.get(shellId);
    if (!shell) return;
    if ('pending' in shell) shell.pending.push(act);
    else act(shell);
  }

  private change(entry: Entry, event: AgentEvent): void {
    if (event.ev !== 'refused')
      entry.languages?.fileChanged(event.path, event.ev === 'put' ? event.data : null);
    const change: FileChange =
      event.ev === 'put'
        ? { op: 'put', path: event.path, data: event.data, base: event.base ?? '', why: '' }
        : event.ev === 'del'
          ? { op: 'del', path: event.path, data: new Uint8Array(), base: event.base, why: '' }
          : {
              op: 'refused',
              path: event.path,
              data: new Uint8Array(),
              base: '',
              why: event.why.slice(0, 1000),
            };
    entry.changes.push(change);
    entry.changeBytes += change.data.byteLength;
    if (entry.changes.length >= FILE_OPS_MAX || entry.changeBytes >= CHANGES_FRAME_BYTES) this.flush(entry);
    // The agent reports a settled batch at once: one frame for it, so one log entry in the room.
    entry.flushTimer ??= setTimeout(() => this.flush(entry), 5);
  }

  private flush(entry: Entry): void {
    if (entry.flushTimer) clearTimeout(entry.flushTimer);
    entry.flushTimer = null;
    if (entry.changes.length === 0) return;
    const changes = entry.changes.splice(0);
    entry.changeBytes = 0;
    this.options.send({ type: MessageType.WorkspaceChanges, workspaceId: entry.id, changes });
  }

  /**
   * A folder the workspace's sandbox user writes its sockets into. Its name is
   * a short hash: a unix socket's path must stay under 108 bytes.
   */
  private makePreviewDir(workspaceId: string): string | null {
    const root = this.options.previewRoot;
    if (!root) return null;
    const dir = join(root, createHash('sha256').update(workspaceId).digest('hex').slice(0, 16));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    return dir;
  }

  private removePreviewDir(entry: Entry): void {
    for (const server of entry.registries.splice(0)) server.close();
    if (entry.previewDir) rmSync(entry.previewDir, { recursive: true, force: true });
  }

  /** The registry proxies on their sockets in the workspace's folder, before the container starts. */
  private async listenRegistry(entry: Entry): Promise<void> {
    const dir = entry.previewDir;
    if (!dir) return;
    for (const registry of this.options.registries ?? []) {
      const socket = join(dir, registry.socketName);
      entry.registries.push(await registry.listen(socket));
      // The sandbox user connects to it from inside the container.
      chmodSync(socket, 0o666);
    }
  }

  private async usage(entry: Entry): Promise<void> {
    if (!entry.workspace || entry.closed) return;
    try {
      const { memoryBytes, cpuPercent } = await entry.workspace.usage();
      if (!entry.closed) this.report(entry, memoryBytes, Math.round(cpuPercent * 10));
    } catch {
      // The container is going away; its end is reported by onEnded.
    }
  }

  private report(entry: Entry, memoryBytes: number, cpuPermille: number): void {
    this.options.send({
      type: MessageType.WorkspaceState,
      workspaceId: entry.id,
      state: 'running',
      reason: '',
      memoryBytes,
      cpuPermille,
    });
  }

  private stopped(workspaceId: string, reason: string): void {
    this.options.send({
      type: MessageType.WorkspaceState,
      workspaceId,
      state: 'stopped',
      reason: reason.slice(0, 1000),
      memoryBytes: 0,
      cpuPermille: 0,
    });
  }

  private async close(workspaceId: string, reason: string): Promise<void> {
    const entry = this.entries.get(workspaceId);
    if (!entry) return;
    entry.closed = true;
    this.entries.delete(workspaceId);
    if (entry.usageTimer) clearInterval(entry.usageTimer);
    this.flush(entry);
    for (const [shellId, shell] of entry.shells) {
      // A shell still starting is closed when it arrives (its entry is gone by then).
      this.shellOwners.delete(shellId);
      if (!('pending' in shell)) shell.close();
    }
    entry.shells.clear();
    entry.languages?.close();
    this.previews.closeWorkspace(workspaceId);
    try {
      await entry.workspace?.stop(reason);
    } catch (error) {
      this.options.log.warn('workspace.stop_failed', { workspace: workspaceId, err: error });
    }
    this.removePreviewDir(entry);
    this.options.log.info('workspace.stopped', { workspace: workspaceId, reason });
    this.stopped(workspaceId, reason);
  }
}

function apply(workspace: Workspace, op: FileOp): void {
  if (op.op === 'put') workspace.put(op.path, op.data);
  else workspace.delete(op.path);
}

function clampLimits(limits: WorkspaceLimits): WorkspaceLimits {
  return {
    memoryBytes: clampInto(limits.memoryBytes, LIMIT_BOUNDS.memoryBytes),
    diskBytes: clampInto(limits.diskBytes, LIMIT_BOUNDS.diskBytes),
    cpuMillis: clampInto(limits.cpuMillis, LIMIT_BOUNDS.cpuMillis),
    pids: clampInto(limits.pids, LIMIT_BOUNDS.pids),
    fileMaxBytes: clampInto(limits.fileMaxBytes, FILE_BOUNDS),
  };
}
