/**
 * Runs end to end: a real relay process, a real runner process, a real Docker
 * engine. Clients start runs over the room socket and over HTTP; every frame the
 * room receives is checked, and so are the stored runs, the environment
 * variables' secrecy and the failure paths (viewer, unknown language, stop,
 * runner killed mid-run).
 */
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import * as v from 'valibot';
import { EnvNamesAnswer, RunAnswer, RunEvent, StoredRunsAnswer } from '../../shared/api/answers.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import {
  RawClient,
  frameSyncStep1,
  frameUpdate,
  request,
  updateAddingFile,
  waitFor,
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
import { runFrames, setMain, stdoutOf, waitExit } from '../../relay/test/runs.js';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType, RunMode } from '../../shared/protocol/table.js';

const skip = requireOrSkip('docker', await dockerAvailable());
const CANARY = 'canary-7f3c1d9e-secret-value';

async function api(relay: RelayProcess, method: string, path: string, token: string, body?: unknown) {
  return request(`${relay.url}${path}`, { method, token, ...(body === undefined ? {} : { body }) });
}

describe.skipIf(skip)('runs through relay and runner on Docker', () => {
  let relay: RelayProcess;
  let runner: RunnerProcess;
  let roomId: string;
  let owner: string;
  let editor: RawClient;
  let viewer: RawClient;

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_RUN_TIMEOUT_MS: '8000' } });
    runner = await startRunner(relay, {
      TANDEM_IMAGE_GO: 'tandem-missing:none',
      TANDEM_RUNNER_POOL_SIZE: '1',
    });
    const room = await createRoom(relay.url, { template: 'python' });
    roomId = room.roomId;
    owner = room.token;
    editor = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, owner));
    await editor.hello();
    editor.send(frameSyncStep1(editor.doc));
    await editor.until(() => editor.doc.getMap('files').size > 0, 'the project to arrive');
    const viewerToken = await mintToken(relay.url, roomId, owner, { role: 'viewer', name: 'Vic' });
    viewer = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, viewerToken));
    await viewer.hello();
  }, 60_000);

  afterAll(async () => {
    editor?.close();
    viewer?.close();
    await runner?.stop();
    // The runner killed with SIGKILL could not remove its warm containers: we made them, we remove them.
    if (relay) {
      const docker = new Docker();
      const leftovers = await docker.listContainers({
        all: true,
        filters: { label: [`tandem.runner.name=test-${relay.port}`] },
      });
      // The runner may be removing some of them itself (409) or have just done so (404).
      await Promise.allSettled(
        leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })),
      );
    }
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('a run started on the socket streams to everyone in the room and is stored', async () => {
    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'ws-run-1',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    const exit = await waitExit(viewer, 'ws-run-1');
    expect(exit).toMatchObject({ code: 0, reason: 'exited' });
    expect(stdoutOf(viewer, 'ws-run-1')).toBe('Hello, Tandem!\n');
    const started = runFrames(viewer, 'ws-run-1').find((m) => m.type === MessageType.RunStarted);
    expect(started).toMatchObject({ language: 'python', entry: 'main.py', name: 'Owner' });
    await waitExit(editor, 'ws-run-1');
    const runs = await api(relay, 'GET', `/api/rooms/${roomId}/runs`, owner);
    expect(runs.status).toBe(200);
    expect(v.parse(StoredRunsAnswer, runs.body)).toEqual(runs.body);
    expect(runs.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          runId: 'ws-run-1',
          reason: 'exited',
          stdout: 'Hello, Tandem!\n',
          output: [{ stream: 'stdout', text: 'Hello, Tandem!\n' }],
        }),
      ]),
    );
  });

  it('a run started in the same breath as an edit runs the edited code', async () => {
    const updates: Uint8Array[] = [];
    const capture = (update: Uint8Array, origin: unknown) => {
      if (origin !== 'relay') updates.push(update);
    };
    editor.doc.on('update', capture);
    for (const [, entry] of editor.doc.getMap('files')) {
      const map = entry as Y.Map<unknown>;
      if (map.get('path') !== 'main.py') continue;
      const text = map.get('text') as Y.Text;
      text.delete(0, text.length);
      text.insert(0, 'print("edited just now")\n');
    }
    editor.doc.off('update', capture);
    // Sent back to back in one tick: they reach the relay in one read, handled in one tick.
    for (const update of updates) editor.send(frameUpdate(update));
    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'race',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    expect(await waitExit(editor, 'race')).toMatchObject({ code: 0 });
    expect(stdoutOf(editor, 'race')).toBe('edited just now\n');
  });

  it('a file named like a folder (`same` beside `same/child.py`) is numbered; every run still works', async () => {
    const room = await createRoom(relay.url, { template: 'python' });
    const client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    client.send(frameSyncStep1(client.doc));
    await client.until(() => client.doc.getMap('files').size > 0, 'the project');
    const child = 'import os\nprint("child ran", os.path.exists("same (2)"))\n';
    for (const update of [
      updateAddingFile('same', 'plain', client.doc),
      updateAddingFile('same/child.py', child),
    ]) {
      client.send(frameUpdate(update));
    }
    const listed = async () =>
      (
        (await api(relay, 'GET', `/api/rooms/${room.roomId}/files`, room.token)).body as { path: string }[]
      ).map((f) => f.path);
    await waitFor(async () => (await listed()).includes('same/child.py'), 'both files stored');
    expect(await listed()).toEqual(expect.arrayContaining(['same (2)', 'same/child.py', 'main.py']));
    for (const entry of ['same/child.py', 'main.py']) {
      const result = await api(relay, 'POST', `/api/rooms/${room.roomId}/runs`, room.token, {
        language: 'python',
        entry,
      });
      expect(result.body, entry).toMatchObject({ exitCode: 0, reason: 'exited' });
    }
    const last = await api(relay, 'POST', `/api/rooms/${room.roomId}/runs`, room.token, {
      language: 'python',
      entry: 'same/child.py',
    });
    expect((last.body as { stdout: string }).stdout).toBe('child ran True\n');
    client.close();
  });

  it('a viewer cannot start a run: read_only, and nothing runs', async () => {
    const from = viewer.frames.length;
    viewer.send(
      encode({
        type: MessageType.RunStart,
        runId: 'viewer-run',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    const error = await viewer.waitForFrame(
      (f) => f.kind === 'tandem' && f.message.type === MessageType.Error,
      'read_only error',
      { from },
    );
    expect(error.kind === 'tandem' && error.message).toMatchObject({ code: 'read_only' });
    const run = await api(relay, 'POST', `/api/rooms/${roomId}/runs`, owner, { language: 'python' });
    expect(run.status).toBe(200);
    expect(runFrames(editor, 'viewer-run')).toEqual([]);
  });

  it('HTTP runs answer with the result, or NDJSON frames as they come, with stdin', async () => {
    await setMain(editor, 'name = input()\nprint(f"hi {name}")\n');
    const json = await api(relay, 'POST', `/api/rooms/${roomId}/runs`, owner, {
      language: 'python',
      stdin: 'Ada\n',
    });
    expect(json.body).toMatchObject({ exitCode: 0, reason: 'exited', stdout: 'hi Ada\n', stderr: '' });
    expect(v.parse(RunAnswer, json.body)).toEqual(json.body);

    const response = await fetch(`${relay.url}/api/rooms/${roomId}/runs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${owner}`,
        accept: 'application/x-ndjson',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ language: 'python', stdin: 'Bo\n' }),
    });
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    for (const line of lines) expect(v.parse(RunEvent, line)).toEqual(line);
    expect(lines[0]).toMatchObject({ type: 'started', language: 'python' });
    expect(lines.at(-1)).toMatchObject({ type: 'exit', exitCode: 0, reason: 'exited' });
    // Frames come as the program writes: one print may arrive in more than one.
    const stdout = (lines as { type: string; stream?: string; text?: string }[])
      .filter((line) => line.type === 'output' && line.stream === 'stdout')
      .map((line) => line.text)
      .join('');
    expect(stdout).toBe('hi Bo\n');
  });

  it('stdin over the socket reaches the program; stop ends a run with reason killed', async () => {
    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'ws-stdin',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    await editor.until(
      () => runFrames(editor, 'ws-stdin').some((m) => m.type === MessageType.RunStarted),
      'started',
    );
    editor.send(
      encode({
        type: MessageType.RunInput,
        runId: 'ws-stdin',
        bytes: Buffer.from('Cy\n'),
        eof: true,
      }),
    );
    expect(await waitExit(editor, 'ws-stdin')).toMatchObject({ code: 0, reason: 'exited' });
    expect(stdoutOf(editor, 'ws-stdin')).toBe('hi Cy\n');

    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'ws-stop',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    await editor.until(
      () => runFrames(editor, 'ws-stop').some((m) => m.type === MessageType.RunStarted),
      'started',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    editor.send(encode({ type: MessageType.RunStop, runId: 'ws-stop' }));
    expect((await waitExit(viewer, 'ws-stop')).reason).toBe('killed');
  });

  it('a terminal run is a shared REPL: editors type, everyone watches, viewers cannot type', async () => {
    await setMain(editor, 'greeting = "shared"\n');
    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'repl',
        language: 'python',
        entry: '',
        mode: RunMode.Terminal,
      }),
    );
    const shows = (client: RawClient, text: string) => () => stdoutOf(client, 'repl').includes(text);
    await viewer.until(shows(viewer, '>>> '), 'the prompt on the viewer', 20_000);
    editor.send(
      encode({
        type: MessageType.RunInput,
        runId: 'repl',
        bytes: Buffer.from('greeting.upper()\r'),
        eof: false,
      }),
    );
    await viewer.until(shows(viewer, "'SHARED'"), 'the answer on the viewer');
    const from = viewer.frames.length;
    viewer.send(
      encode({
        type: MessageType.RunInput,
        runId: 'repl',
        bytes: Buffer.from('1/0\r'),
        eof: false,
      }),
    );
    await viewer.waitForFrame(
      (f) => f.kind === 'tandem' && f.message.type === MessageType.Error,
      'read_only',
      { from },
    );
    editor.send(
      encode({
        type: MessageType.RunInput,
        runId: 'repl',
        bytes: Buffer.from('6*7\r'),
        eof: false,
      }),
    );
    await editor.until(shows(editor, '42'), 'the second answer');
    expect(stdoutOf(editor, 'repl')).not.toContain('ZeroDivisionError');
    editor.send(encode({ type: MessageType.RunInput, runId: 'repl', bytes: new Uint8Array(), eof: true }));
    expect(await waitExit(viewer, 'repl')).toMatchObject({ reason: 'exited' });
  });

  it('environment variables reach the program but no frame, log or database byte shows the value', async () => {
    const put = await api(relay, 'PUT', `/api/rooms/${roomId}/env/API_KEY`, owner, { value: CANARY });
    expect(put.status).toBe(204);
    const names = await api(relay, 'GET', `/api/rooms/${roomId}/env`, owner);
    expect(names.body).toEqual({ names: ['API_KEY'] });
    expect(v.parse(EnvNamesAnswer, names.body)).toEqual(names.body);
    await setMain(
      editor,
      'import os\nprint(len(os.environ["API_KEY"]), os.environ["API_KEY"][::-1] == "' +
        [...CANARY].reverse().join('') +
        '")\n',
    );
    const run = await api(relay, 'POST', `/api/rooms/${roomId}/runs`, owner, { language: 'python' });
    expect(run.body).toMatchObject({ stdout: `${CANARY.length} True\n` });

    const canary = Buffer.from(CANARY);
    for (const client of [editor, viewer]) {
      for (const frame of client.frames) expect(Buffer.from(frame.bytes).includes(canary)).toBe(false);
    }
    expect(relay.output.join('\n')).not.toContain(CANARY);
    expect(runner.output.join('\n')).not.toContain(CANARY);
    for (const file of ['tandem.sqlite', 'tandem.sqlite-wal', 'tandem.sqlite.appendlog']) {
      try {
        expect(readFileSync(join(relay.dataDir, file)).includes(canary)).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const removed = await api(relay, 'DELETE', `/api/rooms/${roomId}/env/API_KEY`, owner);
    expect(removed.status).toBe(204);
  });

  it('a language no runner can serve fails at once with a clear message', async () => {
    const run = await api(relay, 'POST', `/api/rooms/${roomId}/runs`, owner, { language: 'go' });
    expect(run.body).toMatchObject({ reason: 'error' });
    expect((run.body as { message: string }).message).toMatch(/language unavailable/);
  });

  it('a runner stopped mid-run (SIGTERM) ends the run and leaves no container behind', async () => {
    await setMain(editor, 'import time\nprint("sleeping", flush=True)\ntime.sleep(30)\n');
    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'stopped',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    await editor.until(() => stdoutOf(editor, 'stopped').includes('sleeping'), 'the program to start');
    expect(await runner.stop()).toBe(0);
    expect((await waitExit(viewer, 'stopped')).reason).toBe('error');
    const left = await new Docker().listContainers({
      all: true,
      filters: { label: [`tandem.runner.name=test-${relay.port}`] },
    });
    expect(left.map((c) => `${c.Image} ${c.State}`)).toEqual([]);
    runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '1' });
  });

  it('a runner killed mid-run ends the run with reason error; a new runner takes over', async () => {
    await setMain(editor, 'import time\nprint("sleeping", flush=True)\ntime.sleep(30)\n');
    editor.send(
      encode({
        type: MessageType.RunStart,
        runId: 'orphan',
        language: 'python',
        entry: '',
        mode: RunMode.Batch,
      }),
    );
    await editor.until(() => stdoutOf(editor, 'orphan').includes('sleeping'), 'the program to start');
    await runner.kill9();
    const exit = await waitExit(viewer, 'orphan');
    expect(exit.reason).toBe('error');
    expect(exit.message).toMatch(/runner/);

    runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '0' });
    await setMain(editor, 'print("back")\n');
    const run = await api(relay, 'POST', `/api/rooms/${roomId}/runs`, owner, { language: 'python' });
    expect(run.body).toMatchObject({ exitCode: 0, stdout: 'back\n' });
  });
});
