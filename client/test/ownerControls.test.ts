/**
 * The owner's controls in the browser, as the other person sees them: a rename
 * shows live; a kicked person gets a clear screen and their token no longer
 * joins; an ended room is read-only for both and still forks; the driver timer
 * lets only the driver type and swaps when the owner restarts it the other way.
 */
import { describe, expect, it } from 'vitest';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, pollUntil, waitForEditor } from './browser.js';
import { closeDialog, editorReadOnly, openRoomSettings, storedToken } from './policy.js';
import type { Person } from './browser.js';
import { endOfLine, forkWith, newFile, openPair, typeFirstLine } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

/** Types a line-end comment as `typist` and waits for `reader` to have it. */
async function typeAndSee(typist: Person, reader: Person, text: string): Promise<void> {
  await endOfLine(typist, 1);
  await typist.page.keyboard.type(text);
  await pollUntil(
    () => docText(reader.page, 'main.py'),
    (value) => !!value?.includes(text),
  );
}

describe.skipIf(skip)('owner controls in the browser', () => {
  const suite = browserSuite();
  const pair = () => openPair(suite.browser, suite.relay.url, suite.people);

  it('presenting: everyone follows the owner, newcomers too, and may look away', async () => {
    const { room, alice, bob } = await pair();
    const activeTab = (person: Person) => person.page.locator('.tab.active').getAttribute('data-path');
    await newFile(alice, 'second.py');
    await openRoomSettings(alice);
    await alice.page.getByTestId('follow-owner').check();
    await closeDialog(alice);
    // Bob is on Alice's file without a click, and goes where she goes.
    await bob.page.locator('.tab.active[data-path="second.py"]').waitFor();
    await alice.page.locator('.tree-row[data-path="main.py"]').click();
    await bob.page.locator('.tab.active[data-path="main.py"]').waitFor();

    // Bob looks at his own editor: he stays where he is from now on.
    await bob.page.locator('[data-testid=editor] .view-lines').click();
    await alice.page.locator('.tree-row[data-path="second.py"]').click();
    // Carol joins while it is on: she lands where Alice is. Her page came after
    // Alice's move reached everyone, so Bob had it too.
    const carol = await newPerson(suite.browser, 'Carol');
    suite.people.push(carol);
    await carol.page.goto(room.links.edit);
    await waitForEditor(carol.page);
    await carol.page.locator('.tab.active[data-path="second.py"]').waitFor();
    const followsAlice = (person: Person) => person.page.locator('.person.following[data-name=Alice]');
    await followsAlice(carol).waitFor();
    expect(await activeTab(bob)).toBe('main.py');
    expect(await followsAlice(bob).count()).toBe(0);

    // Turned off: Carol is let go, where she is.
    await openRoomSettings(alice);
    await alice.page.getByTestId('follow-owner').uncheck();
    await closeDialog(alice);
    await followsAlice(carol).waitFor({ state: 'detached' });
    expect(await activeTab(carol)).toBe('second.py');
  }, 90_000);

  it('a rename shows live on the other page', async () => {
    const { alice, bob } = await pair();
    await alice.page.getByTestId('room-name').dblclick();
    const input = alice.page.getByTestId('room-name-input');
    await input.fill('Sorting algorithms');
    await input.press('Enter');
    await bob.page.getByTestId('room-name').filter({ hasText: 'Sorting algorithms' }).waitFor();
    expect(await bob.page.title()).toBe('Sorting algorithms · Tandem');
  }, 60_000);

  it('a kicked person sees why, and their token no longer joins', async () => {
    const { room, alice, bob } = await pair();
    const bobToken = await storedToken(bob.page, room.roomId);
    expect(bobToken).not.toBe('');
    await alice.page.locator('[data-testid=kick][data-name=Bob]').click();
    await alice.page.getByTestId('confirm-yes').click();
    await bob.page
      .getByTestId('removed')
      .filter({ hasText: 'You were removed from this room by the owner' })
      .waitFor();
    await alice.page.locator('[data-testid=person][data-name=Bob]').waitFor({ state: 'detached' });

    const answer = await fetch(`${suite.relay.url}/api/rooms/${room.roomId}`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(answer.status).toBe(403);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('removed');
    // A reload does not loop on reconnects: it says the same, once.
    await bob.page.reload();
    await bob.page
      .getByTestId('gate-error')
      .filter({ hasText: 'You were removed from this room by the owner' })
      .waitFor();
    expect(await bob.page.getByTestId('editor').count()).toBe(0);
  }, 60_000);

  it('new links retire the old ones: a newcomer on an old link is told why, Bob stays in', async () => {
    const { room, alice, bob } = await pair();
    await alice.page.getByTestId('share').click();
    const editLink = alice.page.getByTestId('link-edit');
    await editLink.waitFor();
    const before = await editLink.inputValue();
    // Short links (a code the relay maps to the role); the long form below still works.
    expect(before).toBe(`${suite.relay.url}/j/${before.split('/j/')[1]}`);
    expect(before.split('/j/')[1]).toMatch(/^[\w-]{11}$/);
    await alice.page.getByTestId('reset-links').click();
    // Asked over the Share dialog; saying yes leaves that open.
    await alice.page.getByTestId('confirm-yes').click();
    await alice.page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    const after = await pollUntil(
      () => editLink.inputValue({ timeout: 1_000 }).catch(() => ''),
      (value) => value !== '' && value !== before,
    );
    expect(after).not.toBe(before);
    await closeDialog(alice);

    for (const [name, link] of [
      ['Carol', before],
      ['Cleo', room.links.edit],
    ] as const) {
      const late = await newPerson(suite.browser, name);
      suite.people.push(late);
      await late.page.goto(link);
      await late.page.getByTestId('gate-error').filter({ hasText: 'replaced this link' }).waitFor();
    }
    const dan = await newPerson(suite.browser, 'Dan');
    suite.people.push(dan);
    await dan.page.goto(after);
    await waitForEditor(dan.page);
    await typeAndSee(bob, alice, '  # bob is still in');
  }, 60_000);

  it('an ended room is read-only for both and can still be forked', async () => {
    const { room, alice, bob } = await pair();
    await openRoomSettings(alice);
    await alice.page.getByTestId('end-room').click();
    await alice.page.getByTestId('confirm-yes').click();
    await alice.page.getByTestId('room-settings-dialog').waitFor({ state: 'detached' });
    for (const person of [alice, bob]) {
      await person.page
        .getByTestId('ended-notice')
        .filter({ hasText: 'This room has ended — read-only' })
        .waitFor();
      expect(await pollUntil(() => editorReadOnly(person.page), Boolean)).toBe(true);
    }
    expect(await bob.page.getByRole('button', { name: 'New file' }).count()).toBe(0);
    const original = await docText(bob.page, 'main.py');

    const copy = await forkWith(bob, bob.page.getByTestId('ended-notice').getByTestId('fork'), room.roomId);
    expect(await docText(copy.page, 'main.py')).toBe(original);
    expect(await copy.page.getByTestId('ended-notice').count()).toBe(0);
    await typeFirstLine(copy, 'main.py', '# continued');
  }, 60_000);

  it('driver and navigator: only the driver types; restarting the other way swaps them', async () => {
    const { alice, bob } = await pair();
    await openRoomSettings(alice);
    // Bad input is refused with a sentence, before any request.
    await alice.page.getByTestId('driver-start').click();
    await alice.page
      .getByTestId('driver-error')
      .filter({ hasText: 'Pick a driver and a navigator' })
      .waitFor();
    const pick = async (driver: string, navigator: string, minutes: string) => {
      // The form shows once the relay's roomState says no timer runs.
      await alice.page.getByTestId('driver-start').waitFor();
      await alice.page.getByTestId('driver-select').selectOption({ label: driver });
      await alice.page.getByTestId('navigator-select').selectOption({ label: navigator });
      await alice.page.getByTestId('driver-minutes').fill(minutes);
      await alice.page.getByTestId('driver-start').click();
    };
    await pick('Alice', 'Bob', '0.2');
    await alice.page
      .getByTestId('driver-error')
      .filter({ hasText: 'Swap every 0.5 to 240 minutes' })
      .waitFor();

    // Alice drives for 30 minutes: no handover during the test.
    await pick('Alice', 'Bob', '30');
    await alice.page.getByTestId('driver-stop').waitFor();
    await closeDialog(alice);
    await bob.page.getByTestId('read-only-notice').filter({ hasText: 'navigating' }).waitFor();
    await bob.page.getByTestId('driver-notice').filter({ hasText: 'Alice drives' }).waitFor();
    await alice.page.getByTestId('driver-notice').filter({ hasText: 'You drive' }).waitFor();
    expect(await bob.page.getByTestId('driver-countdown').textContent()).toMatch(/^\d+:\d\d$/);
    expect(await editorReadOnly(bob.page)).toBe(true);
    expect(await editorReadOnly(alice.page)).toBe(false);
    await typeAndSee(alice, bob, ' # alice drives');

    // Stop, and start again with Bob at the keyboard.
    await openRoomSettings(alice);
    await alice.page.getByTestId('driver-stop').click();
    await pick('Bob', 'Alice', '30');
    const outcome = alice.page.locator('[data-testid=driver-stop], [data-testid=driver-error], .toast-error');
    await outcome.first().waitFor();
    expect(
      await outcome.first().getAttribute('data-testid'),
      (await outcome.first().textContent()) ?? '',
    ).toBe('driver-stop');
    await closeDialog(alice);
    await alice.page.getByTestId('read-only-notice').filter({ hasText: 'navigating' }).waitFor();
    await bob.page.getByTestId('read-only-notice').waitFor({ state: 'detached' });
    await alice.page.getByTestId('driver-notice').filter({ hasText: 'Bob drives' }).waitFor();
    expect(await editorReadOnly(alice.page)).toBe(true);
    expect(
      await pollUntil(
        () => editorReadOnly(bob.page),
        (readOnly) => !readOnly,
      ),
    ).toBe(false);
    await typeAndSee(bob, alice, ' # bob drives');
    expect(await docText(alice.page, 'main.py')).toContain('# alice drives # bob drives');
  }, 90_000);
});
