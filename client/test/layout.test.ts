/**
 * The room on any screen, in real Chromium against a real relay. On an 800x600
 * window and a 390x844 phone no side panel docks: each one (files, the call,
 * people, private notes, chat) opens from its top-bar button as a drawer over
 * the editor, works there (a chat message reaches a wide page, a tap follows
 * someone, the call plays on with its drawer closed), and Escape, its close
 * button or a tap beside it put it away, focus back on the button; the editor
 * keeps the width. On a wide window folding panels gives their columns to the
 * editor, and the choice survives a reload.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { newFile } from './rooms.js';
import { browserSuite, type BrowserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

/** On a narrow window the editor has the whole width but a scrollbar's worth. */
const NARROW_EDITOR_MIN_FRACTION = 0.9;

/** An interview room: Hana hosts on a wide window, Ivan (an interviewer: he has every panel) joins at `size`. */
async function interview(
  suite: BrowserSuite,
  size: { width: number; height: number },
): Promise<{ hana: Person; ivan: Person }> {
  const room = await createRoom(suite.relay.url, {
    name: 'Interview',
    template: 'python',
    kind: 'interview',
  });
  const hana = await newPerson(suite.browser, 'Hana');
  const ivan = await newPerson(suite.browser, 'Ivan');
  suite.people.push(hana, ivan);
  await ivan.page.setViewportSize(size);
  await hana.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
  await ivan.page.goto(room.links.interviewer!);
  await Promise.all([waitForEditor(hana.page), waitForEditor(ivan.page)]);
  return { hana, ivan };
}

async function width(locator: Locator): Promise<number> {
  return (await locator.boundingBox())?.width ?? 0;
}

async function height(locator: Locator): Promise<number> {
  return (await locator.boundingBox())?.height ?? 0;
}

const editor = (page: Page) => page.getByTestId('editor');
const toggle = (page: Page, id: string) => page.getByTestId(`panel-toggle-${id}`);
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Opens a panel's drawer from its button; resolves with the drawer once it shows, inside the window. */
async function openDrawer(page: Page, id: string, label: string): Promise<Locator> {
  expect(await toggle(page, id).getAttribute('aria-expanded')).toBe('false');
  await toggle(page, id).click();
  const drawer = page.getByRole('dialog', { name: label });
  await drawer.waitFor();
  expect(await toggle(page, id).getAttribute('aria-expanded')).toBe('true');
  const box = (await drawer.boundingBox())!;
  const view = page.viewportSize()!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(view.width + 0.5);
  // Focus moves into the drawer, so Tab and a screen reader start there.
  const focusInside = () => drawer.evaluate((el) => el.contains(document.activeElement));
  expect(await pollUntil(focusInside, (inside) => inside)).toBe(true);
  return drawer;
}

/** Escape closes the drawer and hands focus back to its button. */
async function escapeDrawer(page: Page, id: string, drawer: Locator): Promise<void> {
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });
  expect(await toggle(page, id).getAttribute('aria-expanded')).toBe('false');
  const back = `panel-toggle-${id}`;
  expect(
    await pollUntil(
      () => focusedId(page),
      (focused) => focused === back,
    ),
  ).toBe(back);
}

/** How far into the stream this page's video of `name` has played. */
function playedSeconds(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (n) =>
      document.querySelector<HTMLVideoElement>(`[data-testid=video-tile][data-name="${n}"] video`)
        ?.currentTime ?? -1,
    name,
  );
}

describe.skipIf(skip)('the room on any screen', () => {
  const suite = browserSuite({ checkConsoleErrors: true, fakeMedia: true });

  for (const size of [
    { width: 800, height: 600 },
    { width: 390, height: 844 },
  ]) {
    it(`at ${size.width}x${size.height} every side panel is a drawer away and the editor keeps the width`, async () => {
      const { hana, ivan } = await interview(suite, size);
      const page = ivan.page;

      // Nothing docks: the editor has the width, and no panel is open.
      expect(await width(editor(page))).toBeGreaterThan(size.width * NARROW_EDITOR_MIN_FRACTION);
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect(await page.locator('input[name=chat]').isVisible()).toBe(false);

      // Chat: a message sent from the drawer reaches the wide page.
      let drawer = await openDrawer(page, 'chat', 'Chat');
      const hello = `From a ${size.width} px window`;
      await drawer.locator('input[name=chat]').fill(hello);
      await drawer.locator('input[name=chat]').press('Enter');
      await hana.page.getByTestId('chat-messages').getByText(hello).waitFor();
      await escapeDrawer(page, 'chat', drawer);

      // While the chat is closed, a message from Hana shows as a badge on its button.
      await hana.page.locator('input[name=chat]').fill('Seen on the phone?');
      await hana.page.locator('input[name=chat]').press('Enter');
      await toggle(page, 'chat').getByTestId('unread').filter({ hasText: '1' }).waitFor();
      drawer = await openDrawer(page, 'chat', 'Chat');
      await drawer.getByText('Seen on the phone?').waitFor();
      await toggle(page, 'chat').getByTestId('unread').waitFor({ state: 'detached' });
      await drawer.getByTestId('drawer-close').click();
      await drawer.waitFor({ state: 'hidden' });

      // Private notes: the notes editor is there to type in.
      drawer = await openDrawer(page, 'notes', 'Private notes');
      await drawer.locator('[data-testid=notes-editor] .view-lines').waitFor();
      await escapeDrawer(page, 'notes', drawer);

      // Files: picking a file opens it and puts the drawer away; a tap beside a drawer closes it too.
      await newFile(hana, 'helper.py');
      drawer = await openDrawer(page, 'files', 'Files');
      await drawer.locator('.tree-row[data-path="helper.py"]').click();
      await drawer.waitFor({ state: 'hidden' });
      await page.locator('.tab.active[data-path="helper.py"]').waitFor();
      drawer = await openDrawer(page, 'files', 'Files');
      await page.locator('.drawer-backdrop').click({ position: { x: size.width - 10, y: 200 } });
      await drawer.waitFor({ state: 'hidden' });

      // People: tapping Hana follows her and puts the drawer away, back to the code.
      drawer = await openDrawer(page, 'people', 'People');
      await drawer.locator('[data-testid=person][data-name=Hana]').click();
      await drawer.waitFor({ state: 'hidden' });
      drawer = await openDrawer(page, 'people', 'People');
      await drawer.locator('[data-testid=person][data-name=Hana].following').waitFor();
      await escapeDrawer(page, 'people', drawer);

      // The call: the camera goes on from the drawer, and Hana's picture plays on with it closed.
      drawer = await openDrawer(page, 'call', 'Call');
      await drawer.getByTestId('toggle-camera').click();
      await hana.page.locator('[data-testid=video-tile][data-name=Ivan]').waitFor();
      await hana.page.getByTestId('toggle-camera').click();
      await drawer.locator('[data-testid=video-tile][data-name=Hana]').waitFor();
      await escapeDrawer(page, 'call', drawer);
      const closedAt = await pollUntil(
        () => playedSeconds(page, 'Hana'),
        (t) => t > 0,
      );
      expect(
        await pollUntil(
          () => playedSeconds(page, 'Hana'),
          (t) => t > closedAt,
        ),
      ).toBeGreaterThan(closedAt);

      // With every drawer closed the editor is back at full width.
      await editor(page).locator('.view-lines').waitFor();
      expect(await width(editor(page))).toBeGreaterThan(size.width * NARROW_EDITOR_MIN_FRACTION);
    }, 120_000);
  }

  it('on a wide window, folded panels give their width to the editor, and stay folded after a reload', async () => {
    const { ivan } = await interview(suite, { width: 1280, height: 800 });
    const page = ivan.page;
    const docked = await width(editor(page));
    const files = page.getByRole('complementary', { name: 'Files' });
    expect(await files.isVisible()).toBe(true);

    // Folding Files gives its column to the editor.
    await toggle(page, 'files').click();
    await files.waitFor({ state: 'hidden' });
    const withoutFiles = await pollUntil(
      () => width(editor(page)),
      (w) => w > docked + 150,
    );
    expect(withoutFiles).toBeGreaterThan(docked + 150);

    // Folding one right-hand panel leaves the others; folding all of them frees the column.
    await toggle(page, 'chat').click();
    await page.locator('input[name=chat]').waitFor({ state: 'hidden' });
    expect(await page.locator('[data-testid=person][data-name=Ivan]').isVisible()).toBe(true);
    for (const id of ['call', 'people', 'notes']) await toggle(page, id).click();
    await page.getByRole('complementary', { name: 'Call, people and chat' }).waitFor({ state: 'hidden' });
    const alone = await pollUntil(
      () => width(editor(page)),
      (w) => w > withoutFiles + 200,
    );
    expect(alone).toBeGreaterThan(withoutFiles + 200);

    // The choice is this browser's: a reload keeps it.
    await page.reload();
    await waitForEditor(page);
    for (const id of ['files', 'call', 'people', 'notes', 'chat'])
      expect(await toggle(page, id).getAttribute('aria-expanded')).toBe('false');
    expect(await width(editor(page))).toBeCloseTo(alone, 0);

    // Chat comes back alone, and takes the whole column.
    await toggle(page, 'chat').click();
    await page.locator('input[name=chat]').waitFor();
    expect(await page.locator('[data-testid=person][data-name=Ivan]').isVisible()).toBe(false);
    const column = await height(page.getByRole('complementary', { name: 'Call, people and chat' }));
    expect(await height(page.getByRole('region', { name: 'Chat' }))).toBeCloseTo(column, -1);
  }, 90_000);
});
