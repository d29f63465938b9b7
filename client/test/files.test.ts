/**
 * Files in the browser: upload text and binary files (and a too-large one),
 * download the project as a zip and read it back, move a file by drag and drop.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, pollUntil, waitForEditor } from './browser.js';
import { browserSuite } from './suite.js';
import { newFile, openPair } from './rooms.js';
import { readZip } from './zipReader.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe]);

describe.skipIf(skip)('files in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  it('uploads text and binary files, refuses a too-large one, and the zip round-trips', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await alice.page.getByTestId('upload-input').setInputFiles([
      { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\r\nfirst\r\n') },
      { name: 'logo.png', mimeType: 'image/png', buffer: PNG },
      { name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(1024 * 1024 + 1, 'a') },
    ]);
    await alice.page.getByText('big.txt is too large: text files are limited to 1 MB.').waitFor();

    // Bob sees both, the binary one as binary; the text one with LF line endings.
    await bob.page.locator('.tree-row[data-path="logo.png"]', { hasText: 'binary' }).click();
    await bob.page.getByTestId('binary-view').filter({ hasText: '14 bytes' }).waitFor();
    expect(
      await pollUntil(
        () => docText(bob.page, 'notes.md'),
        (t) => t !== null,
      ),
    ).toBe('# Notes\nfirst\n');
    expect(await bob.page.locator('.tree-row[data-path="big.txt"]').count()).toBe(0);

    const [download] = await Promise.all([
      alice.page.waitForEvent('download'),
      alice.page.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Pair.zip');
    const files = readZip(new Uint8Array(readFileSync(await download.path())));
    expect([...files.keys()].sort()).toEqual(['logo.png', 'main.py', 'notes.md']);
    expect(Buffer.from(files.get('logo.png')!)).toEqual(PNG);
    expect(Buffer.from(files.get('notes.md')!).toString()).toBe('# Notes\nfirst\n');
    expect(Buffer.from(files.get('main.py')!).toString()).toBe(await docText(alice.page, 'main.py'));
  }, 60_000);

  it('uploads a whole folder from the picker, keeping its structure', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    const dir = mkdtempSync(join(tmpdir(), 'tandem-upload-'));
    try {
      const project = join(dir, 'kata');
      mkdirSync(join(project, 'lib'), { recursive: true });
      writeFileSync(join(project, 'solve.py'), 'from lib.io import read\n');
      writeFileSync(join(project, 'lib', 'io.py'), 'def read():\n    return 1\n');
      await alice.page.getByTestId('upload-folder-input').setInputFiles(project);
      await bob.page.locator('.tree-row[data-path="kata/lib/io.py"]').waitFor({ timeout: 10_000 });
      expect(await docText(bob.page, 'kata/solve.py')).toBe('from lib.io import read\n');
      expect(await docText(bob.page, 'kata/lib/io.py')).toBe('def read():\n    return 1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an empty folder is the room’s: the other person sees it, and it survives a reload', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await alice.page.getByRole('button', { name: 'New folder' }).click();
    const input = alice.page.locator('.tree-input');
    await input.fill('notes');
    await input.press('Enter');
    const row = '.tree-row[data-path="notes"][data-kind="folder"]';
    await alice.page.locator(row).waitFor();
    await bob.page.locator(row).waitFor();
    await bob.page.reload();
    await waitForEditor(bob.page);
    await bob.page.locator(row).waitFor();
    // Renaming it renames it for everyone; deleting it removes it for everyone.
    await bob.page.locator(row).dblclick();
    await bob.page.locator('.tree-input').fill('docs');
    await bob.page.locator('.tree-input').press('Enter');
    await alice.page.locator('.tree-row[data-path="docs"][data-kind="folder"]').waitFor();
    await alice.page.locator(row).waitFor({ state: 'detached' });
  }, 60_000);

  it('moves a file into a folder by drag and drop, for everyone', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await newFile(alice, 'src/util.py');
    // The Enter that named it does not land in the new file the editor then focuses.
    await alice.page.keyboard.type('x = 1');
    expect(
      await pollUntil(
        () => docText(alice.page, 'src/util.py'),
        (text) => text === 'x = 1',
      ),
    ).toBe('x = 1');
    await bob.page.locator('.tree-row[data-path="src"]').waitFor();
    await bob.page
      .locator('.tree-row[data-path="main.py"]')
      .dragTo(bob.page.locator('.tree-row[data-path="src"]'));
    await alice.page.locator('.tree-row[data-path="src/main.py"]').waitFor({ timeout: 10_000 });
    expect(await docText(alice.page, 'src/main.py')).toContain('def greet');
    expect(await docText(alice.page, 'main.py')).toBeNull();
  }, 60_000);

  it('the tree works from the keyboard: arrows move and fold, Enter opens, F2 renames', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await newFile(alice, 'src/app.py');
    await alice.page.locator('.tree-row[data-path="main.py"]').click();
    // Focus follows the selection once the tree has drawn it.
    const focusOn = (path: string) =>
      pollUntil(
        () => alice.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.path ?? null),
        (focused) => focused === path,
      );
    await alice.page.keyboard.press('Home');
    expect(await focusOn('src')).toBe('src');
    await alice.page.keyboard.press('ArrowLeft');
    await alice.page.locator('.tree-row[data-path="src/app.py"]').waitFor({ state: 'detached' });
    await alice.page.keyboard.press('ArrowRight');
    await alice.page.locator('.tree-row[data-path="src/app.py"]').waitFor();
    await alice.page.keyboard.press('ArrowRight');
    expect(await focusOn('src/app.py')).toBe('src/app.py');
    await alice.page.keyboard.press('ArrowDown');
    expect(await focusOn('main.py')).toBe('main.py');
    await alice.page.keyboard.press('ArrowUp');
    expect(await focusOn('src/app.py')).toBe('src/app.py');
    await alice.page.keyboard.press('Enter');
    await alice.page.locator('.tab.active[data-path="src/app.py"]').waitFor();
    await alice.page.locator('.tree-row[data-path="main.py"]').click();
    expect(await focusOn('main.py')).toBe('main.py');
    await alice.page.keyboard.press('F2');
    const input = alice.page.locator('.tree-input');
    expect(await input.inputValue()).toBe('main.py');
    await input.fill('start.py');
    await input.press('Enter');
    await alice.page.locator('.tree-row[data-path="start.py"]').waitFor();
    await bob.page.locator('.tree-row[data-path="start.py"]').waitFor({ timeout: 10_000 });
  }, 60_000);
});
