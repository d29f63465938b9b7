/**
 * The usual end-to-end setup, registered as vitest hooks: the built client, a
 * real relay, headless Chromium; the people a test opened are closed after it
 * (with their console errors checked first, if asked).
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { removeDataDir, startRelay, type RelayProcess } from '../../relay/test/harness.js';
import { launchChromium, type Person } from './browser.js';
import { ensureClientBuilt } from './builtClient.js';

export interface BrowserSuite {
  relay: RelayProcess;
  browser: Browser;
  /** Push everyone a test opens; they are closed after it. */
  people: Person[];
}

export function browserSuite(
  options: { checkConsoleErrors?: boolean; fakeMedia?: boolean } = {},
): BrowserSuite {
  const suite = { people: [] as Person[] } as BrowserSuite;
  beforeAll(async () => {
    await ensureClientBuilt();
    suite.relay = await startRelay();
    suite.browser = await launchChromium({ fakeMedia: options.fakeMedia });
  }, 120_000);
  afterEach(async () => {
    const people = suite.people.splice(0);
    try {
      if (options.checkConsoleErrors) {
        for (const person of people) expect(person.errors, 'console errors').toEqual([]);
      }
    } finally {
      await Promise.all(people.map((p) => p.context.close()));
    }
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.relay?.stop();
    if (suite.relay) removeDataDir(suite.relay.dataDir);
  });
  return suite;
}
