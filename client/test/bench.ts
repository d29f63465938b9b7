/**
 * Browser benchmarks, in real headless Chromium against a real relay. Prints its
 * figures and asserts nothing (bench/ lists it; run alone with
 * `node --import tsx client/test/bench.ts`).
 *   - keystroke to remote screen: A presses a key, B's DOM shows it (p50, p95
 *     over 200 keystrokes; goal p95 < 50 ms on loopback). Both timestamps come
 *     from the pages' own clocks (timeOrigin + high-resolution time), which on
 *     one machine share the system clock.
 *   - link to editable editor with a 200-file project (goal < 1.5 s), from the
 *     navigation's start to a focused-able, writable Monaco showing a file; by
 *     the long link and by a short one (/j/<code>, one redirect more).
 */
import { percentileSorted } from '../../bench/lib/stats.js';
import { ms, printTable } from '../../bench/lib/format.js';
import { addFile } from '../../shared/schema/project.js';
import { connectSynced } from '../../relay/test/clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from '../../relay/test/harness.js';
import { ensureClientBuilt } from './builtClient.js';
import { launchChromium, newPerson, waitForEditor } from './browser.js';
import { endOfLine, newFile, openPair } from './rooms.js';
import type { Browser } from 'playwright-core';

const KEYSTROKES = 200;
const KEY_GAP_MS = 40;
const FILES = 200;
const OPEN_RUNS = 5;

type EditorHandle = {
  getModel(): { getValueLength(): number } | null;
  getRawOptions(): { readOnly?: boolean };
};
type Stamped = Window & { __sent?: number[]; __seen?: [number, number][] };

async function keystrokeLatency(browser: Browser, relay: RelayProcess): Promise<number[]> {
  const people: Awaited<ReturnType<typeof newPerson>>[] = [];
  const { alice, bob } = await openPair(browser, relay.url, people);
  await newFile(alice, 'bench.txt');
  await bob.page.locator('.tree-row[data-path="bench.txt"]').click();
  await bob.page.locator('.tab.active[data-path="bench.txt"]').waitFor();
  await endOfLine(alice, 1);
  await alice.page.evaluate(() => {
    const w = window as Stamped;
    w.__sent = [];
    document.addEventListener('keydown', (e) => w.__sent!.push(performance.timeOrigin + e.timeStamp), true);
  });
  await bob.page.evaluate(() => {
    const w = window as Stamped;
    w.__seen = [];
    const lines = document.querySelector('.monaco-editor .view-lines')!;
    new MutationObserver(() => {
      w.__seen!.push([performance.timeOrigin + performance.now(), (lines.textContent ?? '').length]);
    }).observe(lines, { childList: true, subtree: true, characterData: true });
  });
  for (let i = 0; i < KEYSTROKES; i++) {
    await alice.page.keyboard.press('x');
    await alice.page.waitForTimeout(KEY_GAP_MS);
  }
  await alice.page.waitForTimeout(500);
  const sent = await alice.page.evaluate(() => (window as Stamped).__sent!);
  const seen = await bob.page.evaluate(() => (window as Stamped).__seen!);
  const latencies: number[] = [];
  sent.forEach((at, i) => {
    const shown = seen.find(([, length]) => length >= i + 1);
    if (shown) latencies.push(shown[0] - at);
  });
  await Promise.all(people.map((p) => p.context.close()));
  return latencies;
}

/** Link to editable editor, by the long link (token in the fragment) and by a short one (/j/<code>, a 302 to it). */
async function openToEditable(
  browser: Browser,
  relay: RelayProcess,
): Promise<{ long: number[]; short: number[] }> {
  const room = await createRoom(relay.url, { name: 'Big', template: 'empty' });
  const writer = await connectSynced(relay.wsUrl, room.roomId, room.token);
  writer.doc.transact(() => {
    for (let i = 0; i < FILES; i++) {
      const body = `// file ${i}\n${'export const value = 1;\n'.repeat(40)}`;
      addFile(writer.doc, `src/module${String(i).padStart(3, '0')}.ts`, body);
    }
  });
  for (let tries = 0; tries < 100; tries++) {
    const listed = await fetch(`${relay.url}/api/rooms/${room.roomId}/files`, {
      headers: { authorization: `Bearer ${room.token}` },
    }).then((r) => r.json() as Promise<unknown[]>);
    if (listed.length === FILES) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  writer.destroy();
  const made = await fetch(`${relay.url}/api/rooms/${room.roomId}/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${room.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'editor' }),
  });
  const { url: shortUrl } = (await made.json()) as { url: string };
  const times = { long: [] as number[], short: [] as number[] };
  // Taken in turns, so both see the same machine.
  for (let run = 0; run < OPEN_RUNS * 2; run++) {
    const short = run % 2 === 1;
    const person = await newPerson(browser, `Reader ${run}`);
    await person.page.goto(short ? shortUrl : room.links.edit);
    await waitForEditor(person.page);
    // performance.now() counts from the navigation's start, the short link's redirect included.
    const elapsed = await person.page.waitForFunction(() => {
      const editor = (window as unknown as { tandem?: { editor?: EditorHandle } }).tandem?.editor;
      const model = editor?.getModel();
      return model && model.getValueLength() > 0 && !editor!.getRawOptions().readOnly ? performance.now() : 0;
    });
    times[short ? 'short' : 'long'].push((await elapsed.jsonValue()) as number);
    await person.context.close();
  }
  return times;
}

export async function editorBench(): Promise<void> {
  await ensureClientBuilt();
  const relay = await startRelay();
  const browser = await launchChromium();
  try {
    const latencies = (await keystrokeLatency(browser, relay)).sort((a, b) => a - b);
    const opened = await openToEditable(browser, relay);
    const opens = opened.long.sort((a, b) => a - b);
    const shortOpens = opened.short.sort((a, b) => a - b);
    printTable(
      'Editor in Chromium (loopback)',
      ['measure', 'samples', 'p50', 'p95', 'max', 'goal'],
      [
        [
          'keystroke to remote screen (ms)',
          latencies.length,
          ms(percentileSorted(latencies, 50)),
          ms(percentileSorted(latencies, 95)),
          ms(latencies.at(-1) ?? NaN),
          'p95 < 50',
        ],
        [
          `link to editable editor, ${FILES} files (ms)`,
          opens.length,
          ms(percentileSorted(opens, 50)),
          ms(percentileSorted(opens, 95)),
          ms(opens.at(-1) ?? NaN),
          '< 1500',
        ],
        [
          `  the same by a short link /j/<code> (ms)`,
          shortOpens.length,
          ms(percentileSorted(shortOpens, 50)),
          ms(percentileSorted(shortOpens, 95)),
          ms(shortOpens.at(-1) ?? NaN),
          '< 1500',
        ],
      ],
    );
  } finally {
    await browser.close();
    await relay.stop();
    removeDataDir(relay.dataDir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await editorBench();
