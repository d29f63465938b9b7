/**
 * The room's environment variables in the browser: the owner adds, replaces and
 * removes them from the run panel; a bad name never leaves the page; a value is
 * never in the page or in anything the relay sends back; viewers get no button.
 */
import type { Locator, Page, Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { newPerson, waitForEditor, type Person } from './browser.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

const FIRST_VALUE = 'sk-first-4f9c1d7e-never-shown';
const SECOND_VALUE = 'sk-second-8b2a6e0f-never-shown';

/** Every /api/ response body the page receives, read as it arrives. */
function recordApiBodies(page: Page): Promise<string>[] {
  const bodies: Promise<string>[] = [];
  page.on('response', (response: Response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) {
      bodies.push(response.text().catch(() => ''));
    }
  });
  return bodies;
}

/** Env writes the page sends, as `METHOD name`. */
function recordEnvWrites(page: Page): string[] {
  const writes: string[] = [];
  page.on('request', (request) => {
    const match = /\/api\/rooms\/[^/]+\/env\/([^/?]+)/.exec(request.url());
    if (match && request.method() !== 'GET') writes.push(`${request.method()} ${match[1]}`);
  });
  return writes;
}

async function listedNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid=env-row]').evaluateAll((rows) => rows.map((r) => r.dataset.name ?? ''));
}

function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/** Console errors other than Chromium's own line for a 4xx answer the page expected. */
function appErrors(person: Person): string[] {
  return person.errors.filter(
    (e) => !/Failed to load resource: the server responded with a status of 40[04]/.test(e),
  );
}

describe.skipIf(skip)('environment variables in the browser', () => {
  const suite = browserSuite();

  const httpNames = async (roomId: string, token: string): Promise<string[]> => {
    const response = await fetch(`${suite.relay.url}/api/rooms/${roomId}/env`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { names: string[] }).names;
  };

  it('the owner adds, replaces and removes; values never come back; viewers have no button', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Secrets', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(alice, victor);
    const { page } = alice;
    const bodies = recordApiBodies(page);
    const writes = recordEnvWrites(page);
    await page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await victor.page.goto(room.links.view);
    await Promise.all([waitForEditor(page), waitForEditor(victor.page)]);

    // The viewer has no button.
    await victor.page.locator('[data-testid=run-history-toggle]').waitFor();
    expect(await victor.page.locator('[data-testid=env-button]').count()).toBe(0);

    // Open from the run panel's bar: nothing yet, the name field has the focus.
    const button = page.getByRole('button', { name: 'Environment variables' });
    expect(await button.getAttribute('title')).toBe('Environment variables for runs');
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Environment variables' });
    await dialog
      .getByText('Given to every run of this room; stored encrypted; never sent to browsers.')
      .waitFor();
    await dialog.getByText('No variables yet.').waitFor();
    const name = dialog.locator('input[name=env-name]');
    const value = dialog.locator('input[name=env-value]');
    await expect.poll(() => isFocused(name)).toBe(true);
    expect(await value.getAttribute('type')).toBe('password');
    expect(await value.getAttribute('autocomplete')).toBe('off');

    // An invalid name: an inline sentence, and nothing is sent.
    await name.fill('1BAD-NAME');
    await value.fill('whatever');
    await value.press('Enter');
    const note = dialog.locator('[data-testid=env-name-note]');
    await expect.poll(() => note.textContent()).toBe('A name cannot start with a digit.');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('BAD-NAME');
    await name.press('Enter');
    await expect.poll(() => note.textContent()).toContain('Use only letters, digits and _');
    await expect.poll(() => isFocused(name)).toBe(true);
    expect(writes).toEqual([]);

    // Add: listed with a masked value, and the value is gone from the form.
    await name.fill('API_KEY');
    await value.fill(FIRST_VALUE);
    await dialog.getByRole('button', { name: 'Show the value' }).click();
    expect(await value.getAttribute('type')).toBe('text');
    await dialog.getByRole('button', { name: 'Hide the value' }).click();
    await value.press('Enter');
    const row = dialog.locator('[data-testid=env-row][data-name=API_KEY]');
    await row.waitFor();
    expect(await row.textContent()).toContain('••••••');
    await dialog.getByText('Saved API_KEY.').waitFor();
    expect(await value.inputValue()).toBe('');
    expect(await name.inputValue()).toBe('');
    expect(writes).toEqual(['PUT API_KEY']);

    // A second one with the button, then replace the first.
    await name.fill('OTHER_VAR');
    await value.fill('plain');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.locator('[data-testid=env-row][data-name=OTHER_VAR]').waitFor();
    await dialog.getByRole('button', { name: 'Replace API_KEY…' }).click();
    expect(await name.inputValue()).toBe('API_KEY');
    await expect.poll(() => isFocused(value)).toBe(true);
    await page.keyboard.type(SECOND_VALUE);
    await page.keyboard.press('Enter');
    await dialog.getByText('Saved API_KEY.').waitFor();
    await dialog.getByText('Add a variable').waitFor();
    expect(await value.inputValue()).toBe('');
    expect(writes).toEqual(['PUT API_KEY', 'PUT OTHER_VAR', 'PUT API_KEY']);
    expect(await listedNames(page)).toEqual(await httpNames(room.roomId, room.token));
    expect(await listedNames(page)).toEqual(['API_KEY', 'OTHER_VAR']);

    // Remove.
    await dialog.getByRole('button', { name: 'Remove API_KEY' }).click();
    await dialog.getByText('Removed API_KEY.').waitFor();
    await expect.poll(() => listedNames(page)).toEqual(['OTHER_VAR']);
    expect(await httpNames(room.roomId, room.token)).toEqual(['OTHER_VAR']);

    // Removed elsewhere meanwhile: the 404 only refreshes the list.
    const gone = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}/env/OTHER_VAR`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${room.token}` },
    });
    expect(gone.status).toBe(204);
    await dialog.getByRole('button', { name: 'Remove OTHER_VAR' }).click();
    await dialog.getByText('No variables yet.').waitFor();
    expect(await dialog.locator('[data-testid=env-error]').count()).toBe(0);
    expect(await httpNames(room.roomId, room.token)).toEqual([]);

    // Neither value is in the page, nor in anything the relay answered.
    const html = await page.content();
    expect(html).not.toContain(FIRST_VALUE);
    expect(html).not.toContain(SECOND_VALUE);
    const received = await Promise.all(bodies);
    expect(received.some((body) => body.includes('"names"'))).toBe(true);
    for (const body of received) {
      expect(body).not.toContain(FIRST_VALUE);
      expect(body).not.toContain(SECOND_VALUE);
    }

    // Tab stays in the dialog: backwards from its first control lands on its last.
    await dialog.getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Add');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Close');

    // Escape closes and gives the focus back to the button.
    await value.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => isFocused(button)).toBe(true);
    expect(appErrors(alice)).toEqual([]);
    expect(appErrors(victor)).toEqual([]);
  }, 60_000);

  it("an editor sees the relay's sentence at the per-room limit", async () => {
    const room = await createRoom(suite.relay.url, { name: 'Full', template: 'python' });
    for (let i = 0; i < 100; i++) {
      const response = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}/env/VAR_${i}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${room.token}` },
        body: JSON.stringify({ value: String(i) }),
      });
      expect(response.status).toBe(204);
    }
    const bob = await newPerson(suite.browser, 'Bob');
    suite.people.push(bob);
    await bob.page.goto(room.links.edit);
    await waitForEditor(bob.page);
    await bob.page.getByRole('button', { name: 'Environment variables' }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'Environment variables' });
    await dialog.locator('[data-testid=env-row][data-name=VAR_99]').waitFor();
    await dialog.locator('input[name=env-name]').fill('ONE_MORE');
    await dialog.locator('input[name=env-value]').fill('x');
    await dialog.locator('input[name=env-value]').press('Enter');
    await dialog.getByText('A room has at most 100 variables.').waitFor();
    expect((await httpNames(room.roomId, room.token)).length).toBe(100);
    expect(appErrors(bob)).toEqual([]);
  }, 60_000);
});
