/**
 * The workspace container and its file agent on a real Docker engine: files in
 * both ways, no echo, the ignore list, and a hostile shell (symlinks out, FIFOs,
 * paths with `..`, a huge file) that must not make the agent read or write
 * anything outside the project.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { builtImage } from '../languages.js';
import { removeContainer } from '../sandbox/sandbox.js';
import { Workspace, type AgentEvent } from './Workspace.js';

const skip = requireOrSkip('docker', await dockerAvailable());
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe.skipIf(skip)('a workspace on Docker', () => {
  const docker = new Docker();
  const events: AgentEvent[] = [];
  let ended: string | null = null;
  let workspace: Workspace;
  const ports: number[][] = [];
  const previewDir = mkdtempSync(join(tmpdir(), 'tandem-pv-'));
  chmodSync(previewDir, 0o777);

  beforeAll(async () => {
    workspace = await Workspace.start(
      docker,
      {
        image: builtImage('workspace'),
        workspaceId: `test-${process.pid}`,
        runnerName: `workspace-test-${process.pid}`,
        limits: { memoryBytes: 512 * 1024 * 1024, diskBytes: 64 * 1024 * 1024, cpuMillis: 1000, pids: 256 },
        skip: ['node_modules', '.git'],
        maxFileBytes: 64 * 1024,
        previewDir,
      },
      {
        onFileEvent: (event) => events.push(event),
        onPorts: (now) => ports.push(now),
        onEnded: (reason) => (ended = reason),
      },
    );
  }, 60_000);

  afterAll(async () => {
    await workspace?.stop();
    rmSync(previewDir, { recursive: true, force: true });
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`tandem.runner.name=workspace-test-${process.pid}`] },
    });
    await Promise.all(left.map((c) => removeContainer(docker.getContainer(c.Id))));
  });

  /** Waits until the agent reported something for `path`; returns it. */
  async function eventFor(path: string, ev: AgentEvent['ev']): Promise<AgentEvent> {
    let found: AgentEvent | undefined;
    const deadline = Date.now() + 10_000;
    while (!(found = events.find((e) => e.path === path && e.ev === ev))) {
      if (Date.now() > deadline) throw new Error(`no ${ev} for ${path}; saw ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return found;
  }

  /** A shell write after everything else: once it is reported, earlier changes would have been too. */
  async function fence(): Promise<void> {
    const name = `fence-${Math.random().toString(36).slice(2)}`;
    await workspace.exec(['sh', '-c', `echo . > ${name}`]);
    await eventFor(name, 'put');
  }

  it('runs as the sandbox user, with no network, in the project folder', async () => {
    const result = await workspace.exec([
      'sh',
      '-c',
      'id -u; pwd; cat /proc/net/dev | tail -n +3 | cut -d: -f1',
    ]);
    expect(result.stdout.split('\n').map((line) => line.trim())).toEqual(['1000', '/work/project', 'lo', '']);
  });

  it('writes what the room sends, in folders, and never reports its own writes back', async () => {
    workspace.put('src/app.py', new TextEncoder().encode('print("hi")\n'));
    workspace.put('bin/data.bin', new Uint8Array([0, 255, 1]));
    await fence();
    expect((await workspace.exec(['cat', 'src/app.py'])).stdout).toBe('print("hi")\n');
    expect((await workspace.exec(['od', '-An', '-tu1', 'bin/data.bin'])).stdout.trim().split(/\s+/)).toEqual([
      '0',
      '255',
      '1',
    ]);
    expect(events.filter((e) => e.path === 'src/app.py' || e.path === 'bin/data.bin')).toEqual([]);
  });

  it('reports what commands create, change and delete, with the base both sides agreed on', async () => {
    await workspace.exec(['sh', '-c', 'echo made > made.txt && mkdir -p deep/er && echo x > deep/er/f.txt']);
    expect(text(((await eventFor('made.txt', 'put')) as Extract<AgentEvent, { ev: 'put' }>).data)).toBe(
      'made\n',
    );
    const deep = (await eventFor('deep/er/f.txt', 'put')) as Extract<AgentEvent, { ev: 'put' }>;
    expect(text(deep.data)).toBe('x\n');
    expect(deep.base).toBeNull();

    await workspace.exec(['sh', '-c', 'echo changed > src/app.py']);
    const changed = (await eventFor('src/app.py', 'put')) as Extract<AgentEvent, { ev: 'put' }>;
    expect(text(changed.data)).toBe('changed\n');
    expect(changed.base).toMatch(/^[0-9a-f]{64}$/);

    await workspace.exec(['rm', '-r', 'deep']);
    expect(await eventFor('deep/er/f.txt', 'del')).toMatchObject({
      base: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('a write from the room over a change the room has not seen yet loses to the disk, which is reported', async () => {
    workspace.put('race.txt', new TextEncoder().encode('one\n'));
    await fence();
    // The command's write and the room's land together: the agent keeps the disk's.
    await workspace.exec(['sh', '-c', 'echo shell > race.txt']);
    workspace.put('race.txt', new TextEncoder().encode('room\n'));
    const reported = (await eventFor('race.txt', 'put')) as Extract<AgentEvent, { ev: 'put' }>;
    expect(text(reported.data)).toBe('shell\n');
    expect((await workspace.exec(['cat', 'race.txt'])).stdout).toBe('shell\n');
  });

  it('never syncs ignored folders', async () => {
    await workspace.exec([
      'sh',
      '-c',
      'mkdir -p node_modules/pkg .git && echo 1 > node_modules/pkg/index.js && echo 2 > .git/HEAD',
    ]);
    await fence();
    expect(events.filter((e) => e.path.startsWith('node_modules') || e.path.startsWith('.git'))).toEqual([]);
  });

  it('refuses symlinks, FIFOs and files over the cap without reading them, and writes nothing through a link', async () => {
    await workspace.exec([
      'sh',
      '-c',
      'ln -s /etc/passwd passwd-link; mkfifo pipe; head -c 70000 /dev/zero > big.bin; ln -s /tmp outside',
    ]);
    expect(await eventFor('passwd-link', 'refused')).toMatchObject({ why: 'symbolic links are not synced' });
    expect(await eventFor('pipe', 'refused')).toMatchObject({ why: expect.stringContaining('plain files') });
    expect(await eventFor('big.bin', 'refused')).toMatchObject({
      why: expect.stringContaining('larger than'),
    });
    expect(await eventFor('outside', 'refused')).toMatchObject({ why: 'symbolic links are not synced' });
    expect(events.some((e) => e.ev === 'put' && text(e.data).includes('root:x:0'))).toBe(false);

    // The room cannot write through the link, nor climb out of the project.
    workspace.put('outside/escaped.txt', new TextEncoder().encode('no'));
    workspace.put('../escaped.txt', new TextEncoder().encode('no'));
    expect(await eventFor('outside/escaped.txt', 'refused')).toBeDefined();
    expect(await eventFor('../escaped.txt', 'refused')).toMatchObject({ why: 'not a project path' });
    const look = await workspace.exec(['sh', '-c', 'ls /tmp/escaped.txt /work/escaped.txt 2>&1; true']);
    expect(look.stdout).not.toMatch(/^\/(tmp|work)\/escaped\.txt$/m);
    expect(look.stdout).toMatch(/No such file/);
  });

  it('a shell on a pseudo-terminal: input, output, exit code', async () => {
    const output: Buffer[] = [];
    const exit = new Promise<number | null>((resolve) => {
      void workspace
        .openShell(80, 24, { onOutput: (bytes) => output.push(Buffer.from(bytes)), onExit: resolve })
        .then((shell) => shell.write('tty; echo from-$((6*7)) > shell.txt; exit 3\n'));
    });
    expect(await exit).toBe(3);
    expect(Buffer.concat(output).toString('utf8')).toMatch(/\/dev\/pts\/\d+/);
    expect(text(((await eventFor('shell.txt', 'put')) as Extract<AgentEvent, { ev: 'put' }>).data)).toBe(
      'from-42\n',
    );
    expect(ended).toBeNull();
  });

  it('a port a program listens on gets a socket the runner can reach, and goes when the program ends', async () => {
    const output: Buffer[] = [];
    let exited = false;
    const server = await workspace.openShell(
      80,
      24,
      { onOutput: (bytes) => output.push(Buffer.from(bytes)), onExit: () => (exited = true) },
      'echo preview-page > page.txt; exec python3 -m http.server 8765 --bind 127.0.0.1',
    );
    await vi.waitFor(() => expect(ports.at(-1)).toEqual([8765]), { timeout: 15_000, interval: 100 });
    const body = await new Promise<string>((resolve, reject) => {
      request({ socketPath: join(previewDir, '8765.sock'), path: '/page.txt' }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(`${response.statusCode} ${Buffer.concat(chunks).toString('utf8')}`));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toBe('200 preview-page\n');
    server.close();
    await vi.waitFor(() => expect(ports.at(-1)).toEqual([]), { timeout: 15_000, interval: 100 });
    expect(exited || Buffer.concat(output).length > 0).toBe(true);
  });
});
