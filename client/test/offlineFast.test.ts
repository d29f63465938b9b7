/**
 * Offline is said within seconds, not after the half minute a dead socket took
 * to be noticed. The relay here is frozen (SIGSTOP), not killed: its sockets
 * stay open and simply go quiet, as they do when a network drops, so only the
 * page's heartbeat can tell. The browser going offline is believed at once.
 *
 * The waits below are generous (well under the old 30 s, well over the
 * heartbeat's deadline, see room/heartbeat.test.ts for its timing): they are
 * fences for a condition, not measurements.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { launchChromium, newPerson, waitForEditor, type Person } from './browser.js';
import { endOfLine, waitForState } from './rooms.js';
import { ensureClientBuilt } from './builtClient.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

/** Offline must show long before the channel's 30 s silence watchdog would have said so. */
const OFFLINE_SHOWN_WITHIN_MS = 15_000;

describe.skipIf(skip)('offline, said fast', () => {
  let relay: RelayProcess;
  let browser: Browser;
  const people: Person[] = [];
  const thaw = () => relay.child.kill('SIGCONT');

  beforeAll(async () => {
    await ensureClientBuilt();
    relay = await startRelay();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(people.map((p) => p.context.close()));
    await browser?.close();
    if (relay) {
      thaw();
      await relay.stop();
      removeDataDir(relay.dataDir);
    }
  });

  async function openRoom(): Promise<Person> {
    const room = await createRoom(relay.url, { name: 'Offline', template: 'python' });
    const alice = await newPerson(browser, 'Alice');
    people.push(alice);
    await alice.page.goto(`${relay.url}/r/${room.roomId}#token=${room.token}`);
    await waitForEditor(alice.page);
    await waitForState(alice, 'saved');
    return alice;
  }

  const offline = (person: Person) =>
    person.page
      .locator('[data-testid=connection][data-state=offline]')
      .waitFor({ timeout: OFFLINE_SHOWN_WITHIN_MS });

  it('a relay that goes silent is shown offline within seconds, and saved once it answers again', async () => {
    const alice = await openRoom();
    relay.child.kill('SIGSTOP');
    try {
      await endOfLine(alice, 1);
      await alice.page.keyboard.type(' # typed into silence');
      await offline(alice);
      await alice.page.getByTestId('connection').filter({ hasText: 'not on the server yet' }).waitFor();
    } finally {
      thaw();
    }
    await waitForState(alice, 'saved');
  }, 60_000);

  it('the browser losing its network is shown offline at once', async () => {
    const alice = await openRoom();
    await alice.context.setOffline(true);
    await offline(alice);
    await alice.context.setOffline(false);
    await waitForState(alice, 'saved');
  }, 60_000);
});
