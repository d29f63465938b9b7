/**
 * Python intelligence in the browser from the workspace's pylsp: the built
 * client in headless Chromium, a real relay, a real runner on Docker. Once the
 * workspace runs, `os.` lists `path`, hovering a function shows its signature,
 * and a syntax error is underlined; a viewer hovers and goes to a definition
 * in another file.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSynced } from '../../relay/test/clients.js';
import { createRoom, startRunner, type RunnerProcess } from '../../relay/test/harness.js';
import { addFile } from '../../shared/schema/project.js';
import { chromiumPath, dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { editorValue, newPerson, pollUntil, waitForEditor } from './browser.js';
import { endOfLine } from './rooms.js';
import { caretLine, clickOn, hoverFor, suggestion, suggestUntilListed } from './monacoPage.js';
import { browserSuite } from './suite.js';

const skip =
  requireOrSkip('Chromium', chromiumPath() !== null) || requireOrSkip('docker', await dockerAvailable());
const SHAPES =
  'import math\n\n\ndef area(radius: float) -> float:\n    """The area of a circle."""\n    return math.pi * radius**2\n';

/** A cold pylsp on a busy machine: seconds to start, more for its first completion. */
const LSP_WAIT_MS = 90_000;

/** Starts the workspace from the run panel's Shell button; resolves once it runs and its shell has the keyboard. */
async function startWorkspace(page: Page): Promise<void> {
  await page.locator('[data-testid=shell-button]').click();
  expect(
    await pollUntil(
      () => page.locator('[data-testid=workspace-status]').innerText(),
      (text) => text.startsWith('Workspace running'),
      60_000,
    ),
  ).toMatch(/^Workspace running/);
  await pollUntil(
    () => page.locator('[data-testid=shell-output] .xterm-rows').innerText(),
    (text) => text.includes('$'),
    30_000,
  );
}

describe.skipIf(skip)('code intelligence from the workspace’s language server', () => {
  const suite = browserSuite({ checkConsoleErrors: true });
  let runner: RunnerProcess;

  beforeAll(async () => {
    runner = await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
  }, 60_000);

  afterAll(async () => {
    await runner?.stop();
  });

  it('a pylsp completion in a Python workspace', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Python intel', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    suite.people.push(alice);
    const { page } = alice;
    await page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await waitForEditor(page);
    await page.locator('.tab.active[data-path="main.py"]').waitFor();

    // A shell starts the workspace; it takes the keyboard, then back to the editor.
    await startWorkspace(page);

    // `os.` opens the list by itself; `path` is among os's members.
    await endOfLine(alice, 5);
    await page.keyboard.press('Enter');
    await page.keyboard.type('import os');
    await page.keyboard.press('Enter');
    await page.keyboard.type('os.');
    await suggestUntilListed(page, LSP_WAIT_MS);
    await page.keyboard.type('pa');
    await suggestion(page, 'path').waitFor();
    // os's own members, not words of the file: only the language server knows these.
    await suggestion(page, 'pardir').waitFor();
    // `pat` leaves path first (then pathconf, pathsep): Enter takes it.
    await page.keyboard.type('t');
    await page
      .locator('.suggest-widget.visible .monaco-list-row.focused')
      .getByText('path', { exact: true })
      .waitFor();
    await page.keyboard.press('Enter');
    expect(
      await pollUntil(
        () => editorValue(page),
        (text) => text.includes('\nimport os\nos.path\n'),
      ),
    ).toContain('\nimport os\nos.path\n');

    // Hover on the template's function shows its signature.
    await page.keyboard.press('Escape');
    await hoverFor(page, 'print(greet', 'greet', 'greet(name: str) -> str', LSP_WAIT_MS);

    // A syntax error typed in is underlined (pyflakes, through the room's diagnostics), once
    // the half-typed `os.` of before is no longer one.
    await page.mouse.move(0, 0);
    expect(
      await pollUntil(
        () => page.locator('.squiggly-error').count(),
        (count) => count === 0,
        LSP_WAIT_MS,
      ),
    ).toBe(0);
    await endOfLine(alice, 7);
    await page.keyboard.press('Enter');
    await page.keyboard.type('def broken(:');
    await page.locator('.squiggly-error').first().waitFor({ timeout: LSP_WAIT_MS });
  }, 240_000);

  it('a viewer hovers and goes to a definition in another file', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Shapes', template: 'empty' });
    const writer = await connectSynced(suite.relay.wsUrl, room.roomId, room.token);
    try {
      writer.doc.transact(() => {
        addFile(writer.doc, 'main.py', 'from shapes import area\n\nprint(area(2.0))\n');
        addFile(writer.doc, 'shapes.py', SHAPES);
      });
      const alice = await newPerson(suite.browser, 'Alice');
      const victor = await newPerson(suite.browser, 'Victor');
      suite.people.push(alice, victor);
      await alice.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
      await waitForEditor(alice.page);
      await startWorkspace(alice.page);

      const { page } = victor;
      await page.goto(room.links.view);
      await waitForEditor(page);
      await page.locator('.tree-row[data-path="main.py"]').click();
      await page.locator('.tab.active[data-path="main.py"]').waitFor();
      await hoverFor(page, 'print(area', 'area', 'area(radius: float) -> float', LSP_WAIT_MS);

      // F12 on the call opens shapes.py at the function.
      await page.mouse.move(0, 0);
      await clickOn(page, 'print(area', 'area');
      await page.keyboard.press('F12');
      await page.locator('.tab.active[data-path="shapes.py"]').waitFor({ timeout: LSP_WAIT_MS });
      expect(await editorValue(page)).toBe(SHAPES);
      expect(await caretLine(page)).toBe(4);
    } finally {
      writer.destroy();
    }
  }, 240_000);
});
