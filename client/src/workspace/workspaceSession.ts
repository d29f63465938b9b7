/**
 * The room's live workspace as this page sees it: its status from the relay
 * (`workspaceStatus`), the open shells with a transcript each (a late joiner's
 * starts with the relay's scrollback), and the actions of someone who may
 * edit: open, restart, stop, open a shell, type, resize, close. Viewers watch.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { MessageType, type MessageOf, type WorkspacePayload } from '../../../shared/protocol/table.js';
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
  /** "Shell 1", "Shell 2"… in the order they were opened. */
  title: string;
}

const OFF: WorkspacePayload = {
  state: 'off',
  reason: '',
  startedBy: null,
  startedAt: 0,
  memoryBytes: 0,
  memoryLimitBytes: 0,
  cpuPermille: 0,
  shells: [],
  notices: [],
};

export class WorkspaceSession {
  readonly status = signal<WorkspacePayload>(OFF);
  readonly shells = computed<ShellView[]>(() =>
    [...this.status.value.shells]
      .sort((a, b) => a.openedAt - b.openedAt)
      .map((shell, index) => ({
        shellId: shell.shellId,
        openedBy: shell.openedBy,
        title: `Shell ${index + 1}`,
      })),
  );
  /** The shell in front; null shows the run output. */
  readonly active = signal<string | null>(null);
  readonly running = computed(() => this.status.value.state === 'running');
  private readonly transcripts = new Map<string, Transcript>();
  private readonly encoder = new TextEncoder();
  /** Asked for a shell before the workspace ran: open one once it does. */
  private wantShell: { cols: number; rows: number } | null = null;
  /** Sent shellOpen: the next new shell comes to the front. */
  private shellAsked = false;
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

  destroy(): void {
    this.stop();
  }

  private onMessage(message: WorkspaceIncoming): void {
    switch (message.type) {
      case MessageType.WorkspaceStatus: {
        const { type: _type, ...payload } = message;
        const before = new Set(this.status.peek().shells.map((s) => s.shellId));
        this.status.value = payload;
        const added = payload.shells.filter((s) => !before.has(s.shellId));
        if (payload.state === 'running' && this.wantShell) {
          // The workspace this page asked for is up: now the shell it wanted.
          const { cols, rows } = this.wantShell;
          this.wantShell = null;
          this.openShell(cols, rows);
        } else if (payload.state !== 'starting') this.wantShell = null;
        if (added.length > 0 && (this.shellAsked || this.active.peek() === null)) {
          this.shellAsked = false;
          this.active.value = added.at(-1)!.shellId;
        }
        if (this.active.peek() !== null && !payload.shells.some((s) => s.shellId === this.active.peek())) {
          this.active.value = payload.shells.at(-1)?.shellId ?? null;
        }
        for (const id of [...this.transcripts.keys()]) {
          if (!payload.shells.some((s) => s.shellId === id)) this.transcripts.delete(id);
        }
        return;
      }
      case MessageType.ShellOutput:
        this.transcript(message.shellId).write(message.bytes);
        return;
      case MessageType.ShellExit:
        this.transcript(message.shellId).write('\r\n[the shell ended]\r\n');
        return;
    }
  }
}
