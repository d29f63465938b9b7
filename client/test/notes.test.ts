/**
 * An interview room's private notes at the byte level: what the host writes in
 * the notes reaches the second interviewer's page, and not one frame the
 * candidate's page receives carries it (the candidate's page never even opens
 * the notes socket). Every frame is read through Chromium's DevTools protocol.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { createRoom } from '../../relay/test/harness.js';
import { chromiumPath, requireOrSkip } from '../../scripts/requireTool.js';
import { docText, newPerson, pollUntil, waitForEditor } from './browser.js';
import { framesContaining, recordFrames } from './policy.js';
import { createOnLanding, endOfLine } from './rooms.js';
import { browserSuite } from './suite.js';

const skip = requireOrSkip('Chromium', chromiumPath() !== null);

function notesText(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const notes = (window as unknown as { tandem: { notes?: { doc: { getText(n: string): object } } } })
      .tandem.notes;
    return notes ? String(notes.doc.getText('notes')) : null;
  });
}

/**
 * Types `text` at the caret as one edit (Monaco's own "type" command), so the
 * whole marker travels in one update and a leak could not hide in pieces.
 */
function typeAtOnce(page: Page, which: 'editor' | 'notes', text: string): Promise<void> {
  return page.evaluate(
    ([w, t]) => {
      type Editor = { trigger(source: string, handler: string, payload: unknown): void };
      const tandem = (window as unknown as { tandem: { editor: Editor; notes: { editor: Editor } } }).tandem;
      (w === 'notes' ? tandem.notes.editor : tandem.editor).trigger('test', 'type', { text: t });
    },
    [which, text],
  );
}

describe.skipIf(skip)('private notes in the browser', () => {
  const suite = browserSuite({ checkConsoleErrors: true });

  it('reach the interviewers and never one byte of the candidate’s connection', async () => {
    const room = await createRoom(suite.relay.url, {
      name: 'Interview',
      template: 'python',
      kind: 'interview',
    });
    expect(room.links.interviewer).toBeTruthy();
    const host = await newPerson(suite.browser, 'Hana');
    const ivan = await newPerson(suite.browser, 'Ivan');
    const cara = await newPerson(suite.browser, 'Cara');
    suite.people.push(host, ivan, cara);
    const [ivanLog, caraLog] = await Promise.all([recordFrames(ivan.page), recordFrames(cara.page)]);
    await host.page.goto(`${suite.relay.url}/r/${room.roomId}#token=${room.token}`);
    await ivan.page.goto(room.links.interviewer!);
    await cara.page.goto(room.links.edit);
    await Promise.all([host, ivan, cara].map((p) => waitForEditor(p.page)));

    // Roles in interview words; the notes panel for the interviewers only.
    await cara.page.getByTestId('my-role').filter({ hasText: 'candidate' }).waitFor();
    await ivan.page.getByTestId('my-role').filter({ hasText: 'interviewer' }).waitFor();
    await host.page.getByTestId('my-role').filter({ hasText: 'interviewer (host)' }).waitFor();
    await host.page.locator('[data-testid=notes-editor] .view-lines').waitFor();
    await ivan.page.locator('[data-testid=notes-editor] .view-lines').waitFor();

    // The host writes a note; the other interviewer's page gets it.
    const secret = `NOTE-${Date.now().toString(36)}-weak-on-recursion`;
    await host.page.locator('[data-testid=notes-editor] .view-lines').click();
    await typeAtOnce(host.page, 'notes', secret);
    await pollUntil(
      () => notesText(ivan.page),
      (text) => !!text?.includes(secret),
    );
    expect(await notesText(ivan.page)).toContain(secret);
    expect(framesContaining(ivanLog, secret)).toBeGreaterThan(0);

    // The host types in the code too: that does reach the candidate (the recording works).
    const code = `CODE-${Date.now().toString(36)}`;
    await endOfLine(host, 1);
    await typeAtOnce(host.page, 'editor', code);
    await pollUntil(
      () => docText(cara.page, 'main.py'),
      (text) => !!text?.includes(code),
    );
    // The page shows it; the frame log (Playwright's socket events) may lag behind by a little.
    await vi.waitFor(() => expect(framesContaining(caraLog, code)).toBeGreaterThan(0), { timeout: 5_000 });

    // Not a byte of the notes on the candidate's side: no frame, no socket, no panel, no document.
    expect(caraLog.frames.length).toBeGreaterThan(0);
    expect(framesContaining(caraLog, secret)).toBe(0);
    expect(framesContaining(caraLog, 'weak-on-recursion')).toBe(0);
    expect(caraLog.sockets.length).toBeGreaterThan(0);
    expect(caraLog.sockets.filter((url) => url.includes('/notes'))).toEqual([]);
    expect(ivanLog.sockets.filter((url) => url.includes('/notes')).length).toBeGreaterThan(0);
    expect(await cara.page.getByTestId('notes').count()).toBe(0);
    expect(await notesText(cara.page)).toBeNull();
  }, 90_000);

  it('the share dialog of an interview room hands out interviewer, candidate and observer links', async () => {
    const host = await newPerson(suite.browser, 'Hana');
    suite.people.push(host);
    await createOnLanding(host, suite.relay.url, (page) => page.getByTestId('interview-toggle').check());
    await host.page.getByTestId('my-role').filter({ hasText: 'interviewer (host)' }).waitFor();
    await host.page.getByTestId('share').click();
    const links = await Promise.all(
      ['interviewer', 'edit', 'view'].map((id) => host.page.getByTestId(`link-${id}`).inputValue()),
    );
    for (const link of links) expect(link).toMatch(new RegExp(`^${suite.relay.url}/j/[\\w-]{11}$`));
    expect(new Set(links).size).toBe(3);
    await host.page.keyboard.press('Escape');

    // The candidate link opens as the candidate, without the notes.
    const cara = await newPerson(suite.browser, 'Cara');
    suite.people.push(cara);
    await cara.page.goto(links[1]!);
    await waitForEditor(cara.page);
    await cara.page.getByTestId('my-role').filter({ hasText: 'candidate' }).waitFor();
    await host.page.locator('[data-testid=person][data-name=Cara]', { hasText: 'candidate' }).waitFor();
    expect(await cara.page.getByTestId('notes').count()).toBe(0);
  }, 60_000);
});
