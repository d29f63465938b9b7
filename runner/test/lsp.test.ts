/**
 * Code intelligence from the workspace's language servers, end to end: a real
 * relay, a real runner, a real Docker engine with the workspace image, and
 * raw clients on the room's socket. pylsp answers completions, hover and go
 * to definition across project files; a syntax error typed into the room
 * reaches everyone as diagnostics; a viewer is answered on the room's text and
 * cannot make anything change; a method off the allow-list and an oversize
 * text are refused with the socket kept open; clangd answers C++.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LSP_TEXT_MAX_CHARS, LspStatus } from '../../shared/lsp/protocol.js';
import type { LspDiagnosticsPayload } from '../../shared/lsp/results.js';
import { MessageType, type MessageOf, type TandemMessage } from '../../shared/protocol/table.js';
import type { WorkspacePayload } from '../../shared/protocol/workspacePayload.js';
import { addFile, filesOf, findFile } from '../../shared/schema/project.js';
import {
  RawClient,
  frameSyncStep1,
  frameTandem,
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
import Docker from 'dockerode';

const skip = requireOrSkip('docker', await dockerAvailable());
const docker = new Docker();

type Ask = Omit<MessageOf<'LspRequest'>, 'type' | 'requestId'>;
interface Answer {
  status: string;
  message: string;
  result: unknown;
}

const SHAPES =
  'import math\n\n\ndef area(radius: float) -> float:\n    """The area of a circle."""\n    return math.pi * radius ** 2\n';
const MAIN = 'from lib.shapes import area\n\nprint(area(2.0))\n';
const GREET =
  'def greet(name: str) -> str:\n    """Say hello to someone."""\n    return f"Hello, {name}!"\n\n\nprint(greet("Tandem"))\n';

let nextRequestId = 1;

function send(client: RawClient, message: TandemMessage): void {
  client.send(frameTandem(message));
}

/** Sends an lspRequest and waits for its answer. */
async function ask(client: RawClient, request: Ask, timeoutMs = 30_000): Promise<Answer> {
  const requestId = nextRequestId++;
  const from = client.frames.length;
  send(client, { type: MessageType.LspRequest, requestId, ...request });
  const frame = await client.waitForFrame(
    (f) =>
      f.kind === 'tandem' && f.message.type === MessageType.LspAnswer && f.message.requestId === requestId,
    `the answer to ${request.method}`,
    { from, timeoutMs },
  );
  const message = (frame as { message: MessageOf<'LspAnswer'> }).message;
  return { status: message.status, message: message.message, result: JSON.parse(message.result) as unknown };
}

/**
 * The same, asked again while the answer is a timeout: a cold server on a
 * busy machine may take longer to start than a request may wait, and goes on
 * starting for the next one.
 */
async function askWarm(client: RawClient, request: Ask): Promise<Answer> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const answer = await ask(client, request);
    if (answer.status !== LspStatus.Timeout || Date.now() > deadline) return answer;
  }
}

/** Asks until the answer is one `wanted` takes (a server restarting answers `unavailable` meanwhile). */
async function askUntil(
  client: RawClient,
  request: Ask,
  wanted: (answer: Answer) => boolean,
): Promise<Answer> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = await ask(client, request);
    if (wanted(answer) || Date.now() > deadline) return answer;
  }
}

function diagnosticsOf(client: RawClient, path: string): LspDiagnosticsPayload[] {
  return client.frames.flatMap((f) =>
    f.kind === 'tandem' && f.message.type === MessageType.LspDiagnostics && f.message.path === path
      ? [f.message as LspDiagnosticsPayload]
      : [],
  );
}

describe.skipIf(skip)('code intelligence from the workspace’s language servers', () => {
  let relay: RelayProcess;
  let runner: RunnerProcess;
  let owner: RawClient;
  let viewer: RawClient;
  let roomId: string;

  const textIn = (path: string) => textOf(owner.doc, path) ?? '';

  beforeAll(async () => {
    relay = await startRelay({ env: { TANDEM_WORKSPACE_IDLE_MS: '600000' } });
    runner = await startRunner(
      relay,
      { TANDEM_RUNNER_POOL_SIZE: '0', TANDEM_WORKSPACES_MAX: '1' },
      { workspaces: true },
    );
    const room = await createRoom(relay.url, { template: 'python' });
    roomId = room.roomId;
    owner = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, room.token));
    await owner.hello();
    owner.send(frameSyncStep1(owner.doc));
    await owner.until(() => filesOf(owner.doc).size > 0, 'the project to arrive');
    owner.change((doc) => {
      addFile(doc, 'lib/shapes.py', SHAPES);
      addFile(doc, 'app.py', MAIN);
      addFile(doc, 'greet.py', GREET);
      addFile(doc, 'broken.py', 'def fine():\n    return 1\n');
      addFile(doc, 'main.cpp', '#include <string>\n\nint main() {\n    std::string s;\n    return 0;\n}\n');
    });
    await owner.fence();
    const viewerToken = await mintToken(relay.url, roomId, room.token, { role: 'viewer', name: 'Vic' });
    viewer = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, viewerToken));
    await viewer.hello();
    viewer.send(frameSyncStep1(viewer.doc));
    await viewer.until(() => findFile(viewer.doc, 'greet.py') !== null, 'the viewer’s copy');
  }, 120_000);

  afterAll(async () => {
    owner?.close();
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

  it('without a workspace, answers that it is not running', async () => {
    const answer = await ask(owner, {
      language: 'python',
      method: 'hover',
      path: 'greet.py',
      text: GREET,
      line: 5,
      character: 7,
    });
    expect(answer.status).toBe(LspStatus.NoWorkspace);
    expect(answer.message).toMatch(/workspace is not running/);
    send(owner, { type: MessageType.WorkspaceStart, restart: false });
    await waitFor(
      () => (workspaceStatuses(owner).at(-1) as WorkspacePayload | undefined)?.state === 'running',
      'the workspace',
      60_000,
    );
  }, 90_000);

  it('completes `os.pa` with path', async () => {
    const text = 'import os\nos.pa';
    owner.change((doc) => addFile(doc, 'complete.py', text));
    await owner.fence();
    const answer = await askWarm(owner, {
      language: 'python',
      method: 'completion',
      path: 'complete.py',
      text,
      line: 1,
      character: 5,
    });
    expect(answer.status, answer.message).toBe(LspStatus.Ok);
    const { items } = answer.result as { items: { label: string }[] };
    expect(items.map((item) => item.label)).toContain('path');
  }, 150_000);

  it('hovers a function with its signature and docstring', async () => {
    const answer = await ask(owner, {
      language: 'python',
      method: 'hover',
      path: 'greet.py',
      text: textIn('greet.py'),
      line: 5,
      character: 8,
    });
    expect(answer.status, answer.message).toBe(LspStatus.Ok);
    const { contents } = answer.result as { contents: { value: string } };
    expect(contents.value).toContain('greet(name: str) -> str');
    expect(contents.value).toContain('Say hello to someone.');
  }, 60_000);

  it('goes to a definition in another project file', async () => {
    // `area` in `print(area(2.0))`, line 2.
    const answer = await ask(owner, {
      language: 'python',
      method: 'definition',
      path: 'app.py',
      text: textIn('app.py'),
      line: 2,
      character: 7,
    });
    expect(answer.status, answer.message).toBe(LspStatus.Ok);
    expect(answer.result).toEqual([
      { path: 'lib/shapes.py', range: { start: { line: 3, character: 4 }, end: { line: 3, character: 8 } } },
    ]);
  }, 60_000);

  it('lists a file’s symbols and helps with a call’s signature', async () => {
    const symbols = await ask(owner, {
      language: 'python',
      method: 'documentSymbol',
      path: 'lib/shapes.py',
      text: textIn('lib/shapes.py'),
      line: 0,
      character: 0,
    });
    expect(symbols.status, symbols.message).toBe(LspStatus.Ok);
    expect((symbols.result as { name: string }[]).map((s) => s.name)).toContain('area');
    const text = 'from lib.shapes import area\n\narea(';
    const help = await ask(owner, {
      language: 'python',
      method: 'signatureHelp',
      path: 'app.py',
      text,
      line: 2,
      character: 5,
    });
    expect(help.status, help.message).toBe(LspStatus.Ok);
    const { signatures } = help.result as { signatures: { label: string }[] };
    expect(signatures[0]?.label).toContain('radius: float');
  }, 60_000);

  it('sends a syntax error typed into the room to everyone as diagnostics, and its fix', async () => {
    // The server looks at a file once someone asks about it; from then on it follows the room's text.
    const opened = await ask(owner, {
      language: 'python',
      method: 'documentSymbol',
      path: 'broken.py',
      text: textIn('broken.py'),
      line: 0,
      character: 0,
    });
    expect(opened.status, opened.message).toBe(LspStatus.Ok);
    owner.change((doc) => {
      const text = findFile(doc, 'broken.py')!.text;
      text.insert(text.length, 'def oops(:\n    pass\n');
    });
    await owner.fence();
    const hasError = (client: RawClient) =>
      diagnosticsOf(client, 'broken.py')
        .at(-1)
        ?.diagnostics.some((d) => d.severity === 1 && d.range.start.line === 2) === true;
    await waitFor(() => hasError(owner) && hasError(viewer), 'the syntax error at everyone', 30_000);
    expect(diagnosticsOf(viewer, 'broken.py').at(-1)?.language).toBe('python');

    owner.change((doc) => {
      const text = findFile(doc, 'broken.py')!.text;
      text.delete(0, text.length);
      text.insert(0, 'def fine():\n    return 1\n');
    });
    await owner.fence();
    await waitFor(
      () => diagnosticsOf(viewer, 'broken.py').at(-1)?.diagnostics.length === 0,
      'the fix to clear them',
      30_000,
    );
  }, 90_000);

  it('answers a viewer on the room’s text, and a viewer cannot make anything change', async () => {
    const before = textIn('greet.py');
    // The viewer claims other text; the answer is about the room's.
    const answer = await ask(viewer, {
      language: 'python',
      method: 'hover',
      path: 'greet.py',
      text: 'def greet(x): pass\n\n\n\n\ngreet(1)\n',
      line: 5,
      character: 8,
    });
    expect(answer.status, answer.message).toBe(LspStatus.Ok);
    expect((answer.result as { contents: { value: string } }).contents.value).toContain(
      'greet(name: str) -> str',
    );

    const definition = await ask(viewer, {
      language: 'python',
      method: 'definition',
      path: 'app.py',
      text: '',
      line: 2,
      character: 7,
    });
    expect(definition.status, definition.message).toBe(LspStatus.Ok);
    expect((definition.result as { path: string }[])[0]?.path).toBe('lib/shapes.py');

    for (const method of ['rename', 'codeAction', 'formatting', 'workspace/applyEdit', 'executeCommand']) {
      const refused = await ask(viewer, {
        language: 'python',
        method,
        path: 'greet.py',
        text: '',
        line: 0,
        character: 4,
      });
      expect(refused.status).toBe(LspStatus.Refused);
    }
    // Nothing the viewer sent reached the room, nor the server's view of it (a fence proves no
    // diagnostics came for the viewer's broken text either).
    await ask(viewer, {
      language: 'python',
      method: 'documentSymbol',
      path: 'greet.py',
      text: 'def broken(:\n',
      line: 0,
      character: 0,
    });
    await viewer.fence();
    expect(textIn('greet.py')).toBe(before);
    expect(textOf(viewer.doc, 'greet.py')).toBe(before);
    expect(diagnosticsOf(viewer, 'greet.py').every((d) => d.diagnostics.length === 0)).toBe(true);
    expect(viewer.isOpen).toBe(true);
  }, 60_000);

  it('refuses a method off the allow-list and an oversize text, keeping the socket open', async () => {
    const offList = await ask(owner, {
      language: 'python',
      method: 'rename',
      path: 'greet.py',
      text: textIn('greet.py'),
      line: 0,
      character: 4,
    });
    expect(offList).toMatchObject({ status: LspStatus.Refused, result: null });
    expect(offList.message).toMatch(/rename is not a request code intelligence answers \(completion, hover/);

    const oversize = await ask(owner, {
      language: 'python',
      method: 'completion',
      path: 'greet.py',
      text: '#'.repeat(LSP_TEXT_MAX_CHARS + 1),
      line: 0,
      character: 1,
    });
    expect(oversize.status).toBe(LspStatus.Refused);
    expect(oversize.message).toMatch(/too large/);

    const elsewhere = await ask(owner, {
      language: 'python',
      method: 'hover',
      path: '../../etc/passwd',
      text: '',
      line: 0,
      character: 0,
    });
    expect(elsewhere.status).toBe(LspStatus.Refused);
    const unknownLanguage = await ask(owner, {
      language: 'cobol',
      method: 'hover',
      path: 'greet.py',
      text: '',
      line: 0,
      character: 0,
    });
    expect(unknownLanguage.status).toBe(LspStatus.Refused);

    await owner.fence();
    expect(owner.isOpen).toBe(true);
    // And it still answers.
    const again = await ask(owner, {
      language: 'python',
      method: 'hover',
      path: 'greet.py',
      text: textIn('greet.py'),
      line: 5,
      character: 8,
    });
    expect(again.status).toBe(LspStatus.Ok);
  }, 60_000);

  it('completes C++ through clangd', async () => {
    const text = '#include <string>\n\nint main() {\n    std::string s;\n    s.\n    return 0;\n}\n';
    const answer = await askWarm(owner, {
      language: 'cpp',
      method: 'completion',
      path: 'main.cpp',
      text,
      line: 4,
      character: 6,
    });
    expect(answer.status, answer.message).toBe(LspStatus.Ok);
    const labels = (answer.result as { items: { label: string }[] }).items.map((item) => item.label.trim());
    expect(
      labels.filter((label) => label.startsWith('size')),
      JSON.stringify(answer.result).slice(0, 600),
    ).not.toHaveLength(0);
    // The room's file is unchanged: the request's text is not written anywhere.
    expect(textIn('main.cpp')).not.toContain('s.\n');
  }, 150_000);

  it('starts a server that died again on the next request, at most three times a minute', async () => {
    const [found] = await docker.listContainers({
      filters: { label: [`tandem.runner.name=test-${relay.port}`, 'tandem.workspace'] },
    });
    const container = docker.getContainer(found!.Id);
    const killPylsp = async () => {
      const exec = await container.exec({
        Cmd: ['pkill', '-KILL', '-x', 'pylsp'],
        User: '1000:1000',
        AttachStdout: true,
        AttachStderr: true,
      });
      await exec
        .start({ hijack: true, stdin: false })
        .then((stream) => new Promise((done) => (stream as NodeJS.ReadableStream).on('end', done).resume()));
      return (await exec.inspect()).ExitCode;
    };
    const hover = { language: 'python', method: 'hover', path: 'greet.py', text: '', line: 5, character: 8 };
    const ok = (answer: Answer) => answer.status === LspStatus.Ok;
    for (let crash = 1; crash <= 3; crash++) {
      const answer = await askUntil(owner, { ...hover, text: textIn('greet.py') }, ok);
      expect(answer.status, answer.message).toBe(LspStatus.Ok);
      // pkill says 0 once it signalled a pylsp: the server was running.
      expect(await killPylsp()).toBe(0);
    }
    const refused = await askUntil(
      owner,
      { ...hover, text: textIn('greet.py') },
      (answer) => !ok(answer) && /3 times/.test(answer.message),
    );
    expect(refused.status).toBe(LspStatus.Unavailable);
    expect(refused.message).toMatch(
      /the Python language server stopped 3 times in a minute; it is tried again in \d+ s/,
    );
    expect(owner.isOpen).toBe(true);
  }, 240_000);
});
