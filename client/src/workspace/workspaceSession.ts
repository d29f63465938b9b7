/**
 * The room's live workspace as this page sees it: its status from the relay
 * (`workspaceStatus`), the open shells with a transcript each (a late joiner's
 * starts with the relay's scrollback), the dev server (a terminal like a
 * shell's), the ports served as previews, and the actions of someone who may
 * edit: open, restart, stop, open a shell, type, resize, close, start and stop
 * the dev server. Viewers watch.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import {
  DEV_COMMAND_CHARS_MAX,
  MessageType,
  type MessageOf,
  type WorkspacePayload,
} from '../../../shared/protocol/table.js';
import { Transcript } from '../run/transcript.js';
import type { RoomConnection } from '../room/connection.js';
import { connectWire, type Wire } from '../transport/wire.js';

export type WorkspaceIncoming =
  MessageOf<'WorkspaceStatus'> | MessageOf<'ShellOutput'> | MessageOf<'ShellExit'>;

/** What the session needs from the socket; tests hand it messages directly. */
export type WorkspaceWire = Wire<WorkspaceIncoming>;

const INCOMING = [MessageType.WorkspaceStatus, MessageType.ShellOutput, MessageType.ShellExit] as const;

export function connectWorkspaceWire(conn: RoomConnection): WorkspaceWire {
  return connectWire(conn.channel, INCOMING);
}

export interface ShellView {
  shellId: string;
  openedBy: string;
  /** "Shell 1", "Shell 2"… in the order they were opened; "Dev server" for the dev server's terminal. */
  title: string;
  devServer?: true;
}

export type PreviewView = WorkspacePayload['previews'][number];
export type DevServerView = NonNullable<WorkspacePayload['devServer']>;

export const DEV_SERVER_TITLE = 'Dev server';

const OFF: WorkspacePayload = {
  state: 'off',
  reason: '',
  startedBy: null,
  startedAt: 0,
  memoryBytes: 0,
  memoryLimitBytes: 0,
  cpuPermille: 0,
  shells: [],
  previews: [],
  devServer: null,
  notices: [],
};

export class WorkspaceSession {
  readonly status = signal<WorkspacePayload>(OFF);
  /** The dev server, running or how it ended; null when there is none. */
  readonly devServer = computed<DevServerView | null>(() => this.status.value.devServer);
  /** The ports programs listen on, each on its own origin. */
  readonly previews = computed<PreviewView[]>(() => this.status.value.previews);
  /** The shells people opened; the dev server's terminal is not one of them even if the relay lists it. */
  readonly shells = computed<ShellView[]>(() => {
    const devShellId = this.devServer.value?.shellId;
    return this.status.value.shells
      .filter((shell) => shell.shellId !== devShellId)
      .sort((a, b) => a.openedAt - b.openedAt)
      .map((shell, index) => ({
        shellId: shell.shellId,
        openedBy: shell.openedBy,
        title: `Shell ${index + 1}`,
      }));
  });
  /** Every terminal with a tab: the dev server's first, then the shells. */
  readonly terminals = computed<ShellView[]>(() => {
    const dev = this.devServer.value;
    const devTab: ShellView[] = dev
      ? [{ shellId: dev.shellId, openedBy: dev.startedBy, title: DEV_SERVER_TITLE, devServer: true }]
      : [];
    return [...devTab, ...this.shells.value];
  });
  /** The terminal in front; null shows the run output. */
  readonly active = signal<string | null>(null);
  readonly running = computed(() => this.status.value.state === 'running');
  private readonly transcripts = new Map<string, Transcript>();
  private readonly encoder = new TextEncoder();
  /** Asked for a shell before the workspace ran: open one once it does. */
  private wantShell: { cols: number; rows: number } | null = null;
  /** Sent shellOpen: the next new shell comes to the front. */
  private shellAsked = false;
  /** Sent devServerStart: its terminal comes to the front when it appears. */
  private devServerAsked = false;
  private readonly stop: () => void;

  constructor(
    private readonly wire: WorkspaceWire,
    readonly canUse: ReadonlySignal<boolean>,
  ) {
    this.stop = wire.subscribe((message) => this.onMessage(message));
  }

  /** The shell's output so far and from now on. */
  transcript(shellId: string): Transcript {
    let transcript = this.transcripts.get(shellId);
    if (!transcript) {
      transcript = new Transcript();
      this.transcripts.set(shellId, transcript);
    }
    return transcript;
  }

  open(restart = false): boolean {
    if (!this.canUse.peek()) return false;
    return this.wire.send({ type: MessageType.WorkspaceStart, restart });
  }

  stopWorkspace(): boolean {
    if (!this.canUse.peek()) return false;
    return this.wire.send({ type: MessageType.WorkspaceStop });
  }

  /** Opens a shell (and the workspace first if needed); the new shell comes to the front when it appears. */
  openShell(cols: number, rows: number): boolean {
    if (!this.canUse.peek()) return false;
    if (!this.running.peek()) {
      this.wantShell = { cols, rows };
      return this.status.peek().state === 'starting' || this.open();
    }
    this.shellAsked = true;
    return this.wire.send({ type: MessageType.ShellOpen, cols, rows });
  }

  type(shellId: string, data: string): void {
    if (!this.canUse.peek()) return;
    this.wire.send({ type: MessageType.ShellInput, shellId, bytes: this.encoder.encode(data) });
  }

  resize(shellId: string, cols: number, rows: number): void {
    if (!this.canUse.peek() || cols < 2 || rows < 2) return;
    this.wire.send({ type: MessageType.ShellResize, shellId, cols, rows });
  }

  closeShell(shellId: string): void {
    if (!this.canUse.peek()) return;
    this.wire.send({ type: MessageType.ShellClose, shellId });
  }

  /** Starts (or restarts) the dev server, and the workspace first if it is off (the relay does that). */
  startDevServer(command: string): boolean {
    const line = command.trim();
    if (!this.canUse.peek() || line === '' || line.length > DEV_COMMAND_CHARS_MAX) return false;
    const sent = this.wire.send({ type: MessageType.DevServerStart, command: line });
    if (sent) this.devServerAsked = true;
    return sent;
  }

  stopDevServer(): boolean {
    if (!this.canUse.peek()) return false;
    return this.wire.send({ type: MessageType.DevServerStop });
  }

  destroy(): void {
    this.stop();
  }

  private onMessage(message: WorkspaceIncoming): void {
    switch (message.type) {
      case MessageType.WorkspaceStatus: {
        const { type: _type, ...payload } = message;
        const before = new Set(this.terminals.peek().map((t) => t.shellId));
        this.status.value = payload;
        const terminals = this.terminals.peek();
        const ids = new Set(terminals.map((t) => t.shellId));
        if (payload.state === 'running' && this.wantShell) {
          // The workspace this page asked for is up: now the shell it wanted.
          const { cols, rows } = this.wantShell;
          this.wantShell = null;
          this.openShell(cols, rows);
        } else if (payload.state !== 'starting') this.wantShell = null;
        this.frontNew(terminals.filter((t) => !before.has(t.shellId)));
        const active = this.active.peek();
        if (active !== null && !ids.has(active)) {
          this.active.value = this.shells.peek().at(-1)?.shellId ?? terminals[0]?.shellId ?? null;
        }
        for (const id of [...this.transcripts.keys()]) {
          if (!ids.has(id)) this.transcripts.delete(id);
        }
        return;
      }
      case MessageType.ShellOutput:
        this.transcript(message.shellId).write(message.bytes);
        return;
      case MessageType.ShellExit: {
        const dev = this.devServer.peek()?.shellId === message.shellId;
        const code = message.code === null ? '' : ` (exit ${message.code})`;
        this.transcript(message.shellId).write(
          dev ? `\r\n[the dev server ended${code}]\r\n` : '\r\n[the shell ended]\r\n',
        );
        return;
      }
    }
  }

  /** A terminal this page asked for comes to the front; so does any new one while the output is. */
  private frontNew(added: ShellView[]): void {
    if (added.length === 0) return;
    const dev = added.find((t) => t.devServer);
    const shell = added.filter((t) => !t.devServer).at(-1);
    let front: ShellView | undefined;
    if (this.devServerAsked && dev) front = dev;
    else if (this.shellAsked && shell) front = shell;
    else if (this.active.peek() === null) front = shell ?? dev;
    if (dev) this.devServerAsked = false;
    if (shell) this.shellAsked = false;
    if (front) this.active.value = front.shellId;
  }
}
