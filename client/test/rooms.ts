/** Rooms with people in them, for the end-to-end tests. */
import type { Browser } from 'playwright-core';
import { createRoom, type CreatedRoom } from '../../relay/test/harness.js';
import { newPerson, waitForEditor, type Person } from './browser.js';

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
  await person.page.locator('.monaco-editor .view-lines').click();
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
