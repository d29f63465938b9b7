/** A viewer forks the room from the top bar, lands in a copy they own, and edits it alone. */
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

    const forkId = await forkWith(victor, victor.page.getByTestId('fork'), room.roomId);
    // In the fork Victor owns the room: he can share it and type.
    await victor.page.locator('[data-testid=share]').waitFor();
    expect(await docText(victor.page, 'main.py')).toBe(original);
    await typeFirstLine(victor, 'main.py', '# mine now');
    expect(forkId).not.toBe(room.roomId);
    const originalNow = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}/files/main.py`, {
      headers: { authorization: `Bearer ${room.token}` },
    });
    expect(await originalNow.text()).toBe(original);
  }, 60_000);
});
