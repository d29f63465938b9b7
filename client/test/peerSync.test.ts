/**
 * The document over WebRTC data channels: with the relay stopped, two connected
 * browsers keep seeing each other's typing; when the relay comes back on the
 * same port and data, its copy converges with both.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startRelay } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, pollUntil, remoteCaret } from './browser.js';
import { endOfLine, openPair, waitForState } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

function channelsOpen(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { tandem: { media: { links(): { channelOpen: boolean }[] } } }).tandem.media
        .links()
        .filter((l) => l.channelOpen).length,
  );
}

describe.skipIf(skip)('document sync over the peer path', () => {
  // Console errors are expected here: the browser logs every refused WebSocket reconnect.
  const suite = browserSuite();
  /** Two people in one room with their peer channel open (and, if asked, everything saved). */
  async function linkedPair(saved: boolean) {
    const pair = await openPair(suite.browser, suite.relay.url, suite.people);
    for (const person of [pair.alice, pair.bob]) {
      expect(
        await pollUntil(
          () => channelsOpen(person.page),
          (n) => n === 1,
        ),
      ).toBe(1);
    }
    if (saved) await Promise.all([waitForState(pair.alice, 'saved'), waitForState(pair.bob, 'saved')]);
    return pair;
  }

  it('keeps two browsers in sync while the relay is down, then the relay converges', async () => {
    const { room, alice, bob } = await linkedPair(true);

    await suite.relay.stop();
    await Promise.all([waitForState(alice, 'offline'), waitForState(bob, 'offline')]);
    await endOfLine(alice, 5);
    await alice.page.keyboard.type(' # alice, relay down', { delay: 10 });
    await endOfLine(bob, 1);
    await bob.page.keyboard.type(' # bob, relay down', { delay: 10 });

    const read = async () => [await docText(alice.page, 'main.py'), await docText(bob.page, 'main.py')];
    const both = (text: string | null | undefined) =>
      !!text?.includes('# alice, relay down') && text.includes('# bob, relay down');
    const [a, b] = await pollUntil(read, ([x, y]) => x === y && both(x), 10_000);
    expect(a).toBe(b);
    expect(a).toContain('print(greet("Tandem")) # alice, relay down\n');
    expect(a).toContain('def greet(name: str) -> str: # bob, relay down\n');
    // Still offline: this came over the data channel, not through the relay.
    await waitForState(alice, 'offline');

    suite.relay = await startRelay({ port: suite.relay.port, dataDir: suite.relay.dataDir });
    await Promise.all([waitForState(alice, 'saved'), waitForState(bob, 'saved')]);
    const stored = await pollUntil(
      () =>
        fetch(`${suite.relay.url}/api/rooms/${room.roomId}/files/main.py`, {
          headers: { authorization: `Bearer ${room.token}` },
        }).then((response) => response.text()),
      (text) => text === a,
    );
    expect(stored).toBe(a);
    expect(await docText(alice.page, 'main.py')).toBe(a);
    expect(await docText(bob.page, 'main.py')).toBe(a);
  }, 90_000);

  it("moves the other person's cursor while the relay is down, once per person", async () => {
    const { alice, bob } = await linkedPair(true);
    const lines = (await docText(bob.page, 'main.py'))!.split('\n');
    /** Waits until `viewer` draws exactly one remote caret, at the end of `line` (or at `column`). */
    const caretAt = async (viewer: Page, line: number, column = lines[line - 1]!.length + 1) => {
      const want = { line, column };
      const seen = await pollUntil(
        () => remoteCaret(viewer),
        (c) => c?.line === line && c.column === column,
        10_000,
      );
      expect(seen).toEqual(want);
    };
    await endOfLine(bob, 2);
    await caretAt(alice.page, 2);

    await suite.relay.stop();
    await Promise.all([waitForState(alice, 'offline'), waitForState(bob, 'offline')]);
    // Still offline: these moves come over the data channel.
    await endOfLine(bob, 1);
    await caretAt(alice.page, 1);
    await bob.page.keyboard.press('Home');
    await caretAt(alice.page, 1, 1);
    await endOfLine(alice, 3);
    await caretAt(bob.page, 3);
    await alice.page.locator('.tc-label', { hasText: 'Bob' }).waitFor({ timeout: 10_000 });
    await waitForState(alice, 'offline');

    suite.relay = await startRelay({ port: suite.relay.port, dataDir: suite.relay.dataDir });
    await Promise.all([waitForState(alice, 'saved'), waitForState(bob, 'saved')]);
    await endOfLine(bob, 4);
    await caretAt(alice.page, 4);
  }, 90_000);

  it('carries an edit to the relay through the other browser when its typist left before the relay returned', async () => {
    const { room, alice, bob } = await linkedPair(true);
    await suite.relay.stop();
    await waitForState(alice, 'offline');
    await endOfLine(alice, 5);
    await alice.page.keyboard.type(' # only alice typed this', { delay: 10 });
    const seen = await pollUntil(
      () => docText(bob.page, 'main.py'),
      (text) => !!text?.includes('# only alice typed this'),
      10_000,
    );
    expect(seen).toContain('# only alice typed this');
    await alice.context.close();

    suite.relay = await startRelay({ port: suite.relay.port, dataDir: suite.relay.dataDir });
    await waitForState(bob, 'saved');
    const stored = await pollUntil(
      () =>
        fetch(`${suite.relay.url}/api/rooms/${room.roomId}/files/main.py`, {
          headers: { authorization: `Bearer ${room.token}` },
        }).then((response) => response.text()),
      (text) => text === seen,
    );
    expect(stored).toBe(seen);
  }, 90_000);
});
