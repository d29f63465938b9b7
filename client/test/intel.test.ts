/**
 * JavaScript and TypeScript intelligence in the browser, from Monaco's
 * TypeScript worker with the whole project known to it: completions after `.`
 * and on Ctrl+Space (an export of another file among them), signature help, a
 * type error as a squiggle, go to definition into another file, hover, the
 * same reading tools for a viewer, edits, renames and deletions of other files,
 * and the worker loaded only when a JS/TS file opens.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addFile, filesOf } from '../../shared/schema/project.js';
import { connectSynced, type Peer } from '../../relay/test/clients.js';
import { createRoom, type CreatedRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, editorValue, newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { browserSuite } from './suite.js';
import { endOfLine } from './rooms.js';
import { caretLine, clickOn, hoverFor, suggestion } from './monacoPage.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

const UTIL = [
  '/** Twice `n`. */',
  'export function double(n: number): number {',
  '  return n * 2;',
  '}',
  '',
  "export const GREETING = 'Hello';",
  '',
].join('\n');
const MAIN = [
  "import { double } from './util';",
  "import * as util from './util';",
  '',
  'const answer = double(21);',
  'console.log(answer, util.GREETING);',
  '',
].join('\n');

/** The first person's page waits long enough for a cold TypeScript worker on a busy machine. */
const INTEL_TIMEOUT_MS = 60_000;

describe.skipIf(skip)('JavaScript and TypeScript intelligence', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  /** A TypeScript project of two files, main.ts importing util.ts, and a collaborator connected to it. */
  async function twoFileProject(): Promise<{ room: CreatedRoom; writer: Peer }> {
    const room = await createRoom(suite.relay.url, { name: 'Intel', template: 'empty' });
    const writer = await connectSynced(suite.relay.wsUrl, room.roomId, room.token);
    writer.doc.transact(() => {
      addFile(writer.doc, 'main.ts', MAIN);
      addFile(writer.doc, 'util.ts', UTIL);
    });
    await pollUntil(
      () => fetchPaths(room),
      (paths) => paths.length === 2,
    );
    return { room, writer };
  }

  async function fetchPaths(room: CreatedRoom): Promise<string[]> {
    const answer = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}/files`, {
      headers: { authorization: `Bearer ${room.token}` },
    });
    return ((await answer.json()) as { path: string }[]).map((file) => file.path);
  }

  async function open(link: string, name: string): Promise<Person> {
    const person = await newPerson(suite.browser, name);
    suite.people.push(person);
    await person.page.goto(link);
    await waitForEditor(person.page);
    await person.page.locator('.tab.active[data-path="main.ts"]').waitFor();
    return person;
  }

  it('hovers, completes, checks and goes to a definition in another file', async () => {
    const { room, writer } = await twoFileProject();
    try {
      const alice = await open(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`, 'Alice');
      const { page } = alice;

      // Hover shows the imported function's type (and tells that the TypeScript support is up).
      await hoverFor(page, 'const answer', 'double', 'double(n: number): number', INTEL_TIMEOUT_MS);
      await page.mouse.move(0, 0);

      // `console.` opens the list by itself (Console's members, from the first); `lo` narrows it.
      await endOfLine(alice, 6);
      await page.keyboard.type('console.');
      await suggestion(page, 'assert').waitFor({ timeout: INTEL_TIMEOUT_MS });
      await page.keyboard.type('lo');
      await suggestion(page, 'log').waitFor();
      await page.keyboard.press('Enter');

      // Ctrl+Space lists util.ts's exports.
      await page.keyboard.type('(util.');
      await suggestion(page, 'GREETING').waitFor();
      await page.keyboard.press('Escape');
      await page.locator('.suggest-widget.visible').waitFor({ state: 'hidden' });
      await page.keyboard.press('Control+Space');
      await suggestion(page, 'GREETING').waitFor();
      await suggestion(page, 'double').waitFor();
      await page.keyboard.type('GREETING');
      await page.keyboard.press('Escape');
      await page.keyboard.press('End');
      expect(await editorValue(page)).toBe(`${MAIN}console.log(util.GREETING)`);

      // Signature help for a function of util.ts, then a type error underlined, and
      // nothing else is: the imports resolve.
      await page.keyboard.press('Enter');
      await page.keyboard.type('const wrong: string = double(');
      await page.locator('.parameter-hints-widget.visible').getByText('n: number').first().waitFor();
      await page.keyboard.type('1);');
      expect(await editorValue(page)).toContain('\nconst wrong: string = double(1);');
      await page.locator('.squiggly-error').first().waitFor({ timeout: INTEL_TIMEOUT_MS });
      await hoverFor(
        page,
        'const wrong',
        'wrong',
        "Type 'number' is not assignable to type 'string'.",
        INTEL_TIMEOUT_MS,
      );
      // Squiggles of a half-typed line may linger until the worker has checked the whole one.
      await pollUntil(
        () => page.locator('.squiggly-error').count(),
        (count) => count === 1,
      );
      expect(await page.locator('.squiggly-error').count()).toBe(1);
      await page.mouse.move(0, 0);

      // F12 on `double` opens util.ts at the declaration.
      await clickOn(page, 'const answer', 'double');
      await page.keyboard.press('F12');
      await page.locator('.tab.active[data-path="util.ts"]').waitFor();
      expect(await editorValue(page)).toBe(UTIL);
      expect(await caretLine(page)).toBe(2);
    } finally {
      writer.destroy();
    }
  }, 180_000);

  it('gives a viewer completions, hover and definitions, and nothing they pick changes the file', async () => {
    const { room, writer } = await twoFileProject();
    try {
      const victor = await open(room.links.view, 'Victor');
      const { page } = victor;

      await hoverFor(page, 'const answer', 'double', 'double(n: number): number', INTEL_TIMEOUT_MS);

      // After `util.` on line 5: the list of util.ts's exports; Enter inserts nothing.
      await clickOn(page, 'console.log(answer', 'GREETING');
      await page.keyboard.press('Control+ArrowLeft');
      await page.keyboard.press('Control+Space');
      await suggestion(page, 'double').waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.locator('.suggest-widget.visible').waitFor({ state: 'hidden' });
      expect(await docText(page, 'main.ts')).toBe(MAIN);
      expect(await editorValue(page)).toBe(MAIN);

      await clickOn(page, 'const answer', 'double');
      await page.keyboard.press('F12');
      await page.locator('.tab.active[data-path="util.ts"]').waitFor();
      expect(await editorValue(page)).toBe(UTIL);
    } finally {
      writer.destroy();
    }
  }, 180_000);

  it('follows files edited, renamed and deleted by someone else, and a rename of the open file', async () => {
    const { room, writer } = await twoFileProject();
    try {
      const alice = await open(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`, 'Alice');
      const { page } = alice;
      await hoverFor(page, 'const answer', 'double', 'double(n: number): number', INTEL_TIMEOUT_MS);
      expect(await page.locator('.squiggly-error').count()).toBe(0);
      await page.mouse.move(0, 0);

      // util.ts edited by someone else while it is closed here: its new export is offered.
      writer.doc.transact(() => {
        filesOf(writer.doc).forEach((entry) => {
          const text = entry instanceof Y.Map && entry.get('path') === 'util.ts' ? entry.get('text') : null;
          if (text instanceof Y.Text) text.insert(text.length, 'export const EXTRA = 3;\n');
        });
      });
      await endOfLine(alice, 6);
      await page.keyboard.type('util.');
      // The list is computed once per Ctrl+Space; ask again until the edit has reached the worker.
      await pollUntil(
        async () => {
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+Space');
          return suggestion(page, 'EXTRA')
            .waitFor({ timeout: 2_000 })
            .then(
              () => true,
              () => false,
            );
        },
        (found) => found,
        INTEL_TIMEOUT_MS,
      );
      await page.keyboard.press('Escape');
      for (let i = 0; i < 'util.'.length; i++) await page.keyboard.press('Backspace');
      await pollUntil(
        () => docText(page, 'main.ts'),
        (text) => text === MAIN,
      );

      writer.doc.transact(() => {
        filesOf(writer.doc).forEach((entry) => {
          if (entry instanceof Y.Map && entry.get('path') === 'util.ts') entry.set('path', 'lib/numbers.ts');
        });
      });
      await page.locator('.tree-row[data-path="lib/numbers.ts"]').waitFor();
      await page.locator('.squiggly-error').first().waitFor({ timeout: INTEL_TIMEOUT_MS });

      // Point both imports at the new path: no error is left.
      const moved = MAIN.replaceAll("'./util'", "'./lib/numbers'");
      await clickOn(page, 'const answer', 'answer');
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.type(moved.split('\n').slice(0, 2).join('\n') + '\n');
      await pollUntil(
        () => docText(page, 'main.ts'),
        (text) => text === moved,
      );
      expect(await docText(page, 'main.ts')).toBe(moved);
      await pollUntil(
        () => page.locator('.squiggly-error').count(),
        (count) => count === 0,
        INTEL_TIMEOUT_MS,
      );
      expect(await page.locator('.squiggly-error').count()).toBe(0);
      await hoverFor(page, 'const answer', 'double', 'double(n: number): number', INTEL_TIMEOUT_MS);

      // Deleted, it is gone for the worker too.
      writer.doc.transact(() => {
        filesOf(writer.doc).forEach((entry, id) => {
          if (entry instanceof Y.Map && entry.get('path') === 'lib/numbers.ts')
            filesOf(writer.doc).delete(id);
        });
      });
      await page.locator('.squiggly-error').first().waitFor({ timeout: INTEL_TIMEOUT_MS });

      // The open file renamed: it moves to a model at its new path, and typing and undo carry on.
      writer.doc.transact(() => {
        filesOf(writer.doc).forEach((entry) => {
          if (entry instanceof Y.Map && entry.get('path') === 'main.ts') entry.set('path', 'app.ts');
        });
      });
      await page.locator('.tab.active[data-path="app.ts"]').waitFor();
      expect(await editorValue(page)).toBe(moved);
      await page.locator('[data-testid=editor] .view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('// moved');
      await pollUntil(
        () => docText(page, 'app.ts'),
        (text) => text === `${moved}// moved`,
      );
      expect(await docText(page, 'app.ts')).toBe(`${moved}// moved`);
      await page.keyboard.press('Control+z');
      await pollUntil(
        () => docText(page, 'app.ts'),
        (text) => text === moved,
      );
      expect(await docText(page, 'app.ts')).toBe(moved);
    } finally {
      writer.destroy();
    }
  }, 180_000);

  it('starts the TypeScript worker only when a JavaScript or TypeScript file opens, and completes JavaScript', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Lazy', template: 'python' });
    const writer = await connectSynced(suite.relay.wsUrl, room.roomId, room.token);
    try {
      addFile(writer.doc, 'tool.js', 'export const tool = 1;\n');
      const person = await newPerson(suite.browser, 'Alice');
      suite.people.push(person);
      const { page } = person;
      const workers: string[] = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      const started = (name: string) => workers.some((url) => url.includes(name));
      await page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
      await waitForEditor(page);
      await page.locator('.tab.active[data-path="main.py"]').waitFor();
      // A fence: Monaco's own worker serves main.py, so the page is past its start.
      await pollUntil(async () => started('editor.worker'), Boolean);
      expect(started('ts.worker')).toBe(false);

      await page.locator('.tree-row[data-path="tool.js"]').click();
      await pollUntil(async () => started('ts.worker'), Boolean, INTEL_TIMEOUT_MS);
      expect(started('ts.worker')).toBe(true);
      await page.locator('[data-testid=editor] .view-lines').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('console.');
      await suggestion(page, 'assert').waitFor({ timeout: INTEL_TIMEOUT_MS });
    } finally {
      writer.destroy();
    }
  }, 180_000);
});

/** A row of the open suggest list whose name is exactly `name`. */
