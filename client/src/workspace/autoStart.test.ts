import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { WorkspacePayload } from '../../../shared/protocol/table.js';
import { autoStartDecision, watchAutoStart, type AutoStartView } from './autoStart.js';

const DEV = 'npm install --no-audit --no-fund && npm run dev';
type DevServer = NonNullable<WorkspacePayload['devServer']>;

function devServer(state: DevServer['state']): DevServer {
  return { shellId: 'd1', command: DEV, startedBy: 'Ann', state, code: null, lastLines: '' };
}

/** A web room's editor who has just joined a room whose workspace is off. */
function view(change: Partial<AutoStartView> = {}): AutoStartView {
  return {
    greeted: true,
    synced: true,
    dev: DEV,
    canUse: true,
    workspace: { state: 'off', devServer: null },
    ...change,
  };
}

describe('autoStartDecision', () => {
  it('starts the room’s dev server for an editor when the workspace is off, failed or serves none', () => {
    expect(autoStartDecision(view())).toBe('start');
    expect(autoStartDecision(view({ workspace: { state: 'failed', devServer: null } }))).toBe('start');
    expect(autoStartDecision(view({ workspace: { state: 'running', devServer: null } }))).toBe('start');
    // One that ended (a crash, a stop) before this page came: nobody is serving the app.
    expect(autoStartDecision(view({ workspace: { state: 'running', devServer: devServer('exited') } }))).toBe(
      'start',
    );
  });

  it('waits for the relay’s answer to hello: until then the workspace’s state is not known', () => {
    expect(autoStartDecision(view({ greeted: false }))).toBe('wait');
    expect(autoStartDecision(view({ greeted: false, canUse: false }))).toBe('wait');
  });

  it('waits for the document while it has no dev command yet, and skips a room that has none', () => {
    expect(autoStartDecision(view({ dev: null, synced: false }))).toBe('wait');
    expect(autoStartDecision(view({ dev: null }))).toBe('skip');
    expect(autoStartDecision(view({ dev: '   ' }))).toBe('skip');
    // A local copy that already has it needs no sync to decide.
    expect(autoStartDecision(view({ synced: false }))).toBe('start');
  });

  it('never starts from a page that may not edit', () => {
    expect(autoStartDecision(view({ canUse: false }))).toBe('skip');
  });

  it('leaves a dev server that runs, or a workspace on its way up or down, alone', () => {
    expect(
      autoStartDecision(view({ workspace: { state: 'running', devServer: devServer('running') } })),
    ).toBe('skip');
    expect(autoStartDecision(view({ workspace: { state: 'starting', devServer: null } }))).toBe('skip');
    expect(autoStartDecision(view({ workspace: { state: 'stopping', devServer: null } }))).toBe('skip');
  });
});

describe('watchAutoStart', () => {
  it('starts once, when the view is known, and not again when the dev server ends', () => {
    const live = signal(view({ greeted: false }));
    const started: string[] = [];
    const stop = watchAutoStart('room-once', live, (command) => started.push(command));
    expect(started).toEqual([]);
    live.value = view({ dev: `  ${DEV} ` });
    expect(started).toEqual([DEV]);
    live.value = view({ workspace: { state: 'running', devServer: devServer('running') } });
    live.value = view({ workspace: { state: 'running', devServer: devServer('exited') } });
    live.value = view({ workspace: { state: 'off', devServer: null } });
    expect(started).toEqual([DEV]);
    stop();
  });

  it('a skip is final too: a dev server that was running when the page came is not restarted after a crash', () => {
    const live = signal(view({ workspace: { state: 'running', devServer: devServer('running') } }));
    const started: string[] = [];
    const stop = watchAutoStart('room-skip', live, (command) => started.push(command));
    live.value = view({ workspace: { state: 'running', devServer: devServer('exited') } });
    expect(started).toEqual([]);
    stop();
  });

  it('decides once per room and page load, even when the room is opened again', () => {
    const started: string[] = [];
    const first = watchAutoStart('room-again', signal(view()), (command) => started.push(command));
    first();
    const second = watchAutoStart('room-again', signal(view()), (command) => started.push(command));
    second();
    expect(started).toEqual([DEV]);
    const other = watchAutoStart('room-other', signal(view()), (command) => started.push(command));
    other();
    expect(started).toEqual([DEV, DEV]);
  });
});
