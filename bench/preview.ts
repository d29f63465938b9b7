/**
 * Dev servers and previews, on the React + Vite template in a real workspace:
 * - a keystroke in the room (a Yjs edit of src/App.jsx) until headless
 *   Chromium's previewed DOM shows it, through Vite's own HMR over the
 *   preview's WebSocket (the page is never reloaded: a marker on its window
 *   survives every edit);
 * - a request through the preview origin (relay, runner link, runner,
 *   forwarder) beside the same request made inside the container;
 * - `npm install` of the template from the image's npm cache, no registry.
 * Browser and host share one clock: the page stamps when the text changed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest, Agent } from 'node:http';
import type * as Y from 'yjs';
import { MessageType } from '../shared/protocol/table.js';
import type { WorkspacePayload } from '../shared/protocol/workspacePayload.js';
import { findFile, filesOf } from '../shared/schema/project.js';
import { plainTerminalText } from '../shared/terminalText.js';
import {
  RawClient,
  frameSyncStep1,
  frameTandem,
  request,
  shellPrinted,
  waitFor,
  workspaceStatuses,
  yjsUrl,
} from '../relay/test/clients.js';
import { createRoom, removeDataDir, startRelay, startRunner } from '../relay/test/harness.js';
import { launchChromium } from '../client/test/browser.js';
import { ms, printTable, ratio } from './lib/format.js';
import { summarize } from './lib/stats.js';

const EDITS = 30;
const REQUESTS = 200;
const HEADING = 'Hello from React';
/** Measures `npm install` inside the workspace, then serves. */
const DEV_COMMAND =
  's=$(date +%s%N); npm install --no-audit --no-fund >/dev/null 2>&1; echo "INSTALL_MS=$(( ($(date +%s%N) - s) / 1000000 ))"; npm run dev';
/** In the container: the same GET `REQUESTS` times to the dev server, one after another; p50 in ms. */
const INSIDE = `
const http = require('http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const times = [];
function one(i) {
  if (i === ${REQUESTS}) { times.sort((a, b) => a - b); console.log(times[times.length >> 1]); process.exit(0); }
  const t = performance.now();
  http.get({ host: '127.0.0.1', port: 5173, path: '/src/App.css?direct', agent }, (res) => {
    res.resume(); res.on('end', () => { times.push(performance.now() - t); one(i + 1); });
  });
}
one(0);
`;

type Status = WorkspacePayload & { type: typeof MessageType.WorkspaceStatus };

export async function previewBench(): Promise<void> {
  const relay = await startRelay();
  const runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
  const browser = await launchChromium();
  try {
    const room = await createRoom(relay.url, { template: 'react' });
    const editor = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
    await editor.hello();
    editor.send(frameSyncStep1(editor.doc));
    await editor.until(() => filesOf(editor.doc).size > 0, 'the project');
    const latest = () => workspaceStatuses(editor).at(-1) as Status | undefined;
    editor.send(frameTandem({ type: MessageType.DevServerStart, command: DEV_COMMAND }));
    await waitFor(() => latest()?.previews.some((p) => p.port === 5173) === true, 'Vite listening', 180_000);
    const devShell = latest()!.devServer!.shellId;
    const printed = plainTerminalText(shellPrinted(editor, devShell));
    const installMs = Number(/INSTALL_MS=(\d+)/.exec(printed)?.[1] ?? NaN);
    const previewId = latest()!.previews.find((p) => p.port === 5173)!.previewId;

    // Keystroke -> previewed DOM, by HMR.
    const ticket = async () => {
      const answer = await request(`${relay.url}/api/rooms/${room.roomId}/previews/${previewId}/ticket`, {
        method: 'POST',
        token: room.token,
      });
      return (answer.body as { url: string }).url;
    };
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${await ticket()}&to=/`);
    await page.waitForFunction((text) => document.querySelector('h1')?.textContent === text, HEADING, {
      timeout: 60_000,
    });
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { __seen: typeof seen; __marker: number }).__seen = seen;
      (window as unknown as { __marker: number }).__marker = 1;
      new MutationObserver(() => {
        const text = document.querySelector('h1')?.textContent ?? '';
        seen[text] ??= Date.now();
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const app = findFile(editor.doc, 'src/App.jsx')!.text as Y.Text;
    let current = HEADING;
    const hmr: number[] = [];
    for (let i = 1; i <= EDITS; i++) {
      const next = `Hello from React ${i}`;
      const at = app.toString().indexOf(current);
      const sent = Date.now();
      editor.change(() => {
        app.delete(at, current.length);
        app.insert(at, next);
      });
      await page.waitForFunction(
        (text) => (window as unknown as { __seen: Record<string, number> }).__seen[text] !== undefined,
        next,
        { timeout: 30_000 },
      );
      const shown = await page.evaluate(
        (text) => (window as unknown as { __seen: Record<string, number> }).__seen[text]!,
        next,
      );
      hmr.push(shown - sent);
      current = next;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
    }
    const marker = await page.evaluate(() => (window as unknown as { __marker?: number }).__marker);
    if (marker !== 1) throw new Error('the preview reloaded: HMR did not apply the edits');

    // A request through the preview beside the same one inside the container.
    const cookie = await enterCookie(
      relay.previewPort,
      `${previewId}.localhost:${relay.previewPort}`,
      await ticket(),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const through: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      await get(
        relay.previewPort,
        `${previewId}.localhost:${relay.previewPort}`,
        '/src/App.css?direct',
        cookie,
        agent,
      );
      through.push(performance.now() - started);
    }
    agent.destroy();
    // The runner's own hop: the forwarder's unix socket, from this machine.
    const socketPath = forwarderSocket(5173);
    const direct: number[] = [];
    const socketAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; socketPath && i < REQUESTS; i++) {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          {
            socketPath,
            path: '/src/App.css?direct',
            headers: { host: 'localhost:5173' },
            agent: socketAgent,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve());
          },
        );
        req.on('error', reject);
        req.end();
      });
      direct.push(performance.now() - started);
    }
    socketAgent.destroy();
    const container = execFileSync(
      'docker',
      [
        'ps',
        '-q',
        '--filter',
        `label=tandem.runner.name=test-${relay.port}`,
        '--filter',
        'label=tandem.workspace',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')[0]!;
    const insideP50 = Number(
      execFileSync('docker', ['exec', '-u', '1000:1000', container, 'node', '-e', INSIDE], {
        encoding: 'utf8',
      }).trim(),
    );

    const h = summarize(hmr);
    const t = summarize(through);
    const u = summarize(direct);
    printTable(
      'Preview: keystroke in the room -> previewed DOM by Vite HMR, headless Chromium (ms)',
      ['path', 'samples', 'p50', 'p95', 'max', 'goal p95'],
      [
        [
          'Yjs edit of src/App.jsx -> <h1> changed, no reload',
          h.count,
          ms(h.p50),
          ms(h.p95),
          ms(h.max),
          '1000',
        ],
      ],
    );
    printTable(
      `Preview: one GET of a Vite module, ${REQUESTS} one after another (ms)`,
      ['path', 'samples', 'p50', 'p95', 'p50 vs inside'],
      [
        ['inside the container (node http, keep-alive)', REQUESTS, ms(insideP50), '-', '1.00x'],
        [
          'the forwarder’s unix socket, from the runner’s machine',
          u.count,
          ms(u.p50),
          ms(u.p95),
          ratio(u.p50, insideP50),
        ],
        [
          'through the preview origin (relay, runner, forwarder)',
          t.count,
          ms(t.p50),
          ms(t.p95),
          ratio(t.p50, insideP50),
        ],
      ],
    );
    printTable(
      'Preview: npm install of the React template in the workspace (no registry: the image’s cache)',
      ['step', 'seconds'],
      [['npm install (react, react-dom, vite, @vitejs/plugin-react)', (installMs / 1000).toFixed(1)]],
    );
    await context.close();
    editor.close();
  } finally {
    await browser.close();
    await runner.stop();
    await relay.stop();
    removeDataDir(relay.dataDir);
  }
}

/** The socket the workspace's forwarder listens on for `port` (under the runner's temp folder). */
function forwarderSocket(port: number): string | null {
  for (const root of readdirSync(tmpdir()).filter((name) => name.startsWith('tandem-previews-'))) {
    for (const dir of readdirSync(join(tmpdir(), root))) {
      const path = join(tmpdir(), root, dir, `${port}.sock`);
      if (existsSync(path)) return path;
    }
  }
  return null;
}

function get(
  port: number,
  host: string,
  path: string,
  cookie: string,
  agent?: Agent,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers: { host, cookie }, agent: agent ?? false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function enterCookie(port: number, host: string, ticketUrl: string): Promise<string> {
  const url = new URL(ticketUrl);
  const answer = await get(port, host, `${url.pathname}${url.search}`, '');
  const set = answer.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error(`entering the preview answered ${answer.status} without a cookie`);
  return first.split(';')[0]!;
}
