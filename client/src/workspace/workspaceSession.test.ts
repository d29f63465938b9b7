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
});
