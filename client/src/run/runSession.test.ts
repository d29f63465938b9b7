import { signal } from '@preact/signals';
import { afterEach, describe, expect, it } from 'vitest';
import { canEdit, type Role } from '../../../shared/roles.js';
import type { RunnerLanguage, StoredRun } from '../lib/api.js';
import type { SocketState } from '../room/connection.js';
import { RunSession } from './runSession.js';
import type { ClientRunMessage, RelayRunMessage, RunWire } from './runWire.js';
import { MessageType, OutputStream, RunMode } from '../../../shared/protocol/table.js';
import { plainTerminalText } from '../../../shared/terminalText.js';

/** The relay side of a wire, in memory: what the page sent, and a way to deliver frames. */
class TestWire implements RunWire {
  sent: ClientRunMessage[] = [];
  open = true;
  private listeners = new Set<(m: RelayRunMessage) => void>();
  send(message: ClientRunMessage): boolean {
    if (this.open) this.sent.push(message);
    return this.open;
  }
  subscribe(listener: (m: RelayRunMessage) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  deliver(message: RelayRunMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

const sessions: RunSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.destroy()));

function setup(role: Role = 'editor', history: StoredRun[] = []) {
  const wire = new TestWire();
  const socket = signal<SocketState>('connected');
  const languages: RunnerLanguage[] = [
    { id: 'python', name: 'Python', entry: 'main.py', available: true, preparing: null },
    {
      id: 'go',
      name: 'Go',
      entry: 'main.go',
      available: false,
      preparing: { percent: 55, what: 'installing', problem: '' },
    },
    { id: 'java', name: 'Java', entry: 'Main.java', available: false, preparing: null },
  ];
  const fetches = { count: 0 };
  const session = new RunSession({
    wire,
    me: signal({ name: 'Alice', role }),
    canEdit: signal(canEdit(role)),
    socket,
    project: {
      paths: signal(['main.py']),
      openPath: signal('main.py'),
      metaLanguage: signal('python'),
      metaEntry: signal('main.py'),
    },
    fetchLanguages: () => {
      fetches.count++;
      return Promise.resolve(languages);
    },
    fetchHistory: () => Promise.resolve(history),
  });
  sessions.push(session);
  let text = '';
  const decoder = new TextDecoder();
  session.transcript.subscribe((piece) => {
    if (piece === null) text = '';
    else text += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
  });
  const screen = () => plainTerminalText(text);
  return { wire, socket, session, screen, raw: () => text, fetches };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('RunSession', () => {
  it('starts a run with its own id, shows it to everyone as it streams, and ends it once', () => {
    const { wire, session, screen, raw } = setup();
    expect(session.start()).toBe(true);
    const start = wire.sent[0]!;
    expect(start).toMatchObject({
      type: MessageType.RunStart,
      language: 'python',
      entry: 'main.py',
      mode: RunMode.Batch,
    });
    const runId = start.runId;
    expect(session.focus.value).toMatchObject({ runId, started: false });
    expect(session.start()).toBe(false); // one at a time

    wire.deliver({
      type: MessageType.RunStarted,
      runId,
      language: 'python',
      entry: 'main.py',
      mode: 0,
      userId: 'u',
      name: 'Alice',
      startedAt: 0,
    });
    wire.deliver({
      type: MessageType.RunOutput,
      runId,
      stream: OutputStream.Stdout,
      bytes: bytes('Hello, Tandem!\n'),
    });
    wire.deliver({ type: MessageType.RunOutput, runId, stream: OutputStream.Stderr, bytes: bytes('oops\n') });
    expect(raw()).toContain('\x1b[31moops\n\x1b[39m');
    wire.deliver({
      type: MessageType.RunExit,
      runId,
      code: 0,
      signal: '',
      reason: 'exited',
      durationMs: 42,
      message: '',
    });
    expect(screen()).toBe(
      '▶ Alice · Python · main.py\r\nHello, Tandem!\noops\n✓ Exited with code 0 after 42 ms\r\n\r\n',
    );
    expect(session.focus.value).toBeNull();
    expect(session.panelOpen.value).toBe(true);
  });

  it('sends stdin lines and end of file to the newest run, and Stop', () => {
    const { wire, session, screen } = setup();
    session.start();
    const runId = wire.sent[0]!.runId;
    wire.deliver({
      type: MessageType.RunStarted,
      runId,
      language: 'python',
      entry: 'main.py',
      mode: 0,
      userId: 'u',
      name: 'Alice',
      startedAt: 0,
    });
    expect(session.sendLine('Ada')).toBe(true);
    // The line shows once the relay echoes it, as it does to everyone in the room.
    expect(screen()).not.toContain('Ada');
    wire.deliver({ type: MessageType.RunOutput, runId, stream: OutputStream.Input, bytes: bytes('Ada\n') });
    session.closeStdin();
    session.stop();
    expect(wire.sent.slice(1)).toEqual([
      { type: MessageType.RunInput, runId, bytes: bytes('Ada\n'), eof: false },
      { type: MessageType.RunInput, runId, bytes: new Uint8Array(), eof: true },
      { type: MessageType.RunStop, runId },
    ]);
    expect(session.sendLine('late')).toBe(false);
    expect(screen()).toContain('Ada\n(stdin closed)');
  });

  it('shows a run that was refused before it started, and a run joined mid-way', () => {
    const { wire, session, screen } = setup();
    session.start();
    const runId = wire.sent[0]!.runId;
    wire.deliver({
      type: MessageType.RunExit,
      runId,
      code: null,
      signal: '',
      reason: 'error',
      durationMs: 0,
      message: 'language unavailable: no runner can run python right now',
    });
    expect(screen()).toContain('▶ Alice · Python · main.py');
    expect(screen()).toContain('Language unavailable: no runner can run python right now');
    wire.deliver({ type: MessageType.RunQueued, runId: 'other', position: 2 });
    expect(screen()).toContain('A run started before you joined');
    expect(session.focus.value?.queued).toBe(2);
    expect(screen()).toContain('waiting for a runner (position 2)');
  });

  it('knows which languages can run, and asks again when a run was refused for that', async () => {
    const { wire, session, fetches } = setup();
    await Promise.resolve();
    expect(fetches.count).toBe(1);
    expect(session.availability.isAvailable('python')).toBe(true);
    expect(session.availability.isAvailable('go')).toBe(false);
    expect(session.availability.preparing('go')).toEqual({ percent: 55, what: 'installing', problem: '' });
    expect(session.availability.preparing('java')).toBeNull();
    expect(session.availability.preparing('python')).toBeNull();
    const message = 'language unavailable: no runner can run python right now';
    wire.deliver({
      type: MessageType.RunExit,
      runId: 'r',
      code: null,
      signal: '',
      reason: 'error',
      durationMs: 0,
      message,
    });
    expect(fetches.count).toBe(2);
  });

  it('gives viewers the output but no way to start, stop or type', () => {
    const { wire, session, screen, fetches } = setup('viewer');
    expect(session.start()).toBe(false);
    expect(fetches.count).toBe(0); // nothing to run: no need to ask
    wire.deliver({
      type: MessageType.RunStarted,
      runId: 'r1',
      language: 'python',
      entry: 'main.py',
      mode: 0,
      userId: 'u',
      name: 'Bob',
      startedAt: 0,
    });
    wire.deliver({
      type: MessageType.RunOutput,
      runId: 'r1',
      stream: OutputStream.Stdout,
      bytes: bytes('hi\n'),
    });
    expect(session.sendLine('x')).toBe(false);
    session.stop();
    expect(wire.sent).toEqual([]);
    expect(screen()).toContain('▶ Bob · Python · main.py\r\nhi\n');
  });

  it('says so when offline, and ends live runs when the socket drops', () => {
    const { wire, socket, session, screen } = setup();
    wire.open = false;
    expect(session.start()).toBe(false);
    expect(screen()).toContain('Not connected');
    wire.open = true;
    session.start();
    socket.value = 'offline';
    expect(session.focus.value).toBeNull();
    expect(screen()).toContain('Connection lost');
  });

  it('shows the last stored run to someone who joins later', async () => {
    const stored: StoredRun = {
      runId: 'old',
      userId: 'u',
      name: 'Bob',
      language: 'python',
      entry: 'main.py',
      startedAt: 0,
      endedAt: 1,
      exitCode: 1,
      signal: '',
      reason: 'exited',
      durationMs: 30,
      message: '',
      outputTruncated: false,
      stdout: 'partial\n',
      stderr: 'Traceback\n',
      output: [
        { stream: 'stdout', text: 'partial\n' },
        { stream: 'stderr', text: 'Traceback\n' },
      ],
    };
    const { session, screen } = setup('viewer', [stored]);
    await session.loadHistory();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(screen()).toBe(
      '▶ Bob · Python · main.py · last run\r\npartial\nTraceback\n■ Exited with code 1 after 30 ms\r\n\r\n',
    );
  });
});
