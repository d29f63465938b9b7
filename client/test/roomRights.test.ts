/**
 * Rights of their own beside editing, as people meet them: in an interview the
 * candidate has no History or Fork until the owner allows it; in a classroom a
 * student who may not edit (and a viewer) still chats, until the owner mutes
 * the chat; Fork asks first and opens the copy in a new tab, so the live
 * session stays where it was.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { request } from '../../relay/test/clients.js';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { newPerson, waitForEditor, type Person } from './browser.js';
import { closeDialog, openRoomSettings } from './policy.js';
import { forkWith, openPair, waitForState } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

async function say(person: Person, text: string): Promise<void> {
  const input = person.page.locator('input[name=chat]');
  await input.fill(text);
  await input.press('Enter');
}

function chatShows(page: Page, text: string): Promise<void> {
  return page.getByTestId('chat-messages').locator('.message', { hasText: text }).waitFor();
}

describe.skipIf(skip)('room rights in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  it('an interview candidate gets History and Fork only once the owner allows it', async () => {
    const room = await createRoom(suite.relay.url, {
      name: 'Interview',
      template: 'python',
      kind: 'interview',
    });
    const host = await newPerson(suite.browser, 'Hana');
    const cara = await newPerson(suite.browser, 'Cara');
    suite.people.push(host, cara);
    await host.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await cara.page.goto(room.links.edit);
    await Promise.all([waitForEditor(host.page), waitForEditor(cara.page)]);

    // The role pill shows once the page has the room's settings: the same ones the buttons follow.
    await cara.page.getByTestId('my-role').filter({ hasText: 'candidate' }).waitFor();
    await host.page.getByTestId('history').waitFor();
    expect(await cara.page.getByTestId('history').count()).toBe(0);
    expect(await cara.page.getByTestId('fork').count()).toBe(0);

    await openRoomSettings(host);
    await host.page.getByTestId('history-for-all').check();
    await cara.page.getByTestId('history').waitFor();
    await cara.page.getByTestId('fork').waitFor();

    // Taken back: gone again, live.
    await host.page.getByTestId('history-for-all').uncheck();
    await cara.page.getByTestId('history').waitFor({ state: 'detached' });
    expect(await cara.page.getByTestId('fork').count()).toBe(0);
    await closeDialog(host);

    // Ended: the host may fork to go on, the candidate is told it ended and offered no copy.
    const ended = await request(`${suite.relay.url}/api/rooms/${room.roomId}/end`, {
      method: 'POST',
      token: room.token,
    });
    expect(ended.status).toBe(200);
    await host.page.getByTestId('ended-notice').getByTestId('fork').waitFor();
    const caraNotice = cara.page.getByTestId('ended-notice');
    await caraNotice.waitFor();
    expect(await caraNotice.innerText()).toBe('This room has ended — read-only.');
    expect(await cara.page.getByTestId('fork').count()).toBe(0);
  }, 60_000);

  it('in a classroom a student and a viewer chat, until the owner mutes the chat', async () => {
    const { room, alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(victor);
    await victor.page.goto(room.links.view);
    await waitForEditor(victor.page);

    await openRoomSettings(alice);
    await alice.page.getByTestId('mode-classroom').check();
    await closeDialog(alice);
    await bob.page.getByTestId('read-only-notice').filter({ hasText: 'classroom' }).waitFor();
    await say(bob, 'Can we go over line 3 again?');
    await say(victor, 'And line 4?');
    await chatShows(alice.page, 'line 3 again');
    await chatShows(alice.page, 'line 4');

    await openRoomSettings(alice);
    await alice.page.getByTestId('chat-muted').check();
    await closeDialog(alice);
    for (const person of [bob, victor]) {
      const input = person.page.locator('input[name=chat][placeholder="The owner muted the chat"]');
      await input.waitFor();
      expect(await input.isDisabled()).toBe(true);
    }
    // The owner still speaks to the room.
    expect(await alice.page.locator('input[name=chat]').isDisabled()).toBe(false);
    await say(alice, 'Quiet now, please');
    await chatShows(bob.page, 'Quiet now');

    await openRoomSettings(alice);
    await alice.page.getByTestId('chat-muted').uncheck();
    await closeDialog(alice);
    await bob.page.locator('input[name=chat][placeholder="Message"]:enabled').waitFor();
    await say(bob, 'Thanks!');
    await chatShows(alice.page, 'Thanks!');
  }, 60_000);

  it('Fork asks first, then opens the copy in a new tab; the live session stays put', async () => {
    const { room, alice, bob } = await openPair(suite.browser, suite.relay.url, suite.people);
    await bob.page.getByTestId('fork').click();
    const dialog = bob.page.getByTestId('fork-dialog');
    await dialog.waitFor();
    // Asked, nothing made yet: Cancel leaves everything as it was.
    expect(bob.context.pages()).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(bob.context.pages()).toHaveLength(1);

    const copy = await forkWith(bob, bob.page.getByTestId('fork'), room.roomId);
    suite.people.push(copy);
    expect(copy.roomId).not.toBe(room.roomId);
    await copy.page.getByTestId('share').waitFor();
    // Bob's first tab is still in the room, live: Alice's message reaches it.
    expect(new URL(bob.page.url()).pathname).toBe(`/r/${room.roomId}`);
    await bob.page.getByTestId('fork-dialog').waitFor({ state: 'detached' });
    await say(alice, 'still here?');
    await chatShows(bob.page, 'still here?');
    await waitForState(bob, 'saved');
  }, 60_000);
});
