/**
 * A room's live workspace end to end: a real relay, a real runner, a real
 * Docker engine, Yjs clients on the room's socket. Files go both ways (edit,
 * create, rename, delete), a command's change is one log entry credited to
 * whoever typed, ignore rules hold, viewers only watch, concurrent typing and a
 * shell rewrite converge, and a dead container leaves the room's files intact.
 */
import { PassThrough, type Duplex } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode } from '../../shared/protocol/errors.js';
import { MessageType, type TandemMessage } from '../../shared/protocol/table.js';
import type { WorkspacePayload } from '../../shared/protocol/workspacePayload.js';
import { addFile, filesOf } from '../../shared/schema/project.js';
import {
  RawClient,
  frameSyncStep1,
  frameTandem,
  request,
  textOf,
  waitFor,
  workspaceStatuses,
  yjsUrl,
} from '../../relay/test/clients.js';
import {
  createRoom,
  mintToken,
  removeDataDir,
  startRelay,
  startRunner,
  type RelayProcess,
  type RunnerProcess,
} from '../../relay/test/harness.js';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';

const skip = requireOrSkip('docker', await dockerAvailable());
const docker = new Docker();

type Status = WorkspacePayload & { type: typeof MessageType.WorkspaceStatus };

const statuses = (client: RawClient): Status[] => workspaceStatuses(client) as Status[];

async function waitState(client: RawClient, state: Status['state'], from = 0): Promise<Status> {
  await client.until(
    () =>
      statuses(client)
        .slice(from)
        .some((s) => s.state === state),
    `workspace ${state}`,
    30_000,
  );
  return statuses(client)
    .slice(from)
    .find((s) => s.state === state)!;
}

/** Changes the client's document and waits until the relay stored the change. */
async function edit(client: RawClient, change: (doc: Y.Doc) => void): Promise<void> {
  client.change(change);
  await client.fence();
}

function entryAt(doc: Y.Doc, path: string): Y.Map<unknown> | null {
  for (const [, entry] of filesOf(doc)) {
    if (entry instanceof Y.Map && entry.get('path') === path) return entry;
  }
  return null;
}

function send(client: RawClient, message: TandemMessage): void {
  client.send(frameTandem(message));
}

describe.skipIf(skip)('a live workspace through relay and runner', () => {
  let relay: RelayProcess;
  let runner: RunnerProcess;
  let roomId: string;
  let owner: string;
  let editor: RawClient;
  let editorId: string;
  let viewer: RawClient;
  let viewerToken: string;
  let container: Docker.Container;

  const api = (method: string, path: string, token: string, body?: unknown) =>
    request(`${relay.url}/api/rooms/${roomId}${path}`, {
      method,
      token,
      ...(body === undefined ? {} : { body }),
    });

  /** Runs a command in the workspace as the sandbox user; its stdout. */
  async function inContainer(command: string): Promise<string> {
    const exec = await container.exec({
      Cmd: ['sh', '-c', command],
      User: '1000:1000',
      WorkingDir: '/work/project',
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Duplex;
    const out: Buffer[] = [];
    const stdout = new PassThrough().on('data', (chunk: Buffer) => out.push(chunk));
    docker.modem.demuxStream(stream, stdout, new PassThrough().resume());
    await new Promise((resolve) => stream.once('end', resolve));
    return Buffer.concat(out).toString('utf8');
  }

  /** Opens a shell; its id, once workspaceStatus lists it. */
  async function shell(client: RawClient): Promise<string> {
    const known = new Set(statuses(client).flatMap((s) => s.shells.map((shell) => shell.shellId)));
    const added = () =>
      statuses(client)
        .flatMap((s) => s.shells)
        .find((shell) => !known.has(shell.shellId));
    send(client, { type: MessageType.ShellOpen, cols: 100, rows: 30 });
    await client.until(() => added() !== undefined, 'a new shell in workspaceStatus');
    return added()!.shellId;
  }

  /** What a shell printed so far, as one client got it (read incrementally: a flood is many frames). */
  const printed = new WeakMap<RawClient, Map<string, { read: number; chunks: Buffer[] }>>();
  function shellText(client: RawClient, shellId: string): string {
    const shells = printed.get(client) ?? new Map<string, { read: number; chunks: Buffer[] }>();
    printed.set(client, shells);
    const seen = shells.get(shellId) ?? { read: 0, chunks: [] };
    shells.set(shellId, seen);
    for (; seen.read < client.frames.length; seen.read++) {
      const f = client.frames[seen.read]!;
      if (
        f.kind === 'tandem' &&
        f.message.type === MessageType.ShellOutput &&
        f.message.shellId === shellId
      ) {
        seen.chunks.push(Buffer.from(f.message.bytes));
      }
    }
    if (seen.chunks.length > 1) seen.chunks = [Buffer.concat(seen.chunks)];
    return seen.chunks[0]?.toString('utf8') ?? '';
  }

  beforeAll(async () => {
    relay = await startRelay({
      env: {
        TANDEM_WORKSPACE_IDLE_MS: '600000',
        TANDEM_WORKSPACE_FILES_MAX: '40',
        TANDEM_WORKSPACE_FILE_MAX_BYTES: '65536',
      },
    });
    runner = await startRunner(
      relay,
      { TANDEM_RUNNER_POOL_SIZE: '0', TANDEM_WORKSPACES_MAX: '2' },
      { workspaces: true },
    );
    const room = await createRoom(relay.url, { template: 'python' });
    roomId = room.roomId;
    owner = room.token;
    editor = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, owner));
    editorId = (await editor.hello()).userId;
    editor.send(frameSyncStep1(editor.doc));
    await editor.until(() => filesOf(editor.doc).size > 0, 'the project to arrive');
    viewerToken = await mintToken(relay.url, roomId, owner, { role: 'viewer', name: 'Vic' });
    viewer = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, viewerToken));
    await viewer.hello();
    viewer.send(frameSyncStep1(viewer.doc));

    send(editor, { type: MessageType.WorkspaceStart, restart: false });
    const running = await waitState(editor, 'running');
    expect(running.startedBy?.name).toBe('Owner');
    await waitState(viewer, 'running');
    const [found] = await docker.listContainers({
      filters: { label: [`tandem.runner.name=test-${relay.port}`, 'tandem.workspace'] },
    });
    container = docker.getContainer(found!.Id);
  }, 90_000);

  afterAll(async () => {
    editor?.close();
    viewer?.close();
    await runner?.stop();
    if (relay) {
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`tandem.runner.name=test-${relay.port}`] },
      });
      await Promise.allSettled(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
      await relay.stop();
      removeDataDir(relay.dataDir);
    }
  });

  it('starts from the room’s files, and an edit in the room reaches the container’s disk', async () => {
    await waitFor(
      async () => (await inContainer('cat main.py')) === textOf(editor.doc, 'main.py'),
      'main.py in the container',
    );
    await edit(editor, (doc) => {
      const text = entryAt(doc, 'main.py')!.get('text') as Y.Text;
      text.insert(0, '# typed in the room\n');
    });
    await waitFor(
      async () => (await inContainer('head -n 1 main.py')) === '# typed in the room\n',
      'the edit on the container’s disk',
    );
    await edit(editor, (doc) => addFile(doc, 'pkg/util.py', 'X = 1\n'));
    await waitFor(
      async () => (await inContainer('cat pkg/util.py')) === 'X = 1\n',
      'a new file in a new folder',
    );
  });

  it('a command’s change arrives as one log entry credited to the typist, and is not echoed back', async () => {
    const id = await shell(editor);
    const before = ((await api('GET', '/history', owner)).body as { entries: unknown[] }).entries.length;
    send(editor, {
      type: MessageType.ShellInput,
      shellId: id,
      bytes: new TextEncoder().encode('printf "made by shell\\n" > made.txt; echo done-$((40+2))\n'),
    });
    await editor.until(() => textOf(editor.doc, 'made.txt') === 'made by shell\n', 'made.txt in the room');
    await viewer.until(() => textOf(viewer.doc, 'made.txt') === 'made by shell\n', 'made.txt for the viewer');
    expect(shellText(viewer, id)).toContain('done-42');
    // A fence through the workspace: a later command's file arrives after any echo would have.
    send(editor, {
      type: MessageType.ShellInput,
      shellId: id,
      bytes: new TextEncoder().encode('echo 1 > fence1.txt\n'),
    });
    await editor.until(() => textOf(editor.doc, 'fence1.txt') === '1\n', 'the fence file');
    await editor.fence();
    const history = (await api('GET', '/history', owner)).body as { entries: { author: string }[] };
    const added = history.entries.slice(before);
    expect(added).toHaveLength(2);
    expect(added.every((entry) => entry.author === editorId)).toBe(true);
  });

  it('renames and deletes go both ways', async () => {
    await edit(editor, (doc) => entryAt(doc, 'pkg/util.py')!.set('path', 'pkg/tools.py'));
    await waitFor(
      async () => (await inContainer('ls pkg')).trim() === 'tools.py',
      'the rename in the container',
    );
    const fileId = [...filesOf(editor.doc).entries()].find(
      ([, e]) => (e as Y.Map<unknown>).get('path') === 'made.txt',
    )![0];
    await inContainer('mv made.txt moved.txt');
    await editor.until(() => textOf(editor.doc, 'moved.txt') === 'made by shell\n', 'the move in the room');
    expect(textOf(editor.doc, 'made.txt')).toBeUndefined();
    // Moved, not deleted and made again: the same entry, so history and cursors follow it.
    expect((filesOf(editor.doc).get(fileId) as Y.Map<unknown>).get('path')).toBe('moved.txt');

    await inContainer('rm moved.txt');
    await editor.until(() => textOf(editor.doc, 'moved.txt') === undefined, 'the delete in the room');
    await edit(editor, (doc) =>
      filesOf(doc).delete(
        [...filesOf(doc).entries()].find(([, e]) => (e as Y.Map<unknown>).get('path') === 'pkg/tools.py')![0],
      ),
    );
    await waitFor(
      async () => (await inContainer('ls -a')).includes('pkg') === false,
      'the delete (and its empty folder) in the container',
    );
  });

  it('dependency trees, .gitignore patterns, symlinks and FIFOs never come into the room', async () => {
    await edit(editor, (doc) => addFile(doc, '.gitignore', '*.log\nsecret/\n'));
    await waitFor(async () => (await inContainer('cat .gitignore')) === '*.log\nsecret/\n', 'the .gitignore');
    await inContainer(
      'mkdir -p node_modules/x secret __pycache__ && echo 1 > node_modules/x/i.js && echo 2 > app.log && echo 3 > secret/k && echo 4 > __pycache__/c.pyc && ln -s /etc/passwd link && mkfifo fifo; echo 5 > after.txt',
    );
    await editor.until(() => textOf(editor.doc, 'after.txt') === '5\n', 'the file after them');
    await editor.until(
      () =>
        statuses(editor)
          .at(-1)!
          .notices.some((n) => n.startsWith('link: ')),
      'a notice about the link',
    );
    const paths = [...filesOf(editor.doc).values()].map((e) => (e as Y.Map<unknown>).get('path') as string);
    expect(paths.filter((p) => /node_modules|\.log$|secret|__pycache__|^link$|^fifo$/.test(p))).toEqual([]);
    expect(statuses(editor).at(-1)!.notices.join('\n')).toMatch(/fifo: only plain files/);
  });

  it('a viewer watches the shell but cannot type, open a shell or start the workspace', async () => {
    const id = statuses(viewer).at(-1)!.shells[0]!.shellId;
    send(viewer, {
      type: MessageType.ShellInput,
      shellId: id,
      bytes: new TextEncoder().encode('echo viewer > v.txt\n'),
    });
    send(viewer, { type: MessageType.WorkspaceStart, restart: true });
    const refused = await viewer.waitForFrame(
      (f) => f.kind === 'tandem' && f.message.type === MessageType.Error,
      'the refusal',
    );
    expect(refused.kind === 'tandem' && refused.message).toMatchObject({ code: ErrorCode.ReadOnly });
    // The editor's next command runs after the viewer's keystrokes would have: no v.txt.
    send(editor, {
      type: MessageType.ShellInput,
      shellId: id,
      bytes: new TextEncoder().encode('echo 2 > fence2.txt\n'),
    });
    await editor.until(() => textOf(editor.doc, 'fence2.txt') === '2\n', 'the fence file');
    expect(textOf(editor.doc, 'v.txt')).toBeUndefined();
    expect(await inContainer('ls v.txt 2>/dev/null; true')).toBe('');
    expect(statuses(editor).at(-1)!.state).toBe('running');
  });

  it('someone joining later sees the shell’s recent output', async () => {
    const id = statuses(editor).at(-1)!.shells[0]!.shellId;
    send(editor, {
      type: MessageType.ShellInput,
      shellId: id,
      bytes: new TextEncoder().encode('echo before-you-came\n'),
    });
    await editor.until(() => shellText(editor, id).includes('before-you-came\r\n'), 'the echo');
    const late = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, viewerToken));
    try {
      await late.hello();
      await late.until(() => shellText(late, id).includes('before-you-came'), 'the scrollback');
      expect(statuses(late).at(-1)!.state).toBe('running');
    } finally {
      late.close();
    }
  });

  it('another room’s editor cannot type into, resize or close this room’s shell', async () => {
    const id = statuses(editor).at(-1)!.shells[0]!.shellId;
    const other = await createRoom(relay.url, { template: 'python' });
    const stranger = await RawClient.connect(yjsUrl(relay.wsUrl, other.roomId, other.token));
    try {
      await stranger.hello();
      send(stranger, {
        type: MessageType.ShellInput,
        shellId: id,
        bytes: new TextEncoder().encode('echo x > cross.txt\n'),
      });
      send(stranger, { type: MessageType.ShellResize, shellId: id, cols: 3, rows: 3 });
      send(stranger, { type: MessageType.ShellClose, shellId: id });
      await stranger.fence();
      send(editor, {
        type: MessageType.ShellInput,
        shellId: id,
        bytes: new TextEncoder().encode('echo 6 > fence6.txt\n'),
      });
      await editor.until(() => textOf(editor.doc, 'fence6.txt') === '6\n', 'the fence file');
      expect(textOf(editor.doc, 'cross.txt')).toBeUndefined();
      expect(
        statuses(editor)
          .at(-1)!
          .shells.some((shell) => shell.shellId === id),
      ).toBe(true);
      expect(shellText(stranger, id)).toBe('');
    } finally {
      stranger.close();
    }
  });

  it('a classroom editor whose right is taken back loses the shell’s keyboard at once', async () => {
    const id = statuses(editor).at(-1)!.shells[0]!.shellId;
    const studentToken = await mintToken(relay.url, roomId, owner, { role: 'editor', name: 'Sam' });
    const student = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, studentToken));
    try {
      const studentId = (await student.hello()).userId;
      const type = (line: string) =>
        send(student, {
          type: MessageType.ShellInput,
          shellId: id,
          bytes: new TextEncoder().encode(`${line}\n`),
        });
      type('echo allowed > sam1.txt');
      await editor.until(() => textOf(editor.doc, 'sam1.txt') === 'allowed\n', 'the student’s file');
      expect((await api('PATCH', '', owner, { mode: 'classroom' })).status).toBe(200);
      type('echo refused > sam2.txt');
      await student.fence();
      send(editor, {
        type: MessageType.ShellInput,
        shellId: id,
        bytes: new TextEncoder().encode('echo 3 > fence3.txt\n'),
      });
      await editor.until(() => textOf(editor.doc, 'fence3.txt') === '3\n', 'the fence file');
      expect(textOf(editor.doc, 'sam2.txt')).toBeUndefined();
      expect((await api('PUT', `/editors/${studentId}`, owner)).status).toBe(200);
      type('echo granted > sam3.txt');
      await editor.until(() => textOf(editor.doc, 'sam3.txt') === 'granted\n', 'the granted student’s file');
      expect((await api('PATCH', '', owner, { mode: 'open' })).status).toBe(200);
    } finally {
      student.close();
    }
  });

  it('thousands of files and a huge one: the room takes up to its cap, says so, and stays responsive', async () => {
    const before = filesOf(editor.doc).size;
    const id = statuses(editor).at(-1)!.shells[0]!.shellId;
    send(editor, {
      type: MessageType.ShellInput,
      shellId: id,
      bytes: new TextEncoder().encode(
        'mkdir many && for i in $(seq 1 3000); do echo $i > many/$i.txt; done; head -c 30000000 /dev/zero > huge.bin; echo 4 > fence4.txt\n',
      ),
    });
    let healthChecks = 0;
    await waitFor(
      async () => {
        expect((await request(`${relay.url}/healthz`)).status).toBe(200);
        healthChecks++;
        return statuses(editor)
          .at(-1)!
          .notices.some((n) => n.includes('than a room keeps (40)'));
      },
      'the cap notice',
      60_000,
    );
    expect(healthChecks).toBeGreaterThan(0);
    await editor.until(
      () =>
        statuses(editor)
          .at(-1)!
          .notices.some((n) => n.startsWith('huge.bin: larger than')),
      'the huge file notice',
      30_000,
    );
    expect(filesOf(editor.doc).size).toBeLessThanOrEqual(40);
    expect(filesOf(editor.doc).size).toBeGreaterThanOrEqual(before);
    expect(textOf(editor.doc, 'race.py') ?? textOf(editor.doc, 'main.py')).toBeDefined();
    expect(textOf(editor.doc, 'main.py')).toContain('# typed in the room');
    await inContainer('rm -rf many huge.bin');
  });

  it(
    'a shell printing without end is paced: the room stays live and nobody is dropped',
    { timeout: 120_000 },
    async () => {
      const flood = await shell(editor);
      const other = statuses(editor).at(-1)!.shells[0]!.shellId;
      send(editor, {
        type: MessageType.ShellInput,
        shellId: flood,
        bytes: new TextEncoder().encode('yes | head -c 3000000; echo; echo FLOOD-$((6*7))\n'),
      });
      await waitFor(() => shellText(editor, flood).length > 200_000, 'the flood under way', 20_000);
      expect(shellText(editor, flood)).not.toContain('FLOOD-42');
      // Meanwhile another shell still works, and so do edits.
      send(editor, {
        type: MessageType.ShellInput,
        shellId: other,
        bytes: new TextEncoder().encode('echo 5 > during.txt\n'),
      });
      // Waits are generous: a loaded CI machine is slow, the test is about nothing being lost.
      await viewer
        .until(() => textOf(viewer.doc, 'during.txt') === '5\n', 'a file made during the flood', 45_000)
        .catch((error: unknown) => {
          const seen = `flood bytes seen ${shellText(viewer, flood).length}, files ${filesOf(viewer.doc).size}`;
          const tail = JSON.stringify(shellText(editor, other).slice(-200));
          throw new Error(`${String(error)} (${seen}; the other shell's last output: ${tail})`);
        });
      await waitFor(() => shellText(viewer, flood).includes('FLOOD-42'), 'the end of the flood', 60_000);
      expect(viewer.closeInfo).toBeNull();
      expect(editor.closeInfo).toBeNull();
      send(editor, { type: MessageType.ShellClose, shellId: flood });
      await editor.until(
        () =>
          !statuses(editor)
            .at(-1)!
            .shells.some((s) => s.shellId === flood),
        'the shell closed',
      );
    },
  );

  it('starting over and over is refused after a few, with a sentence', async () => {
    const other = await createRoom(relay.url, { template: 'python' });
    const client = await RawClient.connect(yjsUrl(relay.wsUrl, other.roomId, other.token));
    const label = [`tandem.runner.name=test-${relay.port}`, 'tandem.workspace'];
    try {
      await client.hello();
      for (let i = 0; i < 6; i++) send(client, { type: MessageType.WorkspaceStart, restart: true });
      const refusal = await client.waitForFrame(
        (f) => f.kind === 'tandem' && f.message.type === MessageType.Error,
        'the refusal',
      );
      expect(refusal.kind === 'tandem' && refusal.message).toMatchObject({
        code: ErrorCode.RateLimited,
        message: expect.stringMatching(/^the workspace was started too often: try again in \d+ s$/),
      });
      const refused = client.frames.filter(
        (f) => f.kind === 'tandem' && f.message.type === MessageType.Error,
      );
      await client.fence();
      expect(
        client.frames.filter((f) => f.kind === 'tandem' && f.message.type === MessageType.Error).length,
      ).toBe(3);
      expect(refused.length).toBeGreaterThan(0);
      await waitFor(() => statuses(client).at(-1)?.state === 'running', 'the last start running', 30_000);
      // This room's and the first room's: no container left over from the restarts.
      await waitFor(
        async () => (await docker.listContainers({ all: true, filters: { label } })).length === 2,
        'two workspaces in all',
        30_000,
      );
      send(client, { type: MessageType.WorkspaceStop });
      await waitFor(
        async () => (await docker.listContainers({ all: true, filters: { label } })).length === 1,
        'the second workspace gone',
        30_000,
      );
    } finally {
      client.close();
    }
  });

  it('typing in the room while a command rewrites the file converges everywhere', async () => {
    await edit(editor, (doc) => addFile(doc, 'race.py', 'a = 1\nb = 2\nc = 3\n'));
    await waitFor(async () => (await inContainer('cat race.py')) === 'a = 1\nb = 2\nc = 3\n', 'race.py');
    await inContainer("sed -i 's/a = 1/a = 100/' race.py");
    await edit(editor, (doc) => {
      const text = entryAt(doc, 'race.py')!.get('text') as Y.Text;
      text.insert(text.length, 'd = 4\n');
    });
    const expected = 'a = 100\nb = 2\nc = 3\nd = 4\n';
    await editor.until(() => textOf(editor.doc, 'race.py') === expected, 'both changes in the room');
    await viewer.until(() => textOf(viewer.doc, 'race.py') === expected, 'both changes for the viewer');
    await waitFor(
      async () => (await inContainer('cat race.py')) === expected,
      'both changes in the container',
    );
    expect((await request(`${relay.url}/api/rooms/${roomId}/files/race.py`, { token: owner })).text).toBe(
      expected,
    );
  });

  it('a killed container: the room keeps its files, everyone is told, Restart brings a fresh one with them', async () => {
    const before = statuses(editor).length;
    await container.kill();
    const failed = await waitState(editor, 'failed', before);
    expect(failed.reason).toMatch(/stopped/);
    expect(textOf(editor.doc, 'race.py')).toBe('a = 100\nb = 2\nc = 3\nd = 4\n');
    const mark = statuses(editor).length;
    send(editor, { type: MessageType.WorkspaceStart, restart: true });
    await waitState(editor, 'running', mark);
    const [found] = await docker.listContainers({
      filters: { label: [`tandem.runner.name=test-${relay.port}`, 'tandem.workspace'] },
    });
    container = docker.getContainer(found!.Id);
    await waitFor(
      async () => (await inContainer('cat race.py')) === 'a = 100\nb = 2\nc = 3\nd = 4\n',
      'the room’s files in the fresh workspace',
    );
  });

  it('stops when someone who may edit says so; the container goes and the files stay', async () => {
    const before = statuses(viewer).length;
    send(editor, { type: MessageType.WorkspaceStop });
    const off = await waitState(viewer, 'off', before);
    expect(off.reason).toBe('stopped by Owner');
    await waitFor(
      async () =>
        (
          await docker.listContainers({
            all: true,
            filters: { label: [`tandem.runner.name=test-${relay.port}`, 'tandem.workspace'] },
          })
        ).length === 0,
      'the container removed',
      30_000,
    );
    expect(textOf(viewer.doc, 'fence2.txt')).toBe('2\n');
  });
});

/** A relay and a runner of their own, a room with its owner connected and its workspace running. */
async function ownWorkspace(env: Record<string, string> = {}) {
  const relay = await startRelay({ env });
  const runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
  const room = await createRoom(relay.url, { template: 'python' });
  const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
  await client.hello();
  client.send(frameSyncStep1(client.doc));
  send(client, { type: MessageType.WorkspaceStart, restart: false });
  await waitState(client, 'running');
  const label = [`tandem.runner.name=test-${relay.port}`];
  return {
    relay,
    runner,
    client,
    label,
    async cleanup() {
      client.close();
      await runner.stop();
      const left = await docker.listContainers({ all: true, filters: { label } });
      await Promise.allSettled(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
      await relay.stop();
      removeDataDir(relay.dataDir);
    },
  };
}

describe.skipIf(skip)('a workspace nobody uses', () => {
  it('a runner that dies: the room is told and keeps its files', async () => {
    const own = await ownWorkspace();
    const { client } = own;
    try {
      const files = JSON.stringify([...filesOf(client.doc).keys()]);
      const from = statuses(client).length;
      await own.runner.kill9();
      const failed = await waitState(client, 'failed', from);
      expect(failed.reason).toBe('its runner went away; Restart starts a fresh one');
      expect(JSON.stringify([...filesOf(client.doc).keys()])).toBe(files);
      // Restart with no runner left says why.
      send(client, { type: MessageType.WorkspaceStart, restart: true });
      await client.until(
        () => statuses(client).at(-1)!.reason.startsWith('no runner is connected'),
        'the reason there is none',
      );
    } finally {
      await own.cleanup();
    }
  }, 60_000);

  it('stops once the room has been empty for TANDEM_WORKSPACE_IDLE_MS', async () => {
    const own = await ownWorkspace({ TANDEM_WORKSPACE_IDLE_MS: '1500' });
    const label = [...own.label, 'tandem.workspace'];
    try {
      expect(await docker.listContainers({ filters: { label } })).toHaveLength(1);
      own.client.close();
      await waitFor(
        async () => (await docker.listContainers({ all: true, filters: { label } })).length === 0,
        'the idle workspace removed',
        20_000,
      );
    } finally {
      await own.cleanup();
    }
  }, 60_000);
});
