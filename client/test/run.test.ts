/**
 * Runs in the browser, end to end: built client in headless Chromium, a real
 * relay, a real runner on the real Docker engine. An owner runs the project,
 * types stdin and stops a loop; a viewer watches the same output live with no
 * way to run; someone joining later sees the last run and the room's history.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createRoom, startRunner, type RelayProcess, type RunnerProcess } from '../../relay/test/harness.js';
import { encode } from '../../shared/protocol/codec.js';
import { MessageType, PROTOCOL_VERSION } from '../../shared/protocol/table.js';
import type { ImageBuild } from '../../relay/runs/RunnerHub.js';
import { chromiumPath, dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { browserSuite } from './suite.js';
import { TERMINAL_SIZE } from '../../shared/protocol/runs.js';

const skip =
  requireOrSkip('Chromium', chromiumPath() !== null) || requireOrSkip('docker', await dockerAvailable());
/** The page asks for availability every 10 s. */
const AVAILABILITY_WAIT_MS = 15_000;

/** A runner link that serves nothing yet and reports one image build under way. */
async function runnerBuilding(relay: RelayProcess, build: ImageBuild): Promise<WebSocket> {
  const token = readFileSync(join(relay.dataDir, 'runner-token'), 'utf8').trim();
  const ws = new WebSocket(`${relay.wsUrl}/runner`, { headers: { authorization: `Bearer ${token}` } });
  await once(ws, 'open');
  const base = { protocolVersion: PROTOCOL_VERSION, runnerId: 'building', capacity: 1, languages: [] };
  ws.send(encode({ type: MessageType.RunnerHello, ...base }));
  ws.send(encode({ type: MessageType.RunnerStatus, languages: [], preparing: [build] }));
  return ws;
}
const RUN_TIMEOUT_MS = 30_000;

/** The terminal's visible text (xterm.js draws rows as DOM with its own spaces). */
async function output(page: Page): Promise<string> {
  const rows = page.locator('[data-testid=run-output] .xterm-rows');
  if ((await rows.count()) === 0) return '';
  return (await rows.innerText()).replace(/\u00a0/g, ' ');
}

async function waitForOutput(person: Person, ...texts: string[]): Promise<string> {
  const seen = await pollUntil(
    () => output(person.page),
    (text) => texts.every((t) => text.includes(t)),
    RUN_TIMEOUT_MS,
  );
  for (const text of texts) expect(seen, `output on ${person.page.url()}`).toContain(text);
  return seen;
}

/** Replaces main.py as a person would (select all, paste), and waits until `watcher` has it from the relay. */
async function replaceMain(person: Person, watcher: Person, code: string): Promise<void> {
  await person.page.locator('.monaco-editor .view-lines').click();
  await person.page.keyboard.press('Control+A');
  await person.page.keyboard.insertText(code);
  await pollUntil(
    () => docText(watcher.page, 'main.py'),
    (text) => text === code,
  );
}

async function clickRun(person: Person): Promise<void> {
  await person.page.locator('[data-testid=run-button]:not([disabled])').click({ timeout: 15_000 });
}

describe.skipIf(skip)('runs in the browser', () => {
  const suite = browserSuite();
  let runner: RunnerProcess;

  afterAll(async () => {
    await runner?.stop();
  });

  it('says which languages cannot run, and notices when a runner arrives', async () => {
    const room = await createRoom(suite.relay.url, { name: 'No runner', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    suite.people.push(alice);
    await alice.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await waitForEditor(alice.page);
    const unavailable = alice.page.locator('[data-testid=run-button][disabled]');
    await unavailable.waitFor();
    expect(await unavailable.getAttribute('title')).toBe('no runner can run Python right now');
    const goOption = alice.page.locator('select[name=run-language] option[value=go]');
    expect(await goOption.isDisabled()).toBe(true);
    expect(await goOption.getAttribute('title')).toBe('no runner can run Go right now');

    // A runner that is still building the Python image says how far it is.
    const building = await runnerBuilding(suite.relay, {
      family: 'python',
      languages: ['python'],
      percent: 55,
      what: 'installing',
      problem: '',
    });

    // The shortcut still asks the suite.relay, which answers with the reason.
    const before = await docText(alice.page, 'main.py');
    await alice.page.locator('.monaco-editor .view-lines').click();
    await alice.page.keyboard.press('Control+Enter');
    await waitForOutput(alice, 'Language unavailable: no runner can run python right now');
    expect(await docText(alice.page, 'main.py')).toBe(before); // Monaco inserted no line
    // The refusal made the page ask again: the run panel says how far the build is.
    await alice.page
      .getByTestId('run-preparing')
      .filter({ hasText: 'Preparing the Python sandbox… 55% (installing)' })
      .waitFor({ timeout: AVAILABILITY_WAIT_MS });
    building.close();

    runner = await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '1' });
    await alice.page
      .locator('[data-testid=run-button]:not([disabled])')
      .waitFor({ timeout: AVAILABILITY_WAIT_MS });
    expect(alice.errors).toEqual([]);
  }, 60_000);

  it('runs, takes stdin and stops, live for everyone; viewers only watch', async () => {
    runner ??= await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '1' });
    const room = await createRoom(suite.relay.url, { name: 'Runs', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(alice, victor);
    await alice.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await victor.page.goto(room.links.view);
    await Promise.all([waitForEditor(alice.page), waitForEditor(victor.page)]);

    // The viewer has the panel but no Run, Stop or pickers.
    await victor.page.locator('[data-testid=run-panel]').waitFor();
    expect(await victor.page.locator('[data-testid=run-button], [data-testid=run-stop]').count()).toBe(0);
    expect(await victor.page.locator('select[name=run-language]').count()).toBe(0);
    expect(await alice.page.locator('select[name=run-language]').inputValue()).toBe('python');
    expect(await alice.page.locator('select[name=run-entry]').inputValue()).toBe('main.py');

    // Run: both see the header, the output and the exit.
    await clickRun(alice);
    for (const person of [alice, victor]) {
      await waitForOutput(person, '▶ Alice · Python · main.py', 'Hello, Tandem!', 'Exited with code 0');
    }

    // Stdin: the owner types a line, both see the program echo it.
    await replaceMain(alice, victor, 'print("echo: " + input())\n');
    await clickRun(alice);
    const stdin = alice.page.locator('input[name=stdin]:not([disabled])');
    await stdin.waitFor({ timeout: RUN_TIMEOUT_MS });
    expect(await victor.page.locator('input[name=stdin]').count()).toBe(0);
    await stdin.fill('Ada Lovelace');
    await stdin.press('Enter');
    for (const person of [alice, victor]) {
      await waitForOutput(person, 'echo: Ada Lovelace');
      const exits = await pollUntil(
        async () => (await output(person.page)).split('Exited with code 0').length - 1,
        (n) => n === 2,
        RUN_TIMEOUT_MS,
      );
      expect(exits).toBe(2);
      // Everyone sees the line that was typed, not only the typist.
      expect((await output(person.page)).split('\n').map((line) => line.trim())).toContain('Ada Lovelace');
    }

    // What the program writes to stdout and stderr shows in the order it wrote it.
    await replaceMain(
      alice,
      victor,
      'import sys\nprint("out 1")\nprint("err 1", file=sys.stderr)\nprint("out 2")\nraise SystemExit("err 2")\n',
    );
    await clickRun(alice);
    for (const person of [alice, victor]) {
      const seen = await waitForOutput(person, 'err 2', 'Exited with code 1');
      const order = ['out 1', 'err 1', 'out 2', 'err 2'].map((text) => seen.lastIndexOf(text));
      expect(order, seen).toEqual([...order].sort((a, b) => a - b));
    }

    // Stop: a loop that never ends is killed, and both say so.
    await replaceMain(alice, victor, 'while True:\n    pass\n');
    await clickRun(alice);
    await victor.page.locator('[data-testid=run-status]', { hasText: 'Running main.py' }).waitFor();
    await alice.page.locator('[data-testid=run-stop]').click();
    for (const person of [alice, victor]) await waitForOutput(person, 'Stopped after', 'killed');
    await alice.page.locator('[data-testid=run-button]').waitFor();

    // Someone joining now sees the last run, and the room's recent runs.
    const late = await newPerson(suite.browser, 'Lena');
    suite.people.push(late);
    await late.page.goto(room.links.view);
    await waitForEditor(late.page);
    await waitForOutput(late, '▶ Alice · Python · main.py', 'last run', 'killed');
    await late.page.locator('[data-testid=run-history-toggle]').click();
    const items = late.page.locator('[data-testid=run-history] .run-history-item');
    await pollUntil(
      () => items.count(),
      (n) => n === 4,
    );
    expect(await items.count()).toBe(4);
    await items.nth(2).click();
    await waitForOutput(late, 'echo: Ada Lovelace', 'earlier run');

    for (const person of [alice, victor, late]) expect(person.errors, person.page.url()).toEqual([]);
  }, 180_000);

  it('a shared terminal: the editor types into a Python REPL, the viewer watches and cannot type', async () => {
    runner ??= await startRunner(suite.relay, { TANDEM_RUNNER_POOL_SIZE: '1' });
    const room = await createRoom(suite.relay.url, { name: 'REPL', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(alice, victor);
    await alice.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await victor.page.goto(room.links.view);
    await Promise.all([waitForEditor(alice.page), waitForEditor(victor.page)]);
    expect(await victor.page.locator('[data-testid=terminal-button]').count()).toBe(0);

    await alice.page.locator('[data-testid=terminal-button]:not([disabled])').click({ timeout: 15_000 });
    // The template's entry runs first, then the prompt; both pages show it.
    for (const person of [alice, victor]) await waitForOutput(person, 'Hello, Tandem!', '>>>');
    await alice.page.locator('[data-testid=run-output] .xterm').click();
    await alice.page.keyboard.type('greet("pair") * 2\r');
    for (const person of [alice, victor]) await waitForOutput(person, 'Hello, pair!Hello, pair!');

    // The viewer's keystrokes go nowhere.
    await victor.page.locator('[data-testid=run-output] .xterm').click();
    await victor.page.keyboard.type('print("viewer was here")\r');
    await alice.page.keyboard.type('print(6 * 7)\r');
    for (const person of [alice, victor]) await waitForOutput(person, '42');
    expect(await output(alice.page)).not.toContain('viewer was here');

    // One screen size for everyone, whatever their window: a line the program
    // drew 99 wide stays one line on a narrow page too (it scrolls instead).
    await victor.page.setViewportSize({ width: 900, height: 800 });
    await alice.page.keyboard.type('print("x" * 99)\r');
    for (const person of [alice, victor]) await waitForOutput(person, 'x'.repeat(99));
    expect(await victor.page.getByTestId('run-output').getAttribute('data-cols')).toBe(
      String(TERMINAL_SIZE.cols),
    );

    // A panel shorter than the terminal's 30 rows scrolls, and follows the prompt down.
    await alice.page.setViewportSize({ width: 1280, height: 560 });
    await alice.page.keyboard.type('for i in range(40): print("line", i)\r\r');
    await waitForOutput(alice, 'line 39');
    const promptInView = await pollUntil(
      () =>
        alice.page.getByTestId('run-output').evaluate((box) => {
          const rows = [...box.querySelectorAll('.xterm-rows > div')].filter((row) =>
            (row.textContent ?? '').startsWith('>>>'),
          );
          const last = rows.at(-1)?.getBoundingClientRect();
          const view = box.getBoundingClientRect();
          return (
            box.scrollHeight > box.clientHeight &&
            last !== undefined &&
            last.bottom <= view.bottom + 1 &&
            last.top >= view.top - 1
          );
        }),
      (inView) => inView,
    );
    expect(promptInView).toBe(true);

    // Ctrl-D ends the REPL like in any terminal.
    await alice.page.keyboard.press('Control+D');
    for (const person of [alice, victor]) await waitForOutput(person, 'Exited with code 0');
    for (const person of [alice, victor]) expect(person.errors, person.page.url()).toEqual([]);
  }, 120_000);
});
