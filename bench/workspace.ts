/**
 * Live workspaces: how long a keystroke in the editor takes to reach the
 * container's disk, how long a shell's write takes to show in a second Yjs
 * client, and how long a workspace takes to start (cold: the runner's first;
 * warm: a restart), beside a plain `docker run` of the same image in the same
 * run. The container and the host share one clock, so a watcher inside the
 * container stamps when the bytes landed. Asserts only that every edit arrived.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type * as Y from 'yjs';
import { MessageType } from '../shared/protocol/table.js';
import { addFile, filesOf } from '../shared/schema/project.js';
import { RawClient, frameSyncStep1, frameTandem, textOf, waitFor, yjsUrl } from '../relay/test/clients.js';
import { createRoom, removeDataDir, startRelay, startRunner } from '../relay/test/harness.js';
import { builtImage } from '../runner/languages.js';
import { timeDockerRun } from './lib/docker.js';
import { ms, printTable, ratio } from './lib/format.js';
import { summarize } from './lib/stats.js';

const KEYSTROKES = 100;
const SHELL_WRITES = 40;
/** The first start and two restarts: a room's start budget (a burst of 3) allows no more at once. */
const STARTS = 3;
const DOCKER_RUNS = 5;
/** In the container: print the time (ms, the host's clock too) and size each time bench.txt changes. */
const WATCHER = [
  'import os, sys, time',
  'last = None',
  'while True:',
  '    try:',
  "        data = open('bench.txt', 'rb').read()",
  '    except OSError:',
  '        data = None',
  '    if data != last:',
  '        last = data',
  "        print('%.3f %d' % (time.time() * 1000, -1 if data is None else len(data)), flush=True)",
  '    time.sleep(0.0005)',
].join('\n');

function statusOf(client: RawClient): string | null {
  for (let i = client.frames.length - 1; i >= 0; i--) {
    const frame = client.frames[i]!;
    if (frame.kind === 'tandem' && frame.message.type === MessageType.WorkspaceStatus)
      return frame.message.state;
  }
  return null;
}

/** `docker` arguments that run Python code in the workspace as the sandbox user, in the project. */
function pythonIn(container: string, code: string): string[] {
  return ['exec', '-u', '1000:1000', '-w', '/work/project', container, 'python3', '-c', code];
}

function containerId(port: number): string {
  const id = execFileSync(
    'docker',
    ['ps', '-q', '--filter', `label=tandem.runner.name=test-${port}`, '--filter', 'label=tandem.workspace'],
    {
      encoding: 'utf8',
    },
  ).trim();
  if (!id) throw new Error('no workspace container');
  return id.split('\n')[0]!;
}

export async function workspaceBench(): Promise<void> {
  const relay = await startRelay();
  const runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
  try {
    const room = await createRoom(relay.url, { template: 'python' });
    const editor = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await editor.hello();
    editor.send(frameSyncStep1(editor.doc));
    await editor.until(() => filesOf(editor.doc).size > 0, 'the project');
    const second = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await second.hello();
    second.send(frameSyncStep1(second.doc));

    // Starts: the first on this runner, then restarts.
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const from = editor.frames.length;
      const started = performance.now();
      editor.send(frameTandem({ type: MessageType.WorkspaceStart, restart: i > 0 }));
      // Running after a new Starting: a usage report of the old workspace does not count.
      const states = () =>
        editor.frames
          .slice(from)
          .flatMap((f) =>
            f.kind === 'tandem' && f.message.type === MessageType.WorkspaceStatus ? [f.message.state] : [],
          );
      await editor.until(
        () => states().includes('running', states().indexOf('starting')) && states().includes('starting'),
        'the workspace running',
        60_000,
      );
      starts.push(performance.now() - started);
    }
    if (statusOf(editor) !== 'running') throw new Error('the workspace is not running');
    const image = builtImage('workspace');
    const docker: number[] = [];
    for (let i = 0; i < DOCKER_RUNS; i++) docker.push(await timeDockerRun(image, 'print("ok")', 'ok\n'));

    // Keystroke -> disk.
    editor.change((doc) => addFile(doc, 'bench.txt', ''));
    await editor.fence();
    const id = containerId(relay.port);
    const watcher = spawn('docker', pythonIn(id, WATCHER));
    const landed = new Map<number, number>();
    createInterface({ input: watcher.stdout }).on('line', (line) => {
      const [at, size] = line.split(' ').map(Number);
      if (size! >= 0 && !landed.has(size!)) landed.set(size!, at!);
    });
    await waitFor(() => landed.has(0), 'the watcher', 30_000);
    const text = () => {
      for (const [, entry] of filesOf(editor.doc)) {
        if ((entry as Y.Map<unknown>).get('path') === 'bench.txt')
          return (entry as Y.Map<unknown>).get('text') as Y.Text;
      }
      throw new Error('no bench.txt');
    };
    const keystroke: number[] = [];
    for (let i = 1; i <= KEYSTROKES; i++) {
      const sent = performance.timeOrigin + performance.now();
      editor.change(() => text().insert(text().length, 'x'));
      await waitFor(() => landed.has(i), `keystroke ${i} on disk`);
      keystroke.push(landed.get(i)! - sent);
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 40));
    }
    watcher.kill();

    // Shell write -> a second client's document.
    const shellWrite: number[] = [];
    for (let i = 0; i < SHELL_WRITES; i++) {
      const value = `write ${i}\n`;
      const out = execFileSync(
        'docker',
        pythonIn(
          id,
          `import time\nt = time.time() * 1000\nopen('out.txt', 'w').write(${JSON.stringify(value)})\nprint('%.3f' % t)`,
        ),
        { encoding: 'utf8' },
      );
      const wrote = Number(out.trim());
      await second.until(() => textOf(second.doc, 'out.txt') === value, `shell write ${i}`, 10_000);
      shellWrite.push(performance.timeOrigin + performance.now() - wrote);
    }

    const k = summarize(keystroke);
    const s = summarize(shellWrite);
    const cold = starts[0]!;
    const warm = summarize(starts.slice(1));
    const d = summarize(docker);
    printTable(
      'Workspace: file sync through relay and runner (ms)',
      ['path', 'samples', 'p50', 'p95', 'max'],
      [
        ['editor keystroke -> container disk', k.count, ms(k.p50), ms(k.p95), ms(k.max)],
        ['shell write -> second Yjs client', s.count, ms(s.p50), ms(s.p95), ms(s.max)],
      ],
    );
    printTable(
      `Workspace: start to running (ms), image ${image}`,
      ['path', 'samples', 'p50', 'max', 'p50 vs docker run'],
      [
        ['docker run --rm --network none (python3 -c)', d.count, ms(d.p50), ms(d.max), '1.00x'],
        ['tandem workspace, cold (first on the runner)', 1, ms(cold), ms(cold), ratio(cold, d.p50)],
        ['tandem workspace, warm (restart)', warm.count, ms(warm.p50), ms(warm.max), ratio(warm.p50, d.p50)],
      ],
    );
    editor.close();
    second.close();
  } finally {
    await runner.stop();
    await relay.stop();
    removeDataDir(relay.dataDir);
  }
}
