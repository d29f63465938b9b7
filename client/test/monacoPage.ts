/**
 * Reading Monaco's own widgets in a page, for the code-intelligence tests
 * (intel.test.ts for JavaScript and TypeScript, lsp.test.ts for the workspace's
 * language servers): where a word is drawn, the suggest list, the hover, the caret.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { pollUntil } from './browser.js';

/** A row of the visible suggest list whose label is exactly `name`. */
export function suggestion(page: Page, name: string) {
  return page
    .locator('.suggest-widget.visible .monaco-list-row .label-name')
    .getByText(name, { exact: true });
}

/**
 * Presses Ctrl+Space until the suggest list lists something (the caret where
 * it should be): a first request may come back empty while the language
 * support or a language server is still starting, and Monaco does not ask again.
 */
export async function suggestUntilListed(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await page.keyboard.press('Control+Space');
  for (;;) {
    try {
      await page.locator('.suggest-widget.visible .monaco-list-row').first().waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Space');
    }
  }
}

/**
 * The point on screen where Monaco draws `word` on the first line of the open
 * file that holds `line`, one character in (Monaco hovers by position).
 */
export async function pointAt(page: Page, line: string, word: string): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([line, word]) => {
      type Editor = {
        getValue(): string;
        getScrolledVisiblePosition(p: object): { top: number; left: number; height: number } | null;
        getDomNode(): HTMLElement;
      };
      const editor = (window as unknown as { tandem: { editor: Editor } }).tandem.editor;
      const lines = editor.getValue().split('\n');
      const index = lines.findIndex((l) => l.includes(line!));
      const column = lines[index]!.indexOf(word!, lines[index]!.indexOf(line!)) + 2;
      const at = editor.getScrolledVisiblePosition({ lineNumber: index + 1, column })!;
      const box = editor.getDomNode().getBoundingClientRect();
      return { x: box.left + at.left, y: box.top + at.top + at.height / 2 };
    },
    [line, word],
  );
}

/**
 * Points the mouse at `word` on the line that holds `line` until Monaco's hover
 * says `text`. A hover asked before the language support has loaded (or while a
 * language server warms up) finds nothing and is not asked again until the
 * mouse moves, so it moves, as a person's would.
 */
export async function hoverFor(
  page: Page,
  line: string,
  word: string,
  text: string,
  timeoutMs: number,
): Promise<void> {
  const shown = page.locator('.monaco-hover').getByText(text).first();
  const found = await pollUntil(
    async () => {
      const { x, y } = await pointAt(page, line, word);
      await page.mouse.move(0, 0);
      await page.mouse.move(x, y);
      return shown.waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      );
    },
    (done) => done,
    timeoutMs,
  );
  expect(found, `hover on ${word} says ${text}`).toBe(true);
}

/** Clicks into `word` on the line that holds `line`, putting the caret there. */
export async function clickOn(page: Page, line: string, word: string): Promise<void> {
  const { x, y } = await pointAt(page, line, word);
  await page.mouse.click(x, y);
}

/** The caret's 1-based line in the page's editor. */
export async function caretLine(page: Page): Promise<number | undefined> {
  return page.evaluate(
    () =>
      (
        window as unknown as { tandem: { editor: { getPosition(): { lineNumber: number } | null } } }
      ).tandem.editor.getPosition()?.lineNumber,
  );
}
