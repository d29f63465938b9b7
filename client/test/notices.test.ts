/**
 * Knowing what others did, in real Chromium against the real relay: a notice
 * naming who deleted or renamed the file you have open, with an Undo that
 * brings it back for everyone; a notice when someone joins and leaves; the
 * other person's name over their caret only while they type or move.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, pollUntil, waitForEditor, type Person } from './browser.js';
import { endOfLine, openPair } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

/** This page's relay connection has answered hello in full (the roster of who is here included). */
async function greeted(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      (window as unknown as { tandem?: { conn: { greeted: { value: boolean } } } }).tandem?.conn.greeted
        .value,
  );
}

function notice(person: Person, text: string) {
  return person.page.getByTestId('notice').filter({ hasText: text });
}

/** Asks the tree to delete `path`, and says yes to "for everyone in the room?". */
async function deleteInTree(person: Person, path: string): Promise<void> {
  await person.page.locator(`.tree-row[data-path="${path}"]`).hover();
  await person.page.getByRole('button', { name: `Delete ${path}` }).click();
  await person.page.getByTestId('confirm-yes').click();
}

const bothRead = (alice: Person, bob: Person, path: string) => async () => [
  await docText(alice.page, path),
  await docText(bob.page, path),
];

describe.skipIf(skip)('notices of what others did', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  it('Bob deletes the file Alice has open: she is told who, and Undo brings it back for both', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await alice.page.locator('.tab.active[data-path="main.py"]').waitFor();
    const original = (await docText(alice.page, 'main.py'))!;
    await deleteInTree(bob, 'main.py');

    const deleted = notice(alice, 'Bob deleted main.py. You had it open.');
    await deleted.waitFor({ timeout: 10_000 });
    // Read out, not focused: it sits in a live region and the focus stays where it was.
    expect(await alice.page.locator('[aria-live] [data-testid=notice]').count()).toBeGreaterThan(0);
    expect(await alice.page.evaluate(() => !!document.activeElement?.closest('[data-testid=notice]'))).toBe(
      false,
    );
    await deleted.getByRole('button', { name: 'Undo' }).click();

    const [a, b] = await pollUntil(
      bothRead(alice, bob, 'main.py'),
      ([x, y]) => x === original && y === original,
    );
    expect(a).toBe(original);
    expect(b).toBe(original);
    await alice.page.locator('.tab.active[data-path="main.py"]').waitFor();
    // Bob's own deletion told him nothing: had it, it would have come before Alice's.
    expect(await notice(bob, 'deleted').count()).toBe(0);
  }, 60_000);

  it('Bob renames a file: Alice is told, and Undo puts the old name back', async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await bob.page.locator('.tree-row[data-path="main.py"]').hover();
    await bob.page.getByRole('button', { name: 'Rename main.py' }).click();
    await bob.page.locator('.tree-input').fill('app.py');
    await bob.page.locator('.tree-input').press('Enter');

    const renamed = notice(alice, 'Bob renamed main.py to app.py.');
    await renamed.waitFor({ timeout: 10_000 });
    await renamed.getByRole('button', { name: 'Undo' }).click();
    await bob.page.locator('.tree-row[data-path="main.py"]').waitFor({ timeout: 10_000 });
    expect(await docText(bob.page, 'app.py')).toBeNull();
  }, 60_000);

  it('someone joining and leaving is a notice on the other page', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Presence', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    suite.people.push(alice);
    await alice.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await waitForEditor(alice.page);
    await greeted(alice.page);

    const bob = await newPerson(suite.browser, 'Bob');
    suite.people.push(bob);
    await bob.page.goto(room.links.edit);
    await waitForEditor(bob.page);
    await notice(alice, 'Bob joined.').waitFor({ timeout: 10_000 });
    // Alice was there before Bob: nothing to tell him.
    await greeted(bob.page);
    expect(await notice(bob, 'Alice joined.').count()).toBe(0);

    await bob.context.close();
    // A leave waits out a reload first (presenceNotices.ts).
    await notice(alice, 'Bob left.').waitFor({ timeout: 20_000 });
  }, 60_000);

  it("the other person's name shows while they type or move, then goes", async () => {
    const { alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    const label = alice.page.locator('.tc-label', { hasText: 'Bob' });
    await endOfLine(bob, 2);
    await label.waitFor({ state: 'visible', timeout: 10_000 });
    await label.waitFor({ state: 'hidden', timeout: 10_000 });

    // Typing at the end of a line leaves Bob's cursor where Yjs had it: still his name shows.
    await bob.page.keyboard.type('  # here');
    await label.waitFor({ state: 'visible', timeout: 10_000 });
    await label.waitFor({ state: 'hidden', timeout: 10_000 });

    // The pointer on his caret shows it too.
    await alice.page.locator('.tc-caret').hover();
    await label.waitFor({ state: 'visible', timeout: 10_000 });
  }, 60_000);
});
