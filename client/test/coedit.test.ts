/**
 * Two people in real headless Chromium against the real relay: typing into one
 * line at once, seeing each other's cursors, following, renaming under a typist.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, editorValue, newPerson, pollUntil, remoteCaret, waitForEditor } from './browser.js';
import { browserSuite } from './suite.js';
import { createOnLanding, endOfLine, newFile, openPair, waitForState } from './rooms.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);
const FIRST_LINE = 'def greet(name: str) -> str:';

describe.skipIf(skip)('co-editing in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  const pair = () => openPair(suite.browser, suite.relay.url, suite.people);

  it('two people typing into the same line at once end identical, every character kept', async () => {
    const { alice, bob } = await pair();
    await Promise.all([endOfLine(alice, 1), endOfLine(bob, 1)]);
    const typedByAlice = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn';
    const typedByBob = 'ZYXWVUTSRQPONMLKJIHGFEDCBA0123456789ZYXW';
    await Promise.all([
      alice.page.keyboard.type(typedByAlice, { delay: 15 }),
      bob.page.keyboard.type(typedByBob, { delay: 15 }),
    ]);
    const expectedLength = FIRST_LINE.length + typedByAlice.length + typedByBob.length;
    const read = async () => [await docText(alice.page, 'main.py'), await docText(bob.page, 'main.py')];
    const [a, b] = await pollUntil(read, ([x, y]) => x === y && x!.split('\n')[0]!.length === expectedLength);
    expect(a).toBe(b);
    expect(await editorValue(alice.page)).toBe(a);
    expect(await editorValue(bob.page)).toBe(a);
    const line = a!.split('\n')[0]!;
    expect(line.startsWith(FIRST_LINE)).toBe(true);
    const added = line.slice(FIRST_LINE.length);
    expect(added.replace(/[^a-z]/g, '')).toBe(typedByAlice);
    expect(added.replace(/[a-z]/g, '')).toBe(typedByBob);
    // Both see "Saved": the suite.relay confirmed it stored every edit.
    await Promise.all([waitForState(alice, 'saved'), waitForState(bob, 'saved')]);
    // The badge's tooltip tells the round trip its ping and the relay's pong took.
    await alice.page.locator('[data-testid=connection][title*="Round trip to the server"]').waitFor();
    expect(await alice.page.getByTestId('connection').getAttribute('title')).toMatch(
      /^Every change is stored on the server\. Round trip to the server: \d+ ms\.$/,
    );
  }, 60_000);

  it("shows the other person's cursor and name where it is, and follow mode switches file", async () => {
    const { alice, bob } = await pair();
    await endOfLine(bob, 2);
    const line2 = (await docText(bob.page, 'main.py'))!.split('\n')[1]!;
    await alice.page.locator('.tc-label', { hasText: 'Bob' }).waitFor({ timeout: 10_000 });
    const caret = await pollUntil(
      () => remoteCaret(alice.page),
      (value) => value?.line === 2,
    );
    expect(caret).toEqual({ line: 2, column: line2.length + 1 });
    // Alice sees which file Bob has open, then follows him into a new file.
    await alice.page.locator('[data-testid=person][data-name=Bob]', { hasText: 'main.py' }).waitFor();
    await alice.page.locator('[data-testid=person][data-name=Bob]').click();
    await newFile(bob, 'other.py');
    await alice.page.locator('.tab.active[data-path="other.py"]').waitFor({ timeout: 10_000 });
  }, 60_000);

  it('renaming a file while the other person types in it loses no edit', async () => {
    const { alice, bob } = await pair();
    await endOfLine(alice, 5);
    const typed = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz';
    const typing = alice.page.keyboard.type(typed, { delay: 25 });
    await alice.page.waitForTimeout(400);
    await bob.page.locator('.tree-row[data-path="main.py"]').dblclick();
    await bob.page.locator('.tree-input').waitFor();
    await bob.page.keyboard.type('app');
    await bob.page.keyboard.press('Enter');
    await typing;
    const read = async () => [await docText(alice.page, 'app.py'), await docText(bob.page, 'app.py')];
    const [a, b] = await pollUntil(read, ([x, y]) => x === y && !!x?.includes(typed));
    expect(a).toBe(b);
    expect(a).toContain(`print(greet("Tandem"))${typed}`);
    expect(await docText(alice.page, 'main.py')).toBeNull();
    await alice.page.locator('.tab.active[data-path="app.py"]').waitFor();
  }, 60_000);

  it('undo takes back only your own edits, redo brings them back', async () => {
    const { alice, bob } = await pair();
    await endOfLine(alice, 5);
    await alice.page.keyboard.type(' # by alice');
    await endOfLine(bob, 1);
    await bob.page.keyboard.type(' # by bob');
    const both = (text: string | null) => !!text?.includes('# by alice') && text.includes('# by bob');
    await pollUntil(() => docText(alice.page, 'main.py'), both);

    await alice.page.keyboard.press('Control+z');
    const undone = await pollUntil(
      () => docText(bob.page, 'main.py'),
      (text) => !text?.includes('# by alice'),
    );
    expect(undone).toContain('def greet(name: str) -> str: # by bob\n');
    expect(undone).not.toContain('# by alice');

    await alice.page.keyboard.press('Control+Shift+z');
    const redone = await pollUntil(() => docText(bob.page, 'main.py'), both);
    expect(redone).toContain('print(greet("Tandem")) # by alice');
  }, 60_000);

  it('the owner shares a view link from the dialog; Ctrl+S only says there is nothing to save', async () => {
    const { alice } = await pair();
    await alice.page.getByTestId('share').click();
    const viewLink = await alice.page.getByTestId('link-view').inputValue();
    expect(viewLink).toMatch(new RegExp(`^${suite.relay.url}/j/[\\w-]{11}$`));
    await alice.page.keyboard.press('Escape');

    const carol = await newPerson(suite.browser, 'Carol');
    suite.people.push(carol);
    await carol.page.goto(viewLink);
    await waitForEditor(carol.page);
    await carol.page.getByText('View only').waitFor();
    await alice.page.locator('[data-testid=person][data-name=Carol]').waitFor();

    await alice.page.locator('.monaco-editor .view-lines').click();
    await alice.page.keyboard.press('Control+s');
    await alice.page.getByText('No need to save').waitFor();
  }, 60_000);

  it('creates a room from a template on the landing page and opens it as its owner', async () => {
    const dana = await newPerson(suite.browser, 'Dana');
    suite.people.push(dana);
    await createOnLanding(dana, suite.relay.url, (page) => page.locator('[data-template=go]').click());
    await dana.page.locator('.tab.active[data-path="main.go"]').waitFor();
    await dana.page.locator('[data-testid=person][data-name=Dana]', { hasText: 'owner' }).waitFor();
    expect(await dana.page.getByTestId('share').count()).toBe(1);
    expect(new URL(dana.page.url()).search).toBe('');
  }, 60_000);

  it('the Authors toggle colours each line by who wrote it last, and keeps up with new typing', async () => {
    const { alice, bob } = await pair();
    await endOfLine(bob, 2);
    await bob.page.keyboard.type('  # checked by bob');
    await pollUntil(
      () => docText(alice.page, 'main.py'),
      (text) => text?.includes('# checked by bob') === true,
    );
    await alice.page.getByTestId('authors-toggle').click();
    const legend = alice.page.getByTestId('live-authors');
    await legend.locator('li[data-name=Bob]').waitFor({ timeout: 10_000 });
    await legend.locator('li[data-name=Tandem]').waitFor();
    expect(await legend.locator('li[data-name=Alice]').count()).toBe(0);

    await endOfLine(alice, 1);
    await alice.page.keyboard.type('  # alice was here');
    await legend.locator('li[data-name=Alice]').waitFor({ timeout: 10_000 });
    const writers = await pollUntil(
      () => lineWriters(alice.page),
      (lines) => /Alice/.test(lines[0] ?? '') && /Bob/.test(lines[1] ?? ''),
    );
    expect(writers[0]).toMatch(/Alice/);
    expect(writers[1]).toMatch(/Bob/);
    expect(writers[2]).toMatch(/Tandem/);
    await alice.page.getByTestId('authors-toggle').click();
    await pollUntil(
      () => lineWriters(alice.page),
      (lines) => lines.every((hover) => hover === ''),
    );
    expect(await legend.count()).toBe(0);
  }, 60_000);
});

/** The authorship hover of each line of the open file ('' where there is none). */
function lineWriters(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Decoration = { options: { hoverMessage?: { value: string } } };
    const editor = (
      window as unknown as {
        tandem: {
          editor: {
            getModel(): { getLineCount(): number; getLineDecorations(n: number): Decoration[] };
          };
        };
      }
    ).tandem.editor;
    const model = editor.getModel();
    const lines: string[] = [];
    for (let n = 1; n <= model.getLineCount(); n++) {
      const hover = model.getLineDecorations(n).find((d) => d.options.hoverMessage?.value)
        ?.options.hoverMessage;
      lines.push(hover?.value ?? '');
    }
    return lines;
  });
}
