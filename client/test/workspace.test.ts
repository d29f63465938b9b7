/**
 * The live workspace in the browser: built client in headless Chromium, a real
 * relay, a real runner on Docker. Bob types in the editor; Alice opens a shell
 * and `cat`s the file; a command's new file appears in Bob's tree; the shell
 * view follows output past the panel's height; a viewer watches without a keyboard.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startRunner, type RunnerProcess } from '../../relay/test/harness.js';
import { chromiumPath, dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, pollUntil, waitForEditor } from './browser.js';
import { endOfLine, openPair } from './rooms.js';
import { browserSuite } from './suite.js';

const skip =
  requireOrSkip('Chromium', chromiumPath() !== null) || requireOrSkip('docker', await dockerAvailable());
const WAIT_MS = 30_000;

/** The shell's visible rows (xterm.js draws rows as DOM with its own spaces). */
async function shellScreen(page: Page): Promise<string> {
  const rows = page.locator('[data-testid=shell-output] .xterm-rows');
  if ((await rows.count()) === 0) return '';
  return (await rows.innerText()).replace(/\u00a0/g, ' ');
}

async function typeInShell(page: Page, text: string): Promise<void> {
  await page.locator('[data-testid=shell-output] .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe.skipIf(skip)('the live workspace in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });
  let runner: RunnerProcess;

  afterAll(async () => {
    await runner?.stop();
  });

  it('one types in the editor, the other cats the file in a shared shell; a command’s file reaches the editor', async () => {
    runner = await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '0' }, { workspaces: true });
    const { room, alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(victor);
    await victor.page.goto(room.links.view);
    await waitForEditor(victor.page);

    // Bob types a line at the end of main.py.
    await endOfLine(bob, 5);
    await bob.page.keyboard.press('Enter');
    await bob.page.keyboard.type('# from Bob in the editor');
    expect(
      await pollUntil(
        () => docText(alice.page, 'main.py'),
        (text) => text?.includes('# from Bob in the editor') === true,
      ),
    ).toContain('# from Bob in the editor');

    // Alice opens a shell: the workspace starts, the shell comes to the front for her.
    await alice.page.locator('[data-testid=shell-button]').click();
    await alice.page.locator('[data-testid=shell-output] .xterm-rows').waitFor({ timeout: WAIT_MS });
    expect(
      await pollUntil(
        () => alice.page.locator('[data-testid=workspace-status]').innerText(),
        (text) => text.startsWith('Workspace running'),
        WAIT_MS,
      ),
    ).toMatch(/^Workspace running.*opened by Alice/);
    await typeInShell(alice.page, 'cat main.py');
    expect(
      await pollUntil(
        () => shellScreen(alice.page),
        (text) => text.includes('# from Bob in the editor'),
        WAIT_MS,
      ),
    ).toContain('# from Bob in the editor');

    // The viewer sees the shell's tab and its output, with no keyboard and no controls.
    await victor.page.locator('[data-testid=shell-tab]').click();
    expect(
      await pollUntil(
        () => shellScreen(victor.page),
        (text) => text.includes('# from Bob in the editor'),
        WAIT_MS,
      ),
    ).toContain('# from Bob in the editor');
    expect(await victor.page.locator('[data-testid=shell-open], [data-testid=workspace-stop]').count()).toBe(
      0,
    );

    // A command's file arrives in Bob's editor as an ordinary file.
    await typeInShell(alice.page, 'echo "made in the shell" > from-shell.txt');
    expect(
      await pollUntil(
        () => docText(bob.page, 'from-shell.txt'),
        (text) => text === 'made in the shell\n',
        WAIT_MS,
      ),
    ).toBe('made in the shell\n');
    await bob.page.getByRole('tree', { name: 'Files' }).getByText('from-shell.txt').waitFor();

    // Output longer than the panel: the prompt after it stays in view.
    await typeInShell(alice.page, 'seq 1 200; echo END-OF-SEQ');
    const screen = await pollUntil(
      () => shellScreen(alice.page),
      (text) => /END-OF-SEQ\s*\n.*\$/.test(text),
      WAIT_MS,
    );
    expect(screen).toMatch(/\n200\s*\nEND-OF-SEQ\s*\n.*\$/);
  }, 120_000);
});
