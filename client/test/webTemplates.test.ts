/**
 * Web templates in the browser: the built client in headless Chromium, a real
 * relay, a real runner on Docker. A room made from the React template opens
 * with its dev server started by the owner's page (nothing clicked) and the
 * app in the preview pane; an edit typed in the editor reaches the framed app
 * by hot reload (its state and window kept); a second person sees the same
 * app and starts nothing; Ctrl+Enter restarts the dev server instead of
 * running a file. The Express template's page shows what its API answers.
 *
 * A viewer's raw socket on the React room watches every workspaceStatus the
 * relay sends, so "started nothing" is read from the relay, not the page.
 */
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType, type WorkspacePayload } from '../../shared/protocol/table.js';
import { chatOf } from '../../shared/schema/project.js';
import { findTemplate } from '../../shared/schema/templates.js';
import { RawClient, frameSyncStep1, yjsUrl } from '../../relay/test/clients.js';
import {
  createRoom,
  mintToken,
  startRunner,
  type CreatedRoom,
  type RunnerProcess,
} from '../../relay/test/harness.js';
import { chromiumPath, dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { editorValue, newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { browserSuite } from './suite.js';

const skip =
  requireOrSkip('Chromium', chromiumPath() !== null) || requireOrSkip('docker', await dockerAvailable());
/** npm install from the image's cache (about 5 s), then Vite or node starting. */
const START_MS = 90_000;
const WAIT_MS = 30_000;
const REACT_DEV = findTemplate('react')!.dev!;
const REACT_HEADING = 'Hello from React';
const EDITED_HEADING = 'Hello from Tandem';

type DevServer = NonNullable<WorkspacePayload['devServer']>;

const paneFrame = (page: Page): FrameLocator => page.frameLocator('[data-testid=preview-frame]');

async function waitForHeading(page: Page, text: string, timeout = WAIT_MS): Promise<void> {
  await paneFrame(page).getByRole('heading', { name: text, exact: true }).waitFor({ timeout });
}

/** The preview frame's document (Playwright's Frame, to evaluate in). */
async function previewDocument(page: Page): Promise<Frame> {
  const handle = await page.locator('[data-testid=preview-frame]').elementHandle();
  return (await handle!.contentFrame())!;
}

/** The framed app's heading, once the frame holds a page without the marker set on an earlier one. */
async function freshHeading(page: Page): Promise<string | null> {
  const handle = await page.$('[data-testid=preview-frame]');
  const frame = await handle?.contentFrame();
  if (!frame) return null;
  try {
    return await frame.evaluate(() =>
      (window as { marker?: number }).marker === undefined
        ? (document.querySelector('h1')?.textContent ?? null)
        : null,
    );
  } catch {
    return null; // the frame navigated meanwhile
  }
}

const counter = (frame: Frame) => frame.getByRole('button', { name: /^Clicked \d+ times$/ });

describe.skipIf(skip)('web templates in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });
  let runner: RunnerProcess;
  let react: CreatedRoom;
  /** A viewer's socket on the React room: every workspaceStatus, and the chat as a fence. */
  let watcher: RawClient;
  /** The owner stays for the whole file (suite.people are closed after each test). */
  let owner: Person;

  /** Every dev server the relay reported to the watcher, in order (null: none). */
  const devServers = (): (DevServer | null)[] =>
    watcher.frames.flatMap((f) =>
      f.kind === 'tandem' && f.message.type === MessageType.WorkspaceStatus ? [f.message.devServer] : [],
    );
  const lastDevServer = () => devServers().at(-1) ?? null;
  /** The distinct dev servers (terminals) the relay reported. */
  const devShellIds = () => [...new Set(devServers().flatMap((dev) => (dev ? [dev.shellId] : [])))];

  beforeAll(async () => {
    runner = await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
    react = await createRoom(suite.relay.url, { name: 'React app', template: 'react', ownerName: 'Olga' });
    const viewerToken = await mintToken(suite.relay.url, react.roomId, react.token, {
      role: 'viewer',
      name: 'Watcher',
    });
    watcher = await RawClient.connect(yjsUrl(suite.relay.wsUrl, react.roomId, viewerToken));
    await watcher.hello();
    watcher.send(frameSyncStep1(watcher.doc));
    await watcher.fence();
    owner = await newPerson(suite.browser, 'Olga');
  }, 120_000);

  afterAll(async () => {
    watcher?.close();
    await owner?.context.close();
    await runner?.stop();
  });

  it('the React room opens with its dev server and the app in the pane; an edit typed in App.jsx hot-reloads it, state kept', async () => {
    const { page } = owner;
    expect(devServers()).toEqual([]);
    await page.goto(`${suite.relay.url}/r/${react.roomId}#token=${react.token}`);
    await waitForEditor(page);

    // Nothing clicked: the owner's page started the room's dev command, and the pane shows the app.
    await waitForHeading(page, REACT_HEADING, START_MS);
    expect(lastDevServer()).toMatchObject({ command: REACT_DEV, startedBy: 'Olga', state: 'running' });
    expect(devShellIds()).toEqual([lastDevServer()!.shellId]);
    expect(await page.getByTestId('preview-state').innerText()).toBe('Listening on :5173');
    // The run bar's main action is the dev server (its command editable), not running a file.
    expect(await page.getByTestId('run-button').count()).toBe(0);
    expect(await page.getByTestId('dev-server-command').inputValue()).toBe(REACT_DEV);
    const start = page.getByTestId('dev-server-start');
    expect(await start.getAttribute('class')).toContain('primary');
    expect(await start.innerText()).toContain('Restart');

    const frame = await previewDocument(page);
    await counter(frame).click();
    await frame.getByRole('button', { name: 'Clicked 1 times', exact: true }).waitFor({ timeout: WAIT_MS });
    await frame.evaluate(() => {
      (window as { marker?: number }).marker = 1;
    });

    // Open App.jsx from the tree, select the heading's text in the editor and type over it.
    await page.locator('.tree-row[data-path="src/App.jsx"]').click();
    await pollUntil(
      () => editorValue(page),
      (text) => text.includes(REACT_HEADING),
    );
    await page.evaluate((heading) => {
      type Position = { lineNumber: number; column: number };
      const editor = (
        window as unknown as {
          tandem: {
            editor: {
              getModel(): { getValue(): string; getPositionAt(offset: number): Position };
              setSelection(range: object): void;
              focus(): void;
            };
          };
        }
      ).tandem.editor;
      const model = editor.getModel();
      const at = model.getValue().indexOf(heading);
      const from = model.getPositionAt(at);
      const to = model.getPositionAt(at + heading.length);
      editor.setSelection({
        startLineNumber: from.lineNumber,
        startColumn: from.column,
        endLineNumber: to.lineNumber,
        endColumn: to.column,
      });
      editor.focus();
    }, REACT_HEADING);
    // One edit, as a paste: a burst of keystrokes at machine speed can leave Vite's watcher a
    // change behind until the next edit (README), which is not what this test is about.
    await page.keyboard.insertText(EDITED_HEADING);

    // The framed app shows the edit without a reload: React Fast Refresh kept the count, the window kept the marker.
    await frame.getByRole('heading', { name: EDITED_HEADING, exact: true }).waitFor({ timeout: WAIT_MS });
    expect(await counter(frame).innerText()).toBe('Clicked 1 times');
    expect(await frame.evaluate(() => (window as { marker?: number }).marker)).toBe(1);
    // The dev server is the one the page started: the edit restarted nothing.
    expect(devShellIds()).toHaveLength(1);
  }, 180_000);

  it('another person opening the React room sees the same app and starts no second dev server', async () => {
    const before = lastDevServer()!;
    const seen = devServers().length;
    const bob = await newPerson(suite.browser, 'Bob');
    suite.people.push(bob);
    await bob.page.goto(react.links.edit);
    await waitForEditor(bob.page);
    await waitForHeading(bob.page, EDITED_HEADING);
    expect(await bob.page.getByTestId('preview-state').innerText()).toBe('Listening on :5173');

    // Bob's page decides once the relay answered its hello; a chat line sent after that decision
    // goes down the same socket, and the relay handles a socket's messages in order: once the
    // watcher has the line, a dev server start from Bob's page would have reached it first.
    await pollUntil(
      () =>
        bob.page.evaluate(
          () =>
            (window as unknown as { tandem: { conn: { greeted: { value: boolean } } } }).tandem.conn.greeted
              .value,
        ),
      (greeted) => greeted,
    );
    await bob.page.locator('input[name=chat]').fill('the fence');
    await bob.page.locator('input[name=chat]').press('Enter');
    await watcher.until(
      () =>
        chatOf(watcher.doc)
          .toArray()
          .some((entry) => (entry as { text?: string }).text === 'the fence'),
      'Bob’s chat line',
      WAIT_MS,
    );
    expect(
      devServers()
        .slice(seen)
        .every((dev) => dev?.shellId === before.shellId),
    ).toBe(true);
    expect(lastDevServer()).toMatchObject({
      shellId: before.shellId,
      startedBy: 'Olga',
      command: REACT_DEV,
      state: 'running',
    });
  }, 120_000);

  it('Ctrl+Enter in the editor of a web project restarts the dev server rather than running a file', async () => {
    const { page } = owner;
    const before = lastDevServer()!;
    // The app as the old server served it: marked, so a page of the new one can be told apart.
    const old = await previewDocument(page);
    await old.evaluate(() => {
      (window as { marker?: number }).marker = 2;
    });
    await page.locator('[data-testid=editor] .view-lines').click();
    await page.keyboard.press('Control+Enter');
    const restarted = await pollUntil(
      async () => lastDevServer(),
      (dev) => dev !== null && dev.shellId !== before.shellId && dev.state === 'running',
      WAIT_MS,
    );
    expect(restarted).toMatchObject({ command: REACT_DEV, startedBy: 'Olga', state: 'running' });
    // No file ran: the run bar still offers the shortcut, for the dev server.
    expect(await page.getByTestId('run-status').innerText()).toContain('restarts the dev server');
    // The pane comes back with the new server's page.
    const fresh = await pollUntil(
      () => freshHeading(page),
      (heading) => heading === EDITED_HEADING,
      START_MS,
    );
    expect(fresh).toBe(EDITED_HEADING);
    expect(owner.errors, 'console errors').toEqual([]);
  }, 180_000);

  it('the Express room opens with its server: the pane shows public/index.html and what /api/hello answers', async () => {
    const express = await createRoom(suite.relay.url, { name: 'Express app', template: 'express' });
    const carol = await newPerson(suite.browser, 'Carol');
    suite.people.push(carol);
    await carol.page.goto(express.links.edit);
    await waitForEditor(carol.page);
    await waitForHeading(carol.page, 'Express', START_MS);
    await paneFrame(carol.page)
      .locator('#answer', { hasText: 'Hello from Express' })
      .waitFor({ timeout: WAIT_MS });
    expect(await carol.page.getByTestId('preview-state').innerText()).toBe('Listening on :3000');
  }, 180_000);
});
