/**
 * Regenerates docs/screenshot.png: two people in a room, from the real UI, with
 * a run's output (a real runner on Docker) under the editor; then
 * docs/workspace.png: a shell in the room's live workspace, whose new file is
 * in the tree; then docs/history.png: the same session in the history page,
 * coloured by author.
 *   node --import tsx client/test/screenshot.ts [--dark] [--out=path.png]
 */
import { resolve } from 'node:path';
import { createRoom, removeDataDir, startRelay, startRunner } from '../../relay/test/harness.js';
import { ensureClientBuilt } from './builtClient.js';
import { launchChromium, newPerson, waitForEditor } from './browser.js';
import { endOfLine, newFile } from './rooms.js';

const outArg = process.argv.find((arg) => arg.startsWith('--out='));
const OUT = outArg
  ? resolve(outArg.slice('--out='.length))
  : resolve(import.meta.dirname, '../../docs/screenshot.png');
const dark = process.argv.includes('--dark');
const HISTORY_OUT = resolve(OUT, '..', 'history.png');
const WORKSPACE_OUT = resolve(OUT, '..', 'workspace.png');

await ensureClientBuilt();
const relay = await startRelay();
const runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '1' }, { workspaces: true });
const browser = await launchChromium();
try {
  const room = await createRoom(relay.url, { name: 'Interview prep', template: 'python' });
  const alice = await newPerson(browser, 'Alice Martin');
  const bob = await newPerson(browser, 'Bob Chen');
  if (dark) await alice.context.addInitScript(() => localStorage.setItem('tandem.theme', 'dark'));
  await alice.page.goto(`${relay.url}/r/${room.roomId}#token=${room.token}`);
  await bob.page.goto(room.links.edit);
  await Promise.all([waitForEditor(alice.page), waitForEditor(bob.page)]);

  await newFile(bob, 'test_main.py');
  await bob.page.waitForTimeout(300);
  await bob.page.keyboard.type(
    'from main import greet\n\n\ndef test_greet():\n    assert greet("Ada") == "Hello, Ada!"\n',
  );
  await bob.page.locator('.tree-row[data-path="main.py"]').click();
  await endOfLine(bob, 2);
  await bob.page.keyboard.press('Shift+Home');

  await endOfLine(alice, 5);
  await alice.page.keyboard.insertText('\n\nfor name in ["Ada", "Grace", "Linus"]:\n    print(greet(name))');
  await alice.page.keyboard.press('Control+End');
  await alice.page.keyboard.insertText('print("greeted 3 people", file=sys.stderr)');
  await alice.page.keyboard.press('Control+Home');
  await alice.page.keyboard.insertText('import sys\n\n\n');
  await bob.page.locator('input[name=chat]').fill('I added a test for greet()');
  await bob.page.keyboard.press('Enter');
  await alice.page.locator('input[name=chat]').fill('Nice, running it next');
  await alice.page.keyboard.press('Enter');
  await alice.page.waitForTimeout(500);
  await alice.page.locator('[data-testid=run-button]:not([disabled])').click({ timeout: 15_000 });
  await alice.page
    .locator('[data-testid=run-output] .xterm-rows', { hasText: 'Exited with code' })
    .waitFor({ timeout: 30_000 });
  await alice.page.waitForTimeout(1000);
  await alice.page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);

  await alice.page.getByTestId('shell-button').click();
  const shell = alice.page.locator('[data-testid=shell-output] .xterm-rows');
  await shell.waitFor({ timeout: 30_000 });
  await alice.page.locator('[data-testid=workspace-status]', { hasText: 'Workspace running' }).waitFor();
  await alice.page.locator('[data-testid=shell-output] .xterm-helper-textarea').focus();
  await alice.page.keyboard.type(
    'python3 main.py > greetings.txt && git init -q && git add -A && git status --short\n',
  );
  await alice.page.locator('.tree-row[data-path="greetings.txt"]').waitFor({ timeout: 30_000 });
  await shell.filter({ hasText: 'A  greetings.txt' }).waitFor({ timeout: 30_000 });
  await alice.page.waitForTimeout(5500); // the memory and CPU figures arrive every 5 s
  await alice.page.screenshot({ path: WORKSPACE_OUT });
  console.log(`wrote ${WORKSPACE_OUT}`);

  await alice.page.getByTestId('history').click();
  await alice.page.getByTestId('replay-path').waitFor({ timeout: 30_000 });
  await alice.page.locator('.tree-row[data-path="main.py"]').click();
  await alice.page.getByTestId('authors-toggle').click();
  await alice.page.getByTestId('authors-legend').locator('li[data-name="Alice Martin"]').waitFor();
  await alice.page.waitForTimeout(800);
  await alice.page.screenshot({ path: HISTORY_OUT });
  console.log(`wrote ${HISTORY_OUT}`);
} finally {
  await browser.close();
  await runner.stop();
  await relay.stop();
  removeDataDir(relay.dataDir);
}
