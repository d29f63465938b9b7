/**
 * Regenerates docs/screenshot.png: two people in a room, from the real UI, with
 * a run's output (a real runner on Docker) under the editor; then
 * docs/workspace.png: a shell in the room's live workspace, whose new file is
 * in the tree; then docs/history.png: the same session in the history page,
 * coloured by author; then docs/preview.png: a small web app's dev server
 * running in another room's workspace, its page in the preview pane.
 *   node --import tsx client/test/screenshot.ts [--dark] [--out=path.png] [--only=session|preview]
 */
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { addFile } from '../../shared/schema/project.js';
import { RawClient, frameSyncStep1, yjsUrl } from '../../relay/test/clients.js';
import {
  createRoom,
  removeDataDir,
  startRelay,
  startRunner,
  type RelayProcess,
} from '../../relay/test/harness.js';
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
const PREVIEW_OUT = resolve(OUT, '..', 'preview.png');
/** Only one group of shots: `session` (screenshot, workspace, history) or `preview`. */
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length) ?? null;

/** The app in docs/preview.png: a counter, in three files. */
const COUNTER_FILES: Record<string, string> = {
  'index.html': `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Counter</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <main class="card">
    <h1>Counter</h1>
    <output id="count">0</output>
    <div class="buttons">
      <button id="minus" aria-label="Decrease">−</button>
      <button id="plus" aria-label="Increase">+</button>
    </div>
    <p class="hint">Served from the room’s workspace</p>
  </main>
  <script src="app.js"></script>
</body>
</html>
`,
  'style.css': `body {
  margin: 0;
  min-height: 100vh;
  display: grid;
  place-items: center;
  font-family: system-ui, sans-serif;
  background: linear-gradient(135deg, #6d5dfc, #2bb3a3);
}
.card {
  background: white;
  padding: 28px 40px;
  border-radius: 16px;
  text-align: center;
  box-shadow: 0 12px 32px rgb(0 0 0 / 0.2);
}
h1 { margin: 0 0 8px; font-size: 22px; color: #333; }
output { display: block; font-size: 64px; font-weight: 700; color: #6d5dfc; }
.buttons { display: flex; gap: 12px; justify-content: center; margin: 12px 0; }
button {
  width: 48px;
  height: 48px;
  border: none;
  border-radius: 50%;
  font-size: 24px;
  color: white;
  background: #6d5dfc;
  cursor: pointer;
}
.hint { margin: 8px 0 0; font-size: 12px; color: #888; }
`,
  'app.js': `// A counter: + and − change the number shown.
const count = document.getElementById('count');
const plus = document.getElementById('plus');
const minus = document.getElementById('minus');
let value = 0;

function show() {
  count.textContent = String(value);
}

plus.addEventListener('click', () => {
  value += 1;
  show();
});
minus.addEventListener('click', () => {
  value -= 1;
  show();
});
`,
};

await ensureClientBuilt();
const relay = await startRelay();
const runner = await startRunner(relay, { TANDEM_RUNNER_POOL_SIZE: '1' }, { workspaces: true });
const browser = await launchChromium();
try {
  if (only === null || only === 'session') await sessionShots(relay, browser);
  if (only === null || only === 'preview') await previewShot(relay, browser);
} finally {
  await browser.close();
  await runner.stop();
  await relay.stop();
  removeDataDir(relay.dataDir);
}

/** docs/screenshot.png, docs/workspace.png and docs/history.png, from one session. */
async function sessionShots(relay: RelayProcess, browser: Browser): Promise<void> {
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
}

/** docs/preview.png: the counter app's dev server running, its page in the preview pane. */
async function previewShot(relay: RelayProcess, browser: Browser): Promise<void> {
  const room = await createRoom(relay.url, { name: 'Counter app', template: 'empty' });
  // The files go in over the room's socket: typed into Monaco, HTML would gain auto-closed tags.
  const socket = await RawClient.connect(yjsUrl(relay.wsUrl, room.roomId, room.token));
  try {
    await socket.hello();
    socket.send(frameSyncStep1(socket.doc));
    await socket.fence();
    socket.change((doc) => {
      for (const [path, text] of Object.entries(COUNTER_FILES)) addFile(doc, path, text);
    });
    await socket.fence();
  } finally {
    socket.close();
  }
  const alice = await newPerson(browser, 'Alice Martin');
  const bob = await newPerson(browser, 'Bob Chen');
  if (dark) await alice.context.addInitScript(() => localStorage.setItem('tandem.theme', 'dark'));
  // Wider than the other shots: the preview takes half of the centre, and at 1280 px the run
  // bar of a JavaScript project overflows (its status covers the Dev server button).
  await alice.page.setViewportSize({ width: 1600, height: 900 });
  await alice.page.goto(`${relay.url}/r/${room.roomId}#token=${room.token}`);
  await bob.page.goto(room.links.edit);
  await Promise.all([waitForEditor(alice.page), waitForEditor(bob.page)]);
  for (const person of [alice, bob]) {
    await person.page.locator('.tree-row[data-path="app.js"]').click();
    await person.page.locator('.tab.active[data-path="app.js"]').waitFor();
  }

  await alice.page.getByTestId('dev-server-start').click(); // opens the command
  await alice.page.getByTestId('dev-server-command').waitFor();
  await alice.page.getByTestId('dev-server-start').click();
  await alice.page.getByTestId('preview-state').filter({ hasText: 'Listening on :8000' }).waitFor({
    timeout: 60_000,
  });
  const app = alice.page.frameLocator('[data-testid=preview-frame]');
  await app.getByRole('heading', { name: 'Counter' }).waitFor({ timeout: 30_000 });
  for (let i = 0; i < 3; i++) await app.getByRole('button', { name: 'Increase' }).click();
  await app.locator('#count', { hasText: '3' }).waitFor();
  // The dev server's log has the requests the page made.
  await alice.page
    .locator('[data-testid=shell-output] .xterm-rows', { hasText: 'GET /app.js' })
    .waitFor({ timeout: 30_000 });
  await endOfLine(bob, 5);
  await alice.page.locator('[data-testid=editor] .view-lines').click();
  await alice.page.waitForTimeout(800);
  await alice.page.screenshot({ path: PREVIEW_OUT });
  console.log(`wrote ${PREVIEW_OUT}`);
}
