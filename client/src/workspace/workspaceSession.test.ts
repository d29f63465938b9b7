import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { MessageType, type ClientToRelayMessage } from '../../../shared/protocol/table.js';
import type { WorkspacePayload } from '../../../shared/protocol/workspacePayload.js';
import { WorkspaceSession, type WorkspaceIncoming } from './workspaceSession.js';

function setup(canUse = true) {
  const sent: ClientToRelayMessage[] = [];
  let deliver: (message: WorkspaceIncoming) => void = () => undefined;
  const session = new WorkspaceSession(
    {
      send: (message) => (sent.push(message), true),
      subscribe: (listener) => ((deliver = listener), () => undefined),
    },
    signal(canUse),
  );
  const status = (change: Partial<WorkspacePayload>) =>
    deliver({
      type: MessageType.WorkspaceStatus,
      state: 'running',
      reason: '',
      startedBy: { userId: 'u1', name: 'Ann' },
      startedAt: 1,
      memoryBytes: 0,
      memoryLimitBytes: 2 ** 30,
      cpuPermille: 0,
      shells: [],
      previews: [],
      devServer: null,
      notices: [],
      ...change,
    });
  return { session, sent, status, deliver: (m: WorkspaceIncoming) => deliver(m) };
}

describe('WorkspaceSession', () => {
  it('a shell asked for before the workspace runs opens once it does, and comes to the front', () => {
    const { session, sent, status } = setup();
    session.openShell(90, 20);
    expect(sent).toEqual([{ type: MessageType.WorkspaceStart, restart: false }]);
    status({ state: 'starting' });
    status({ state: 'running' });
    expect(sent.at(-1)).toEqual({ type: MessageType.ShellOpen, cols: 90, rows: 20 });
    status({ shells: [{ shellId: 's1', openedBy: 'Ann', openedAt: 5 }] });
    expect(session.active.value).toBe('s1');
    expect(session.shells.value).toEqual([{ shellId: 's1', openedBy: 'Ann', title: 'Shell 1' }]);
  });

  it('keeps each shell’s output, drops a closed shell, and falls back to the output tab', () => {
    const { session, status, deliver } = setup();
    status({ shells: [{ shellId: 's1', openedBy: 'Ann', openedAt: 5 }] });
    deliver({ type: MessageType.ShellOutput, shellId: 's1', bytes: new TextEncoder().encode('$ ls\r\n') });
    const seen: string[] = [];
    session.transcript('s1').subscribe((piece) => seen.push(new TextDecoder().decode(piece as Uint8Array)));
    expect(seen).toEqual(['$ ls\r\n']);
    status({ shells: [] });
    expect(session.active.value).toBeNull();
  });

  it('a viewer sends nothing: no start, no shell, no keystroke', () => {
    const { session, sent, status } = setup(false);
    status({ shells: [{ shellId: 's1', openedBy: 'Ann', openedAt: 5 }] });
    expect(session.open()).toBe(false);
    expect(session.openShell(80, 24)).toBe(false);
    session.type('s1', 'rm -rf .\r');
    session.resize('s1', 80, 24);
    session.closeShell('s1');
    expect(sent).toEqual([]);
  });

  it('starts, restarts and stops the dev server; a viewer cannot', () => {
    const { session, sent } = setup();
    expect(session.startDevServer('  npm run dev  ')).toBe(true);
    expect(session.startDevServer('   ')).toBe(false);
    expect(session.stopDevServer()).toBe(true);
    expect(sent).toEqual([
      { type: MessageType.DevServerStart, command: 'npm run dev' },
      { type: MessageType.DevServerStop },
    ]);
    const viewer = setup(false);
    expect(viewer.session.startDevServer('npm start')).toBe(false);
    expect(viewer.session.stopDevServer()).toBe(false);
    expect(viewer.sent).toEqual([]);
  });

  it('shows the dev server as one "Dev server" tab, brought to the front when started here', () => {
    const { session, status, deliver } = setup();
    const shells = [
      { shellId: 's1', openedBy: 'Ann', openedAt: 5 },
      { shellId: 'd1', openedBy: 'Ann', openedAt: 6 },
    ];
    status({ shells: [shells[0]!] });
    expect(session.active.value).toBe('s1');
    session.startDevServer('npm run dev');
    const devServer = {
      shellId: 'd1',
      command: 'npm run dev',
      startedBy: 'Ann',
      state: 'running' as const,
      code: null,
      lastLines: '',
    };
    // The relay may list the dev server's terminal among the shells too: still one tab.
    status({ shells, devServer });
    expect(session.terminals.value).toEqual([
      { shellId: 'd1', openedBy: 'Ann', title: 'Dev server', devServer: true },
      { shellId: 's1', openedBy: 'Ann', title: 'Shell 1' },
    ]);
    expect(session.shells.value.map((s) => s.title)).toEqual(['Shell 1']);
    expect(session.active.value).toBe('d1');
    expect(session.devServer.value).toEqual(devServer);

    deliver({ type: MessageType.ShellOutput, shellId: 'd1', bytes: new TextEncoder().encode('ready\r\n') });
    deliver({ type: MessageType.ShellExit, shellId: 'd1', code: 1 });
    const seen: string[] = [];
    session
      .transcript('d1')
      .subscribe((piece) => seen.push(typeof piece === 'string' ? piece : new TextDecoder().decode(piece!)));
    expect(seen.join('')).toBe('ready\r\n\r\n[the dev server ended (exit 1)]\r\n');

    status({ shells, devServer: { ...devServer, state: 'exited', code: 1, lastLines: 'Error' } });
    expect(session.active.value).toBe('d1');
    status({ shells: [shells[0]!], devServer: null });
    expect(session.terminals.value.map((t) => t.shellId)).toEqual(['s1']);
    expect(session.active.value).toBe('s1');
  });

  it('a dev server someone else starts does not take the front from a shell', () => {
    const { session, status } = setup();
    status({ shells: [{ shellId: 's1', openedBy: 'Ann', openedAt: 5 }] });
    const devServer = {
      shellId: 'd1',
      command: 'npm start',
      startedBy: 'Bob',
      state: 'running' as const,
      code: null,
      lastLines: '',
    };
    status({ shells: [{ shellId: 's1', openedBy: 'Ann', openedAt: 5 }], devServer });
    expect(session.active.value).toBe('s1');
  });

  it('exposes the ports served as previews', () => {
    const { session, status } = setup();
    expect(session.previews.value).toEqual([]);
    const previews = [{ port: 5173, previewId: 'k3j4h5', origin: 'http://k3j4h5.localhost:8081' }];
    status({ previews });
    expect(session.previews.value).toEqual(previews);
  });
});
