/** Rooms with people in them, for the end-to-end tests. */
import type { Browser, Locator, Page } from 'playwright-core';
import { createRoom, type CreatedRoom } from '../../relay/test/harness.js';
import { docText, newPerson, pollUntil, waitForEditor, watchErrors, type Person } from './browser.js';

export interface Pair {
  room: CreatedRoom;
  /** The owner. */
  alice: Person;
  /** Opened the edit link. */
  bob: Person;
}

export async function openPair(
  browser: Browser,
  relayUrl: string,
  people: Person[],
  template = 'python',
): Promise<Pair> {
  const room = await createRoom(relayUrl, { name: 'Pair', template });
  const alice = await newPerson(browser, 'Alice');
  const bob = await newPerson(browser, 'Bob');
  people.push(alice, bob);
  await Promise.all([
    alice.page.goto(`${relayUrl}/r/${room.roomId}#token=${room.token}`),
    bob.page.goto(room.links.edit),
  ]);
  await Promise.all([waitForEditor(alice.page), waitForEditor(bob.page)]);
  return { room, alice, bob };
}

/** Puts the caret at the end of `line` (1-based) of the open file. */
export async function endOfLine(person: Person, line: number): Promise<void> {
  await person.page.locator('[data-testid=editor] .view-lines').click();
  await person.page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i++) await person.page.keyboard.press('ArrowDown');
  await person.page.keyboard.press('End');
}

export async function waitForState(person: Person, state: 'saved' | 'offline' | 'syncing'): Promise<void> {
  await person.page.locator(`[data-testid=connection][data-state=${state}]`).waitFor({ timeout: 15_000 });
}

/** Creates a file through the tree's "New file" button, as a person would. */
export async function newFile(person: Person, path: string): Promise<void> {
  await person.page.getByRole('button', { name: 'New file' }).click();
  const input = person.page.locator('.tree-input');
  await input.fill(path);
  await input.press('Enter');
  await person.page.locator(`.tab.active[data-path="${path}"]`).waitFor();
}

/** On the landing page: `choose` picks the options, then Create; resolves once the new room shows its editor. */
export async function createOnLanding(
  person: Person,
  relayUrl: string,
  choose: (page: Page) => Promise<void>,
): Promise<void> {
  await person.page.goto(relayUrl);
  await choose(person.page);
  await person.page.getByTestId('create-room').click();
  await person.page.waitForURL(/\/r\/[\w-]+$/);
  await waitForEditor(person.page);
}

/**
 * Clicks a Fork button, says yes in its dialog and waits for the copy to open in
 * a new tab (the page the button was on stays where it was). Resolves with that
 * tab, as a person whose console errors are watched, and the copy's room id.
 */
export async function forkWith(
  person: Person,
  button: Locator,
  fromRoomId: string,
): Promise<Person & { roomId: string }> {
  await button.click();
  const [page] = await Promise.all([
    person.context.waitForEvent('page'),
    person.page.getByTestId('fork-confirm').click(),
  ]);
  const errors: string[] = [];
  watchErrors(page, errors);
  await page.waitForURL((url) => url.pathname.startsWith('/r/') && !url.pathname.endsWith(fromRoomId));
  await waitForEditor(page);
  const roomId = new URL(page.url()).pathname.split('/').at(-1)!;
  return { context: person.context, page, errors, roomId };
}

/** Types `line` as the new first line of the open file, then waits for this page's `path` to start with it. */
export async function typeFirstLine(person: Person, path: string, line: string): Promise<void> {
  await person.page.locator('[data-testid=editor] .view-lines').click();
  await person.page.keyboard.press('Control+Home');
  await person.page.keyboard.type(`${line}\n`);
  await pollUntil(
    () => docText(person.page, path),
    (text) => text?.startsWith(line) === true,
  );
}
