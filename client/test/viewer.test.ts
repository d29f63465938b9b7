/**
 * A viewer sees everything live, cannot type, is not drawn as a cursor, and
 * cannot change the document even by sending updates from the page's console.
 */
import { describe, expect, it } from 'vitest';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, pollUntil, waitForEditor } from './browser.js';
import { browserSuite } from './suite.js';
import { endOfLine } from './rooms.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

describe.skipIf(skip)('a viewer in the browser', () => {
  const suite = browserSuite();

  it('watches live, cannot type, is no cursor, and hand-made updates are refused', async () => {
    const room = await createRoom(suite.relay.url, { name: 'Watch', template: 'python' });
    const alice = await newPerson(suite.browser, 'Alice');
    const victor = await newPerson(suite.browser, 'Victor');
    suite.people.push(alice, victor);
    await alice.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await victor.page.goto(room.links.view);
    await Promise.all([waitForEditor(alice.page), waitForEditor(victor.page)]);
    const original = (await docText(alice.page, 'main.py'))!;

    // Live: Alice types, Victor sees it.
    await endOfLine(alice, 5);
    await alice.page.keyboard.type(' # hello viewer');
    await pollUntil(
      () => docText(victor.page, 'main.py'),
      (text) => !!text?.includes('# hello viewer'),
    );

    // Victor types: nothing changes, and the editor says why.
    await endOfLine(victor, 1);
    await victor.page.keyboard.type('typed by a viewer');
    await victor.page.getByText('You opened a view link').first().waitFor({ timeout: 5_000 });
    expect(await docText(victor.page, 'main.py')).not.toContain('typed by a viewer');

    // Victor is listed, but Alice never sees a cursor of his.
    await alice.page.locator('[data-testid=person][data-name=Victor]').waitFor();
    expect(await alice.page.locator('.tc-label', { hasText: 'Victor' }).count()).toBe(0);

    // From the console: the update leaves the page, the suite.relay refuses it.
    await victor.page.evaluate(() => {
      type Entry = { get(key: string): { insert(index: number, text: string): void } };
      const doc = (window as unknown as { tandem: { doc: { getMap(n: string): Map<string, Entry> } } }).tandem
        .doc;
      doc.getMap('files').forEach((entry) => entry.get('text').insert(0, 'HACKED '));
    });
    await victor.page.getByText('your changes were not saved').first().waitFor({ timeout: 5_000 });
    // A fence: Alice's chat message goes through the relay after it refused Victor's update,
    // so had the relay passed that update on, Alice would have it by the time her message is back.
    await alice.page.locator('input[name=chat]').fill('fence');
    await alice.page.locator('input[name=chat]').press('Enter');
    await alice.page.getByTestId('chat-messages').getByText('fence').waitFor();
    expect(await docText(alice.page, 'main.py')).not.toContain('HACKED');
    const stored = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}/files/main.py`, {
      headers: { authorization: `Bearer ${room.token}` },
    }).then((response) => response.text());
    expect(stored).toBe(original.replace('print(greet("Tandem"))', 'print(greet("Tandem")) # hello viewer'));

    // A reload shows the relay's version again: nothing of the refused edit stays.
    await victor.page.reload();
    await waitForEditor(victor.page);
    expect(
      await pollUntil(
        () => docText(victor.page, 'main.py'),
        (text) => text === stored,
      ),
    ).toBe(stored);
  }, 60_000);
});
