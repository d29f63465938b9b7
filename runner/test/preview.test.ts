/**
 * Dev servers and previews end to end: a real relay, a real runner, a real
 * Docker engine. The room's dev server (a Node app written into the room)
 * listens inside a container with no network; its port becomes a preview on
 * an origin of its own, reached only with a ticket turned cookie, through the
 * relay's preview listener, the runner link and the workspace's forwarder.
 * HTTP bodies both ways, a large download, a WebSocket-style upgrade; tickets
 * once only; another preview's cookie, a made-up id, a removed person and a
 * crashed or stopped server are each refused or reported.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, type TandemMessage } from '../../shared/protocol/table.js';
import type { WorkspacePayload } from '../../shared/protocol/workspacePayload.js';
import { addFile, filesOf } from '../../shared/schema/project.js';
import {
  RawClient,
  frameSyncStep1,
  frameTandem,
  request,
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

type Status = WorkspacePayload & { type: typeof MessageType.WorkspaceStatus };

/** The app: pages, an echo of bodies, 8 MiB in one answer, and an upgrade that echoes bytes. */
const APP = `
const http = require('http');
const big = Buffer.alloc(8 * 1024 * 1024, 7);
const server = http.createServer((req, res) => {
  if (req.url === '/big') return res.end(big);
  if (req.url === '/hang') return;
  if (req.url === '/huge') {
    let left = 64;
    const more = () => { while (left > 0) { left--; if (!res.write(Buffer.alloc(1024 * 1024, 5))) return res.once('drain', more); } res.end(); };
    return more();
  }
  if (req.url === '/echo') { const parts = []; req.on('data', (c) => parts.push(c)); req.on('end', () => res.end(Buffer.concat(parts))); return; }
  if (req.url === '/headers') return res.end(JSON.stringify(req.headers));
  res.setHeader('content-type', 'text/html');
  res.end('<h1>hello from the workspace</h1>');
});
server.on('upgrade', (req, socket) => {
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n');
  socket.pipe(socket);
});
server.listen(Number(process.argv[2] || 3000), '127.0.0.1', () => console.log('listening'));
`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe.skipIf(skip)('dev servers and previews through relay and runner', () => {
  let relay: RelayProcess;
  let runner: RunnerProcess;
  let roomId: string;
  let owner: string;
  let editor: RawClient;
  let viewerToken: string;
  let viewerId: string;

  const latest = (client: RawClient) => workspaceStatuses(client).at(-1) as Status | undefined;
  const send = (client: RawClient, message: TandemMessage) => client.send(frameTandem(message));
  const hostOf = (previewId: string) => `${previewId}.localhost:${relay.previewPort}`;

  /** An HTTP request to the preview listener, as a browser on `host` would make it. */
  function preview(
    host: string,
    path: string,
    options: { cookie?: string; method?: string; body?: Buffer } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: relay.previewPort,
          path,
          method: options.method ?? 'GET',
          headers: { host, ...(options.cookie ? { cookie: options.cookie } : {}) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  async function ticketUrl(previewId: string, token: string): Promise<URL> {
    const answer = await request(`${relay.url}/api/rooms/${roomId}/previews/${previewId}/ticket`, {
      method: 'POST',
      token,
    });
    expect(answer.status).toBe(200);
    const { url, origin } = answer.body as { url: string; origin: string };
    expect(origin).toBe(`http://${hostOf(previewId)}`);
    return new URL(url);
  }

  /** Enters a preview as `token`'s person: the cookie the preview origin sets. */
  async function enter(previewId: string, token: string): Promise<string> {
    const url = await ticketUrl(previewId, token);
    const answer = await preview(hostOf(previewId), `${url.pathname}${url.search}&to=/start`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/start');
    const setCookie = answer.headers['set-cookie']![0]!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).not.toMatch(/Domain=/i);
    return setCookie.split(';')[0]!;
  }

  async function previewOn(port: number): Promise<string> {
    await waitFor(
      () => latest(editor)?.previews.some((p) => p.port === port) === true,
      `a preview of port ${port}`,
      30_000,
    );
    return latest(editor)!.previews.find((p) => p.port === port)!.previewId;
  }

  beforeAll(async () => {
    relay = await startRelay({
      env: {
        TANDEM_WORKSPACE_IDLE_MS: '600000',
        TANDEM_PREVIEW_ANSWER_TIMEOUT_MS: '2000',
        TANDEM_PREVIEW_BODY_MAX_BYTES: String(4 * 1024 * 1024),
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
    await editor.hello();
    editor.send(frameSyncStep1(editor.doc));
    await editor.until(() => filesOf(editor.doc).size > 0, 'the project to arrive');
    editor.change((doc) => addFile(doc, 'server.js', APP));
    await editor.fence();
    viewerToken = await mintToken(relay.url, roomId, owner, { role: 'viewer', name: 'Vic' });
    const viewer = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, viewerToken));
    viewerId = (await viewer.hello()).userId;
    viewer.close();
  }, 120_000);

  afterAll(async () => {
    editor?.close();
    await runner?.stop();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('starts the dev server (and the workspace with it); its port becomes a preview everyone is told of', async () => {
    send(editor, { type: MessageType.DevServerStart, command: 'node server.js 3000' });
    const previewId = await previewOn(3000);
    expect(previewId).toMatch(/^[a-z0-9]{20}$/);
    const status = latest(editor)!;
    expect(status.devServer).toMatchObject({
      command: 'node server.js 3000',
      state: 'running',
      startedBy: 'Owner',
    });
    // The dev server is not listed among the shells: it is a terminal of its own.
    expect(status.shells.map((s) => s.shellId)).not.toContain(status.devServer!.shellId);
  }, 90_000);

  it('serves the app on its own origin to whoever entered with a ticket, and to no one else', async () => {
    const previewId = await previewOn(3000);
    const host = hostOf(previewId);
    expect((await preview(host, '/')).status).toBe(403);
    const cookie = await enter(previewId, viewerToken);
    const page = await preview(host, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe('<h1>hello from the workspace</h1>');
    expect(page.headers['content-type']).toBe('text/html');
    // The preview origin's looser set: only the editor frames it, no other site loads its files.
    expect(page.headers['content-security-policy']).toMatch(/^frame-ancestors http:\/\/localhost:\d+ /);
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // The app never sees the preview cookie; it sees its own host.
    const seen = JSON.parse(
      (await preview(host, '/headers', { cookie: `${cookie}; theirs=1` })).body.toString(),
    ) as Record<string, string>;
    expect(seen.cookie).toBe('theirs=1');
    expect(seen.host).toBe('localhost:3000');
    // A made-up preview id is unknown; a forged cookie is refused.
    expect((await preview(hostOf('a'.repeat(20)), '/', { cookie })).status).toBe(404);
    expect((await preview(host, '/', { cookie: `${cookie.slice(0, -3)}xyz` })).status).toBe(403);
  }, 60_000);

  it('a ticket works once, and only on its own preview; another room cannot ask for this preview', async () => {
    const previewId = await previewOn(3000);
    const url = await ticketUrl(previewId, owner);
    const path = `${url.pathname}${url.search}`;
    expect((await preview(hostOf('b'.repeat(20)), path)).status).toBe(404);
    expect((await preview(hostOf(previewId), path)).status).toBe(303);
    expect((await preview(hostOf(previewId), path)).status).toBe(403);
    const other = await createRoom(relay.url, { template: 'python' });
    const refused = await request(`${relay.url}/api/rooms/${other.roomId}/previews/${previewId}/ticket`, {
      method: 'POST',
      token: other.token,
    });
    expect(refused.status).toBe(404);
    // And `to` never leaves the origin.
    const again = await ticketUrl(previewId, owner);
    const away = await preview(hostOf(previewId), `${again.pathname}${again.search}&to=//evil.example/x`);
    expect(away.headers.location).toBe('/');
  }, 60_000);

  it('carries request bodies, an 8 MiB answer intact, and upgraded connections both ways', async () => {
    const previewId = await previewOn(3000);
    const host = hostOf(previewId);
    const cookie = await enter(previewId, owner);
    const upload = Buffer.alloc(3 * 1024 * 1024 + 17, 3);
    const echoed = await preview(host, '/echo', { cookie, method: 'POST', body: upload });
    expect(echoed.status).toBe(200);
    expect(echoed.body.equals(upload)).toBe(true);
    // Past TANDEM_PREVIEW_BODY_MAX_BYTES: refused from its declared length, before the app sees it.
    const tooBig = await new Promise<string>((resolve) => {
      const socket = connect(relay.previewPort, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n')) {
          socket.destroy();
          resolve(text.split('\r\n')[0]!);
        }
      });
      socket.write(
        `POST /echo HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`,
      );
    });
    expect(tooBig).toBe('HTTP/1.1 413 Payload Too Large');
    const big = await preview(host, '/big', { cookie });
    expect(big.body.byteLength).toBe(8 * 1024 * 1024);
    expect(createHash('sha256').update(big.body).digest('hex')).toBe(
      createHash('sha256')
        .update(Buffer.alloc(8 * 1024 * 1024, 7))
        .digest('hex'),
    );
    const echo = await upgradeEcho(host, cookie, 'ping through the tunnel');
    expect(echo).toBe('ping through the tunnel');
  }, 60_000);

  it('an app that never answers gets a 504 page; everything else goes on', async () => {
    const previewId = await previewOn(3000);
    const host = hostOf(previewId);
    const cookie = await enter(previewId, owner);
    const hung = preview(host, '/hang', { cookie });
    expect((await preview(host, '/', { cookie })).status).toBe(200);
    const answer = await hung;
    expect(answer.status).toBe(504);
    expect(answer.body.toString()).toContain('port 3000 has not answered');
    expect((await request(`${relay.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('a download nobody reads waits for its reader: other requests go on and the relay holds little of it', async () => {
    const previewId = await previewOn(3000);
    const host = hostOf(previewId);
    const cookie = await enter(previewId, owner);
    const rss = async () => ((await request(`${relay.url}/healthz`)).body as { rssBytes: number }).rssBytes;
    const before = await rss();
    // 64 MiB asked for, its head read, then nothing more.
    const socket = connect(relay.previewPort, '127.0.0.1');
    socket.write(`GET /huge HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\n\r\n`);
    let received = 0;
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.byteLength;
        if (received > 0) {
          socket.pause();
          resolve();
        }
      }),
    );
    for (let i = 0; i < 10; i++) expect((await preview(host, '/', { cookie })).status).toBe(200);
    const echoed = await upgradeEcho(host, cookie, 'still moving');
    expect(echoed).toBe('still moving');
    // What the relay holds of the stalled answer is bounded by the stream's window, not its size.
    expect(await rss()).toBeLessThan(before + 32 * 1024 * 1024);
    socket.destroy();
  }, 60_000);

  it('someone removed from the room loses the preview at once, open connections too', async () => {
    const previewId = await previewOn(3000);
    const host = hostOf(previewId);
    const cookie = await enter(previewId, viewerToken);
    expect((await preview(host, '/', { cookie })).status).toBe(200);
    const socket = await openUpgrade(host, cookie);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const kicked = await request(`${relay.url}/api/rooms/${roomId}/kick`, {
      method: 'POST',
      token: owner,
      body: { userId: viewerId },
    });
    expect(kicked.status).toBeLessThan(300);
    expect((await preview(host, '/', { cookie })).status).toBe(403);
    await closed;
  }, 60_000);

  it('a second port is a second preview, whose cookie is not the first one’s', async () => {
    const first = await previewOn(3000);
    send(editor, { type: MessageType.ShellOpen, cols: 80, rows: 24 });
    await waitFor(() => (latest(editor)?.shells.length ?? 0) > 0, 'a shell');
    const shellId = latest(editor)!.shells[0]!.shellId;
    send(editor, {
      type: MessageType.ShellInput,
      shellId,
      bytes: new TextEncoder().encode('node server.js 3001\n'),
    });
    const second = await previewOn(3001);
    expect(second).not.toBe(first);
    const firstCookie = await enter(first, owner);
    expect((await preview(hostOf(second), '/', { cookie: firstCookie })).status).toBe(403);
    const secondCookie = await enter(second, owner);
    expect((await preview(hostOf(second), '/', { cookie: secondCookie })).status).toBe(200);
    send(editor, { type: MessageType.ShellClose, shellId });
    await waitFor(
      () => latest(editor)?.previews.every((p) => p.port !== 3001) === true,
      'port 3001 gone',
      30_000,
    );
    expect((await preview(hostOf(second), '/', { cookie: secondCookie })).status).toBe(404);
  }, 90_000);

  it('stopping the dev server ends its preview; a crashing one shows its exit and last lines', async () => {
    const previewId = await previewOn(3000);
    send(editor, { type: MessageType.DevServerStop });
    await waitFor(() => latest(editor)?.devServer?.state === 'exited', 'the dev server to end', 30_000);
    await waitFor(() => latest(editor)?.previews.length === 0, 'the preview to go', 30_000);
    expect((await preview(hostOf(previewId), '/')).status).toBe(404);

    send(editor, {
      type: MessageType.DevServerStart,
      command: "node -e \"console.log('booting'); console.error('Error: boom'); process.exit(3)\"",
    });
    await waitFor(
      () => {
        const dev = latest(editor)?.devServer;
        return dev?.command.includes('booting') === true && dev.state === 'exited';
      },
      'the crash to be reported',
      30_000,
    );
    const dev = latest(editor)!.devServer!;
    expect(dev.code).toBe(3);
    expect(dev.lastLines).toContain('Error: boom');
  }, 90_000);

  it('a viewer cannot start or stop the dev server', async () => {
    const token = await mintToken(relay.url, roomId, owner, { role: 'viewer', name: 'Val' });
    const viewer = await RawClient.connect(yjsUrl(relay.wsUrl, roomId, token));
    await viewer.hello();
    send(viewer, { type: MessageType.DevServerStart, command: 'node server.js 3002' });
    await viewer.until(
      () =>
        viewer.frames.some(
          (f) =>
            f.kind === 'tandem' &&
            f.message.type === MessageType.Error &&
            /workspace/.test(f.message.message),
        ),
      'a refusal',
    );
    viewer.close();
    await editor.fence();
    expect(latest(editor)?.devServer?.command).not.toBe('node server.js 3002');
  });

  /** Opens an upgraded connection to the app through the preview listener. */
  function openUpgrade(host: string, cookie: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(relay.previewPort, '127.0.0.1');
      socket.once('error', reject);
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: echo\r\nCookie: ${cookie}\r\n\r\n`,
      );
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head}`));
        const rest = head.slice(end + 4);
        if (rest) socket.unshift(Buffer.from(rest, 'latin1'));
        resolve(socket);
      };
      socket.on('data', onData);
    });
  }

  async function upgradeEcho(host: string, cookie: string, text: string): Promise<string> {
    const socket = await openUpgrade(host, cookie);
    socket.write(text);
    let got = '';
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString();
        if (got.length >= text.length) resolve();
      }),
    );
    socket.destroy();
    return got;
  }
});
