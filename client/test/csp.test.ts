/**
 * The client lives within the relay's Content-Security-Policy: in headless
 * Chromium, the landing page, a room with a TypeScript file (Monaco, its
 * TypeScript worker, completions, the room's socket) and the history page
 * (its bundle worker) raise no CSP violation, under a policy the page really
 * got.
 */
import { describe, expect, it } from 'vitest';
import { addFile } from '../../shared/schema/project.js';
import { connectSynced } from '../../relay/test/clients.js';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { newPerson, waitForEditor } from './browser.js';
import { suggestion, suggestUntilListed } from './monacoPage.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

type Watched = Window & { __violations?: string[] };

describe.skipIf(skip)('the client under the relay’s CSP', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  it('loads the landing page, a room with the TypeScript worker, and the history with no violation', async () => {
    const room = await createRoom(suite.relay.url, { name: 'CSP', template: 'empty' });
    const writer = await connectSynced(suite.relay.wsUrl, room.roomId, room.token);
    addFile(writer.doc, 'main.ts', 'const greeting: string = "hi";\ngreeting.\n');
    writer.destroy();
    const alice = await newPerson(suite.browser, 'Alice');
    suite.people.push(alice);
    const { page } = alice;
    await alice.context.addInitScript(() => {
      const seen: string[] = ((window as Watched).__violations = []);
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    const violations = () => page.evaluate(() => (window as Watched).__violations ?? []);

    const landing = await page.goto(suite.relay.url);
    expect(landing!.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    await page
      .getByRole('button', { name: /create/i })
      .first()
      .waitFor();
    expect(await violations()).toEqual([]);

    const opened = await page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    expect(opened!.headers()['content-security-policy']).toMatch(/worker-src 'self'/);
    await waitForEditor(page);
    // The TypeScript worker answers: `greeting.` lists string methods.
    await page.locator('[data-testid=editor] .view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await suggestUntilListed(page, 60_000);
    await page.keyboard.type('toUpp');
    await suggestion(page, 'toUpperCase').waitFor();
    expect(await violations()).toEqual([]);

    await page.goto(`${suite.relay.url}/r/${room.roomId}/history#token=${room.token}`);
    await page.getByTestId('replay-events').waitFor();
    expect(await violations()).toEqual([]);
  }, 120_000);
});
