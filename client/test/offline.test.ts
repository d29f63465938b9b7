/**
 * Offline: the relay goes down, both people keep typing, one reloads (the page
 * comes from the offline shell, the text from IndexedDB), the relay comes back:
 * both converge and nothing typed is lost.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDataDir, startRelay, type RelayProcess } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { ensureClientBuilt } from './builtClient.js';
import { docText, launchChromium, pollUntil, waitForEditor, type Person } from './browser.js';
import { endOfLine, openPair, waitForState } from './rooms.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

/** Resolves once the service worker holds every asset the page loaded, so a reload works offline. */
async function offlineShellReady(person: Person): Promise<void> {
  const ready = await pollUntil(
    () =>
      person.page.evaluate(async () => {
        if (!navigator.serviceWorker.controller || !(await caches.has('tandem-shell'))) return false;
        const cached = new Set((await (await caches.open('tandem-assets')).keys()).map((r) => r.url));
        const loaded = performance.getEntriesByType('resource').map((e) => e.name);
        return loaded.filter((url) => url.includes('/assets/')).every((url) => cached.has(url));
      }),
    (done) => done,
    20_000,
  );
  expect(ready, 'offline shell cached').toBe(true);
}

describe.skipIf(skip)('offline editing in the browser', () => {
  let relay: RelayProcess;
  let browser: Browser;
  const people: Person[] = [];

  beforeAll(async () => {
    await ensureClientBuilt();
    relay = await startRelay();
    browser = await launchChromium();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(people.splice(0).map((p) => p.context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.stop();
    if (relay) removeDataDir(relay.dataDir);
  });

  it('keeps every keystroke through a relay outage and a reload, then converges', async () => {
    const { room, alice, bob } = await openPair(browser, relay.url, people);
    await Promise.all([offlineShellReady(alice), offlineShellReady(bob)]);
    await Promise.all([waitForState(alice, 'saved'), waitForState(bob, 'saved')]);

    await relay.stop();
    await Promise.all([waitForState(alice, 'offline'), waitForState(bob, 'offline')]);
    await endOfLine(alice, 5);
    await alice.page.keyboard.type(' # alice was offline', { delay: 10 });
    await endOfLine(bob, 1);
    await bob.page.keyboard.type(' # bob was offline', { delay: 10 });
    await alice.page
      .getByTestId('connection')
      .filter({ hasText: /not on the server yet/ })
      .waitFor();

    // Bob reloads with the relay still down: the page and his text must survive.
    await bob.page.waitForTimeout(300); // y-indexeddb writes asynchronously
    await bob.page.reload();
    await waitForEditor(bob.page);
    expect(await docText(bob.page, 'main.py')).toContain('# bob was offline');
    await waitForState(bob, 'offline');
    await bob.page
      .getByTestId('connection')
      .filter({ hasText: /not on the server yet/ })
      .waitFor();

    relay = await startRelay({ port: relay.port, dataDir: relay.dataDir });
    const read = async () => [await docText(alice.page, 'main.py'), await docText(bob.page, 'main.py')];
    const [a, b] = await pollUntil(
      read,
      ([x, y]) => x === y && !!x?.includes('# alice was offline') && x.includes('# bob was offline'),
      20_000,
    );
    expect(a).toBe(b);
    expect(a).toContain('def greet(name: str) -> str: # bob was offline\n');
    expect(a).toContain('print(greet("Tandem")) # alice was offline\n');
    await Promise.all([waitForState(alice, 'saved'), waitForState(bob, 'saved')]);
    // The relay stored it: a fresh fetch from its API has both lines.
    const stored = await fetch(`${relay.url}/api/rooms/${room.roomId}/files/main.py`, {
      headers: { authorization: `Bearer ${room.token}` },
    }).then((response) => response.text());
    expect(stored).toBe(a);
  }, 90_000);
});
