/**
 * Real headless Chromium for end-to-end tests (Debian's, through playwright-core;
 * never `playwright install`). Each browser context is a separate person: its
 * own cookies, localStorage and IndexedDB. Playwright gives every launch a fresh
 * temporary profile, which is the fresh --user-data-dir the handbook asks for.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from '../../scripts/requireTool.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fake camera (a moving test pattern) and microphone (a beep), granted without asking. */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export async function launchChromium(options: { fakeMedia?: boolean } = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium is not installed (apt-get install -y chromium)');
  const args = options.fakeMedia ? [...CHROMIUM_ARGS, ...FAKE_MEDIA_ARGS] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath, args });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions: a product page has none. */
  errors: string[];
}

/** A new person with `name` already chosen, so links open straight into the room. */
export async function newPerson(browser: Browser, name: string): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((n) => {
    // Previews (<id>.localhost, in a frame or a tab) have storage of their own, or none.
    if (window !== window.top || location.hostname.endsWith('.localhost')) return;
    if (!localStorage.getItem('tandem.name')) localStorage.setItem('tandem.name', n);
  }, name);
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  return { context, page, errors };
}

export function watchErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
}

/** Waits until the room shows its editor with a file in it. */
export async function waitForEditor(page: Page): Promise<void> {
  await page.locator('[data-testid=editor] .view-lines').waitFor({ timeout: 20_000 });
}

/** A file's text as this page's document has it (null: no such file). */
export async function docText(page: Page, path: string): Promise<string | null> {
  return page.evaluate((p) => {
    type Entry = { get(key: string): unknown };
    const doc = (window as unknown as { tandem: { doc: { getMap(n: string): Map<string, Entry> } } }).tandem
      .doc;
    let text: string | null = null;
    doc.getMap('files').forEach((entry) => {
      if (entry.get('path') === p) text = String(entry.get('text'));
    });
    return text;
  }, path);
}

/** What Monaco shows in this page right now. */
export async function editorValue(page: Page): Promise<string> {
  return page.evaluate(() =>
    (window as unknown as { tandem: { editor: { getValue(): string } } }).tandem.editor.getValue(),
  );
}

export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Where this page draws another person's main cursor (the caret decoration). */
export function remoteCaret(page: Page): Promise<{ line: number; column: number } | null> {
  return page.evaluate(() => {
    type Decoration = {
      range: { startLineNumber: number; startColumn: number };
      options: { beforeContentClassName?: string };
    };
    const editor = (
      window as unknown as { tandem: { editor: { getModel(): { getAllDecorations(): Decoration[] } } } }
    ).tandem.editor;
    const carets = editor
      .getModel()
      .getAllDecorations()
      .filter((d) => d.options.beforeContentClassName?.includes('tc-caret'));
    if (carets.length !== 1) return null; // none, or a duplicate
    return { line: carets[0]!.range.startLineNumber, column: carets[0]!.range.startColumn };
  });
}
