/**
 * Live previews in the browser: the built client in headless Chromium, a real
 * relay, a real runner on Docker. The owner starts the dev server from the run
 * bar (`python3 -m http.server 8000`, guessed from index.html); the page it
 * serves shows in the preview pane, on an origin of its own. The page's own
 * script probes what it can reach of the editor (storage, cookies, the parent
 * window) and reports it; another person sees the same page; a browser with no
 * ticket, or a made-up preview, is turned away; Reload shows an edited file.
 */
import { request as httpRequest } from 'node:http';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFile, addFile } from '../../shared/schema/project.js';
import { RawClient, frameSyncStep1, request, yjsUrl } from '../../relay/test/clients.js';
import { createRoom, startRunner, type CreatedRoom, type RunnerProcess } from '../../relay/test/harness.js';
import { chromiumPath, dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { browserSuite } from './suite.js';

const skip =
  requireOrSkip('Chromium', chromiumPath() !== null) || requireOrSkip('docker', await dockerAvailable());
const WAIT_MS = 60_000;
const HEADING = 'Preview works';
const EDITED_HEADING = 'Preview reloaded';

/** The app: a heading, and a script that reports what this origin can reach of the editor's. */
const INDEX_HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Preview probe</title></head>
<body>
<h1>${HEADING}</h1>
<pre id="report"></pre>
<script>
  function attempt(read) {
    try { return { value: read() }; } catch (error) { return { error: error.name }; }
  }
  const report = {
    origin: location.origin,
    canary: attempt(() => localStorage.getItem('canary')),
    storageKeys: attempt(() => Object.keys(localStorage)),
    cookie: attempt(() => document.cookie),
    referrer: document.referrer,
    parentStorage: attempt(() => window.parent.localStorage.getItem('canary')),
    parentDocument: attempt(() => window.parent.document.title),
    parentLocation: attempt(() => window.parent.location.href),
    topDocument: attempt(() => window.top.document.cookie),
    hasOpener: window.opener !== null,
  };
  document.getElementById('report').textContent = JSON.stringify(report);
</script>
</body>
</html>
`;

interface Attempt<T> {
  value?: T;
  error?: string;
}
interface Report {
  origin: string;
  canary: Attempt<string | null>;
  storageKeys: Attempt<string[]>;
  cookie: Attempt<string>;
  referrer: string;
  parentStorage: Attempt<string | null>;
  parentDocument: Attempt<string>;
  parentLocation: Attempt<string>;
  topDocument: Attempt<string>;
  hasOpener: boolean;
}

const paneFrame = (page: Page): FrameLocator => page.frameLocator('[data-testid=preview-frame]');

async function waitForHeading(page: Page, text: string): Promise<void> {
  await paneFrame(page).getByRole('heading', { name: text, exact: true }).waitFor({ timeout: WAIT_MS });
}

/** The preview frame's document (Playwright's Frame, to evaluate in and read its URL). */
async function previewDocument(page: Page): Promise<Frame> {
  const handle = await page.locator('[data-testid=preview-frame]').elementHandle();
  const frame = await handle!.contentFrame();
  return frame!;
}

/** A GET to the preview listener as a browser on `host` would make it (Node's http sets Host as given). */
function previewGet(
  port: number,
  host: string,
  path: string,
  cookie?: string,
): Promise<{ status: number; setCookie: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers: { host, ...(cookie ? { cookie } : {}) }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [], body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skip)('live previews in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });
  let runner: RunnerProcess;
  let room: CreatedRoom;
  /** The owner's Yjs socket: writes index.html, later edits it. */
  let socket: RawClient;
  /** The owner stays for the whole file (suite.people are closed after each test). */
  let owner: Person;
  let previewId = '';
  let previewHost = '';

  async function readReport(frame: Frame | Page): Promise<Report> {
    const json = await pollUntil(
      () => frame.locator('#report').innerText(),
      (text) => text !== '',
    );
    return JSON.parse(json) as Report;
  }

  beforeAll(async () => {
    runner = await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
    room = await createRoom(suite.relay.url, { name: 'Preview', template: 'empty' });
    socket = await RawClient.connect(yjsUrl(suite.relay.wsUrl, room.roomId, room.token));
    await socket.hello();
    socket.send(frameSyncStep1(socket.doc));
    await socket.fence();
    socket.change((doc) => addFile(doc, 'index.html', INDEX_HTML));
    await socket.fence();
    owner = await newPerson(suite.browser, 'Olga');
  }, 120_000);

  afterAll(async () => {
    socket?.close();
    await owner?.context.close();
    await runner?.stop();
  });

  it('the owner starts the guessed dev server; the pane shows its page, served in the workspace', async () => {
    const { page } = owner;
    await page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await waitForEditor(page);
    // Canaries on the editor's origin, beside the token the client keeps there.
    await page.evaluate(() => {
      localStorage.setItem('canary', 'editor-secret');
      document.cookie = 'canary=editor-cookie; path=/';
    });
    expect(await page.evaluate((key) => localStorage.getItem(key), `tandem.room.${room.roomId}`)).toContain(
      room.token,
    );

    // A project that runs rather than serves keeps the command folded: the first click opens it.
    expect(await page.getByTestId('dev-server-command').count()).toBe(0);
    await page.getByTestId('dev-server-start').click();
    const command = page.getByTestId('dev-server-command');
    await expect.poll(() => command.inputValue()).toBe('python3 -m http.server 8000');
    await page.getByTestId('dev-server-start').click();

    await page.getByTestId('preview-pane').waitFor({ timeout: WAIT_MS });
    const state = page.getByTestId('preview-state');
    expect(
      await pollUntil(
        () => state.innerText(),
        (text) => text.includes(':8000'),
        WAIT_MS,
      ),
    ).toBe('Listening on :8000');
    await waitForHeading(page, HEADING);

    const src = await page.getByTestId('preview-frame').getAttribute('src');
    const origin = new URL(src!);
    expect(origin.hostname).toMatch(/^[a-z0-9]{20}\.localhost$/);
    expect(origin.port).toBe(String(suite.relay.previewPort));
    previewId = origin.hostname.split('.')[0]!;
    previewHost = origin.host;
    // The frame entered with a one-use ticket and landed on the app's own page.
    expect(new URL((await previewDocument(page)).url()).pathname).toBe('/');
  }, 120_000);

  it('the app runs on an origin of its own: no editor storage or cookies, no reach into the editor page', async () => {
    const framed = await readReport(await previewDocument(owner.page));
    expect(framed.origin).toBe(`http://${previewHost}`);
    // Framed, the app is a third party: its storage is its own (null) or, where the browser
    // blocks third-party storage as this Chromium does, refused. Never the editor's canary.
    expect([{ value: null }, { error: 'SecurityError' }]).toContainEqual(framed.canary);
    expect(framed.storageKeys.value ?? []).toEqual([]);
    // Its cookies: not the editor's, and the preview's own pass is HttpOnly.
    expect(framed.cookie.error).toBeUndefined();
    expect(framed.cookie.value).not.toContain('editor-cookie');
    expect(framed.cookie.value).not.toContain('__tandem_preview');
    // Nothing of the editor's address (whose fragment holds the token) reaches it.
    expect(framed.referrer).not.toContain(room.token);
    // The parent is another origin: every reach into it is refused.
    expect(framed.parentStorage).toEqual({ error: 'SecurityError' });
    expect(framed.parentDocument).toEqual({ error: 'SecurityError' });
    expect(framed.parentLocation).toEqual({ error: 'SecurityError' });
    expect(framed.topDocument).toEqual({ error: 'SecurityError' });

    // In a tab of its own (first party, storage allowed) the app still finds only its own storage.
    const [tab] = await Promise.all([
      owner.context.waitForEvent('page'),
      owner.page.getByTestId('preview-open-tab').click(),
    ]);
    try {
      await tab.getByRole('heading', { name: HEADING, exact: true }).waitFor({ timeout: WAIT_MS });
      expect(new URL(tab.url()).host).toBe(previewHost);
      const alone = await readReport(tab);
      expect(alone.origin).toBe(`http://${previewHost}`);
      expect(alone.canary).toEqual({ value: null });
      expect(alone.storageKeys).toEqual({ value: [] });
      expect(alone.cookie.value).not.toContain('editor-cookie');
      expect(alone.cookie.value).not.toContain('__tandem_preview');
      expect(alone.referrer).not.toContain(room.token);
      // Opened with noopener: no handle back to the editor's window.
      expect(alone.hasOpener).toBe(false);
    } finally {
      await tab.close();
    }

    // The canaries are still where they were put, so the answers above mean something.
    expect(await owner.page.evaluate(() => [localStorage.getItem('canary'), document.cookie])).toEqual([
      'editor-secret',
      expect.stringContaining('canary=editor-cookie'),
    ]);
  }, 90_000);

  it('another person opens the room and sees the same app in their own pane, starting nothing', async () => {
    const bob = await newPerson(suite.browser, 'Bob');
    suite.people.push(bob);
    await bob.page.goto(room.links.edit);
    await waitForEditor(bob.page);
    await waitForHeading(bob.page, HEADING);
    expect(await bob.page.getByTestId('preview-state').innerText()).toBe('Listening on :8000');
    // His own way in (a ticket of his own) to the same origin.
    const src = (await bob.page.getByTestId('preview-frame').getAttribute('src'))!;
    expect(new URL(src).host).toBe(previewHost);
    expect(src).not.toBe(await owner.page.getByTestId('preview-frame').getAttribute('src'));
    // Bob started nothing: the dev server is still the one Olga started, not restarted.
    expect(await bob.page.getByTestId('dev-server-tab').getAttribute('title')).toContain('started by Olga');
  }, 90_000);

  it('a browser with no ticket is refused (403); a made-up preview is unknown (404); a spent ticket is refused', async () => {
    const spentTicket = (await owner.page.getByTestId('preview-frame').getAttribute('src'))!;
    // A stranger's browser: no cookie, no errors watched (the refusals are the point).
    const context = await suite.browser.newContext();
    try {
      const page = await context.newPage();
      const refused = await page.goto(`http://${previewHost}/`);
      expect(refused?.status()).toBe(403);
      expect(await page.locator('body').innerText()).toContain('Open this preview from its room in Tandem.');
      expect(await page.locator('h1').count()).toBe(0);

      const unknown = await page.goto(`http://${'a'.repeat(20)}.localhost:${suite.relay.previewPort}/`);
      expect(unknown?.status()).toBe(404);
      expect(await page.locator('body').innerText()).toContain('This preview does not exist');

      // The frame's address is a ticket already traded for the owner's cookie: worth nothing now.
      const spent = await page.goto(spentTicket);
      expect(spent?.status()).toBe(403);
      expect(await page.locator('body').innerText()).toContain('expired or was used already');
      expect(await context.cookies(`http://${previewHost}/`)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('Reload shows the page as the workspace now serves it, after an edit', async () => {
    socket.change((doc) => {
      const text = findFile(doc, 'index.html')!.text;
      const at = text.toString().indexOf(HEADING);
      text.delete(at, HEADING.length);
      text.insert(at, EDITED_HEADING);
    });
    await socket.fence();

    // Fence: the workspace's copy of index.html has the edit (asked through the preview, as the owner).
    const ticket = await request(`${suite.relay.url}/api/rooms/${room.roomId}/previews/${previewId}/ticket`, {
      method: 'POST',
      token: room.token,
    });
    const enter = new URL((ticket.body as { url: string }).url);
    const entered = await previewGet(
      suite.relay.previewPort,
      previewHost,
      `${enter.pathname}${enter.search}`,
    );
    expect(entered.status).toBe(303);
    const cookie = entered.setCookie[0]!.split(';')[0]!;
    const served = await pollUntil(
      () => previewGet(suite.relay.previewPort, previewHost, '/', cookie),
      (answer) => answer.body.includes(EDITED_HEADING),
      WAIT_MS,
    );
    expect(served.body).toContain(EDITED_HEADING);

    // The pane still shows what it loaded; Reload brings the edit.
    await paneFrame(owner.page).getByRole('heading', { name: HEADING, exact: true }).waitFor();
    await owner.page.getByTestId('preview-reload').click();
    await waitForHeading(owner.page, EDITED_HEADING);
    expect(await owner.page.getByTestId('preview-state').innerText()).toBe('Listening on :8000');
    expect(owner.errors, 'console errors').toEqual([]);
  }, 90_000);
});
