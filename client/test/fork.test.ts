/** A viewer forks the room from the top bar, gets a copy they own in a new tab, and edits it alone. */
import { describe, expect, it } from 'vitest';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, waitForEditor } from './browser.js';
import { forkWith, typeFirstLine } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

describe.skipIf(skip)('fork in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  it('a viewer forks into a room they own; the original is untouched by their edits', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Lesson', template: 'python' });
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(victor);
    await victor.page.goto(room.links.view);
    await waitForEditor(victor.page);
    const original = await docText(victor.page, 'main.py');

    const copy = await forkWith(victor, victor.page.getByTestId('fork'), room.roomId);
    suite.people.push(copy);
    // In the fork Victor owns the room: he can share it and type.
    await copy.page.locator('[data-testid=share]').waitFor();
    expect(await docText(copy.page, 'main.py')).toBe(original);
    await typeFirstLine(copy, 'main.py', '# mine now');
    expect(copy.roomId).not.toBe(room.roomId);
    // The tab he forked from is still in the room he was watching.
    expect(new URL(victor.page.url()).pathname).toBe(`/r/${room.roomId}`);
    const originalNow = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}/files/main.py`, {
      headers: { authorization: `Bearer ${room.token}` },
    });
    expect(await originalNow.text()).toBe(original);
  }, 60_000);
});
