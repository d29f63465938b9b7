/**
 * Package installs in a workspace with no network: a real Verdaccio on
 * loopback is the registry (no uplinks), a test package is published to it,
 * and `npm install` in the workspace's shell gets it through the runner's
 * registry proxy, while the container's own network stays `none`. From
 * inside, the proxy refuses to reach the relay or any other host. pip does
 * the same from a package index served by Python's own http.server, whose
 * page links a wheel on a second server (as PyPI's pages link
 * files.pythonhosted.org).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, type TandemMessage } from '../../shared/protocol/table.js';
import { plainTerminalText } from '../../shared/terminalText.js';
import type { WorkspacePayload } from '../../shared/protocol/workspacePayload.js';
import {
  RawClient,
  frameSyncStep1,
  frameTandem,
  shellPrinted,
  waitFor,
  workspaceStatuses,
  yjsUrl,
} from '../../relay/test/clients.js';
import { addFile, filesOf, findFile } from '../../shared/schema/project.js';
import {
  createRoom,
  freePort,
  removeDataDir,
  startRelay,
  startRunner,
  type RelayProcess,
  type RunnerProcess,
} from '../../relay/test/harness.js';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';

const skip = requireOrSkip('docker', await dockerAvailable());
const ROOT = resolve(import.meta.dirname, '../..');
const VERDACCIO = join(ROOT, 'node_modules/verdaccio/bin/verdaccio');

type Status = WorkspacePayload & { type: typeof MessageType.WorkspaceStatus };

describe.skipIf(skip)('package installs through the runner, from a real registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-verdaccio-'));
  let verdaccio: ChildProcess;
  const pythonServers: ChildProcess[] = [];
  let registry: string;
  let relay: RelayProcess;
  let runner: RunnerProcess;
  let client: RawClient;
  let shellId: string;

  const send = (message: TandemMessage) => client.send(frameTandem(message));
  const latest = () => workspaceStatuses(client).at(-1) as Status | undefined;
  const printed = () => shellPrinted(client, shellId);
  /** Types a command and waits for the marker it prints when done; what it printed. */
  async function shell(command: string, marker: string): Promise<string> {
    const before = printed().length;
    send({
      type: MessageType.ShellInput,
      shellId,
      bytes: new TextEncoder().encode(`${command}; echo ${marker}:$?\n`),
    });
    const done = new RegExp(`${marker}:(\\d+)`);
    await waitFor(() => done.test(printed().slice(before).replace(`echo ${marker}`, '')), marker, 120_000);
    // ls and node colour what they print on a terminal.
    return plainTerminalText(printed().slice(before));
  }

  beforeAll(async () => {
    const port = await freePort();
    registry = `http://127.0.0.1:${port}/`;
    writeFileSync(
      join(dir, 'config.yaml'),
      [
        `storage: ${join(dir, 'storage')}`,
        'auth:',
        '  htpasswd:',
        `    file: ${join(dir, 'htpasswd')}`,
        'uplinks: {}',
        'packages:',
        "  '**':",
        '    access: $all',
        '    publish: $authenticated',
        'logs: { type: stdout, format: json, level: error }',
        '',
      ].join('\n'),
    );
    verdaccio = spawn(
      process.execPath,
      [VERDACCIO, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      async () => (await fetch(`${registry}-/ping`).catch(() => null))?.ok === true,
      'verdaccio',
      60_000,
    );
    const user = await fetch(`${registry}-/user/org.couchdb.user:tandem`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tandem', password: 'a-long-test-password', type: 'user', roles: [] }),
    });
    expect(user.status).toBe(201);
    const { token } = (await user.json()) as { token: string };
    const pkg = join(dir, 'pkg');
    mkdirSync(pkg);
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'tandem-test-pkg', version: '1.0.0', main: 'index.js' }),
    );
    writeFileSync(join(pkg, 'index.js'), "exports.greet = () => 'hello from verdaccio';\n");
    writeFileSync(join(dir, 'npmrc'), `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    const published = spawnSync('npm', ['publish', '--userconfig', join(dir, 'npmrc')], {
      cwd: pkg,
      encoding: 'utf8',
    });
    expect(published.status, published.stderr).toBe(0);

    const pipIndex = await servePipIndex(dir, pythonServers);

    relay = await startRelay({ env: { TANDEM_WORKSPACE_IDLE_MS: '600000' } });
    runner = await startRunner(
      relay,
      {
        TANDEM_RUNNER_POOL_SIZE: '0',
        TANDEM_WORKSPACES_MAX: '1',
        TANDEM_NPM_REGISTRY: registry,
        TANDEM_NPM_CACHE_DIR: join(dir, 'runner-cache'),
        TANDEM_PIP_INDEX: pipIndex,
      },
      { workspaces: true },
    );
    const room = await createRoom(relay.url, { template: 'javascript' });
    client = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await client.hello();
    client.send(frameSyncStep1(client.doc));
    await client.until(() => filesOf(client.doc).size > 0, 'the project to arrive');
    send({ type: MessageType.WorkspaceStart, restart: false });
    await waitFor(() => latest()?.state === 'running', 'the workspace', 60_000);
    send({ type: MessageType.ShellOpen, cols: 200, rows: 50 });
    await waitFor(() => (latest()?.shells.length ?? 0) > 0, 'a shell');
    shellId = latest()!.shells[0]!.shellId;
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await runner?.stop();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
    verdaccio?.kill();
    for (const server of pythonServers) server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs a package published to the registry, with the container still on network none', async () => {
    const out = await shell(
      'ls /sys/class/net; npm install tandem-test-pkg@1.0.0 --no-package-lock && node -e "console.log(require(\'tandem-test-pkg\').greet())"',
      'INSTALLED',
    );
    expect(out, out).toMatch(/INSTALLED:0/);
    expect(out).toContain('hello from verdaccio');
    expect(out.split('\n').some((line) => line.trim() === 'lo')).toBe(true);
    expect(out).not.toMatch(/\beth\d/);
  }, 180_000);

  it('refuses, from inside, another host, the relay, a CONNECT tunnel and a publish', async () => {
    const probe = (path: string, method = 'GET') =>
      `node -e "const r=require('http').request({host:'127.0.0.1',port:4873,path:'${path}',method:'${method}'},(s)=>{console.log('STATUS',s.statusCode)});r.on('connect',(s)=>console.log('STATUS',s.statusCode));r.on('error',e=>console.log('ERR',e.code));r.end()"`;
    const relayPort = new URL(relay.url).port;
    const out = await shell(
      [
        probe(`http://127.0.0.1:${relayPort}/api/runners`),
        probe('http://example.com/'),
        probe('example.com:443', 'CONNECT'),
        probe('/tandem-test-pkg', 'PUT'),
        `node -e "require('http').get('http://127.0.0.1:${relayPort}/healthz').on('error',e=>console.log('DIRECT',e.code))"`,
      ].join('; '),
      'PROBED',
    );
    expect(out.match(/STATUS 403/g)?.length, out).toBe(4);
    // And the relay itself is not reachable from the container at all.
    expect(out).toMatch(/DIRECT ECONNREFUSED/);
  }, 120_000);

  it('pip installs a wheel the index links on another host, and nothing off the index', async () => {
    const out = await shell(
      [
        'pip install tandem-test-wheel==1.0',
        `python3 -c "import tandem_test_wheel; print(tandem_test_wheel.greet())"`,
        // A path the index never linked, through the same port.
        `python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:3141/~file/AAAA/aGVsbG8/x.whl')" 2>&1 | grep -o 'HTTP Error 403'`,
      ].join(' && '),
      'PIPPED',
    );
    expect(out, out).toMatch(/PIPPED:0/);
    expect(out).toContain('hello from the package index');
    expect(out).toContain('HTTP Error 403');
  }, 180_000);

  it('saving a package.json with new dependencies installs them, on a terminal everyone sees', async () => {
    const known = new Set(latest()!.shells.map((shell) => shell.shellId));
    // The first test's `npm install` in the shell made a package.json, which came into the room.
    const text = JSON.stringify({ name: 'app', dependencies: { 'tandem-test-pkg': '1.0.0' } });
    client.change((doc) => {
      const existing = findFile(doc, 'package.json');
      if (!existing) return void addFile(doc, 'package.json', text);
      existing.text.delete(0, existing.text.length);
      existing.text.insert(0, text);
    });
    await client.fence();
    await waitFor(
      () =>
        latest()?.shells.some(
          (shell) => !known.has(shell.shellId) && shell.openedBy === 'package.json changed',
        ) === true,
      'an install terminal',
      30_000,
    );
    const install = latest()!.shells.find((shell) => !known.has(shell.shellId))!.shellId;
    const exitCode = (): number | null | undefined => {
      for (const f of client.frames) {
        if (f.kind === 'tandem' && f.message.type === MessageType.ShellExit && f.message.shellId === install)
          return f.message.code;
      }
      return undefined;
    };
    await waitFor(() => exitCode() !== undefined, 'the install to end', 120_000);
    expect(exitCode()).toBe(0);
    const out = await shell('node -e "console.log(require(\'tandem-test-pkg\').greet())"', 'REQUIRED');
    expect(out).toMatch(/REQUIRED:0/);
  }, 180_000);
});

/**
 * A PEP 503 index (`simple/<project>/index.html`) and a second server with the
 * wheel it links to, both `python3 -m http.server` on loopback; the index's URL.
 */
async function servePipIndex(dir: string, servers: ChildProcess[]): Promise<string> {
  const wheelName = 'tandem_test_wheel-1.0-py3-none-any.whl';
  const filesDir = join(dir, 'pip-files');
  mkdirSync(filesDir, { recursive: true });
  const built = spawnSync(
    'python3',
    [
      '-c',
      [
        'import sys, zipfile',
        "z = zipfile.ZipFile(sys.argv[1], 'w')",
        "z.writestr('tandem_test_wheel/__init__.py', 'def greet():\\n    return \\'hello from the package index\\'\\n')",
        "z.writestr('tandem_test_wheel-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: tandem-test-wheel\\nVersion: 1.0\\n')",
        "z.writestr('tandem_test_wheel-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: tandem-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')",
        "z.writestr('tandem_test_wheel-1.0.dist-info/RECORD', '')",
        'z.close()',
      ].join('\n'),
      join(filesDir, wheelName),
    ],
    { encoding: 'utf8' },
  );
  expect(built.status, built.stderr).toBe(0);
  const filesPort = await freePort();
  const indexPort = await freePort();
  const project = join(dir, 'pip-index/simple/tandem-test-wheel');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'index.html'),
    `<!DOCTYPE html><html><body><a href="http://127.0.0.1:${filesPort}/${wheelName}">${wheelName}</a></body></html>\n`,
  );
  for (const [port, root] of [
    [filesPort, filesDir],
    [indexPort, join(dir, 'pip-index')],
  ] as const) {
    servers.push(
      spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', root], {
        stdio: 'ignore',
      }),
    );
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok === true,
      'http.server',
      30_000,
    );
  }
  return `http://127.0.0.1:${indexPort}/simple/`;
}
