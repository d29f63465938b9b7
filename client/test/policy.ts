/** Helpers for the room-policy end-to-end tests: owner controls, read-only state, raw frames. */
import type { Page } from 'playwright-core';
import { pollUntil, type Person } from './browser.js';

/** Opens the owner's Room settings dialog. */
export async function openRoomSettings(owner: Person): Promise<void> {
  await owner.page.getByTestId('room-settings').click();
  await owner.page.getByTestId('room-settings-dialog').waitFor();
}

export async function closeDialog(person: Person): Promise<void> {
  await person.page.keyboard.press('Escape');
  await person.page.locator('[role=dialog]').waitFor({ state: 'detached' });
}

/**
 * Whether this page's Monaco refuses typing now. A page that discards its copy
 * builds a new room view (and editor), so the editor can be missing for a
 * moment: read it in one step, and ask again until there is one.
 */
export async function editorReadOnly(page: Page): Promise<boolean> {
  const read = () =>
    page.evaluate(() => {
      const { tandem } = window as unknown as {
        tandem?: { editor?: { getRawOptions(): { readOnly?: boolean } } };
      };
      return tandem?.editor ? tandem.editor.getRawOptions().readOnly === true : null;
    });
  const value = await pollUntil(read, (readOnly) => readOnly !== null);
  if (value === null) throw new Error('no editor on the page');
  return value;
}

/** The personal token this page keeps for the room (what it sends to the relay). */
export function storedToken(page: Page, roomId: string): Promise<string> {
  return page.evaluate((id) => {
    const stored = JSON.parse(localStorage.getItem(`tandem.room.${id}`) ?? '{}') as {
      byLink?: Record<string, string>;
      last?: string;
    };
    return stored.byLink?.[stored.last ?? ''] ?? '';
  }, roomId);
}

export interface FrameLog {
  /** Every WebSocket frame the page received, as bytes. */
  frames: Buffer[];
  /** The URL of every WebSocket the page opened. */
  sockets: string[];
}

/**
 * Records, through Chromium's DevTools protocol, every WebSocket frame the page
 * receives. Start it before the page opens the room.
 */
export async function recordFrames(page: Page): Promise<FrameLog> {
  const log: FrameLog = { frames: [], sockets: [] };
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Network.webSocketCreated', (event: { url: string }) => log.sockets.push(event.url));
  cdp.on('Network.webSocketFrameReceived', (event: { response: { opcode: number; payloadData: string } }) => {
    const { opcode, payloadData } = event.response;
    log.frames.push(opcode === 2 ? Buffer.from(payloadData, 'base64') : Buffer.from(payloadData, 'utf8'));
  });
  await cdp.send('Network.enable');
  return log;
}

export function framesContaining(log: FrameLog, text: string): number {
  const needle = Buffer.from(text, 'utf8');
  return log.frames.filter((frame) => frame.includes(needle)).length;
}

/** Inserts `text` at the start of `path` in this page's document, past the editor (as a console would). */
export function insertFromConsole(page: Page, path: string, text: string): Promise<void> {
  return page.evaluate(
    ([p, t]) => {
      type Entry = { get(key: string): unknown };
      type Text = { insert(index: number, text: string): void };
      const doc = (window as unknown as { tandem: { doc: { getMap(n: string): Map<string, Entry> } } }).tandem
        .doc;
      doc.getMap('files').forEach((entry) => {
        if (entry.get('path') === p) (entry.get('text') as Text).insert(0, t!);
      });
    },
    [path, text],
  );
}

/** The file as the relay stored it. */
export async function storedFile(
  relayUrl: string,
  roomId: string,
  token: string,
  path: string,
): Promise<string> {
  const response = await fetch(`${relayUrl}/api/rooms/${roomId}/files/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`GET files/${path}: ${response.status}`);
  return response.text();
}
