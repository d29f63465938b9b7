/**
 * The editor in headless Chromium against a real relay: typing and opening
 * (client/test/bench.ts), then code intelligence: time from Ctrl+Space to the
 * first completion list in main.ts of a 200-file TypeScript project, beside
 * the same in a one-file project (the baseline: Monaco's TypeScript worker
 * with nothing of ours to read).
 *   - first list: a fresh page opens the room and presses Ctrl+Space as soon as
 *     main.ts shows; the TypeScript worker is still starting and reading the
 *     project (its 7 MB script, the standard library, every file).
 *   - again: the same page, Ctrl+Space again once the first list has shown.
 * Both times come from the page's clock: the keydown's timestamp, and the first
 * animation frame that draws a row of the list.
 */
import type { Browser, Page } from 'playwright-core';
import { addFile } from '../shared/schema/project.js';
import { connectSynced } from '../relay/test/clients.js';
import { createRoom, removeDataDir, startRelay, type RelayProcess } from '../relay/test/harness.js';
import { ensureClientBuilt } from '../client/test/builtClient.js';
import { launchChromium, newPerson, waitForEditor } from '../client/test/browser.js';
import { editorBench as typingBench } from '../client/test/bench.js';
import { ms, printTable, ratio } from './lib/format.js';
import { percentileSorted } from './lib/stats.js';

const FILES = 200;
/** Fresh pages per project: each starts a TypeScript worker. */
const COLD_TRIES = 5;
/** Ctrl+Space again in each of those pages. */
const WARM_TRIES = 5;
const LIST_TIMEOUT_MS = 120_000;

type Stamped = Window & { __pressed?: number };

/** A module of the big project: a few exports, and an import of the one before it. */
function moduleText(i: number): string {
  const name = (n: number) => `module${String(n).padStart(3, '0')}`;
  return [
    i > 0 ? `import { next as previous } from './${name(i - 1)}';` : 'const previous = (n: number) => n;',
    '',
    `export interface Item${i} {`,
    '  id: number;',
    '  name: string;',
    '  tags: string[];',
    '}',
    '',
    `export function make${i}(id: number): Item${i} {`,
    `  return { id, name: \`item \${id}\`, tags: ['${name(i)}'] };`,
    '}',
    '',
    'export function next(n: number): number {',
    '  return previous(n) + 1;',
    '}',
    '',
    `export const items${i}: Item${i}[] = [1, 2, 3].map(make${i});`,
    '',
  ].join('\n');
}

const MAIN_ALONE = 'const total: number = [1, 2, 3].reduce((a, b) => a + b, 0);\nconsole.log(total);\n\n';
const MAIN_WITH_IMPORTS =
  [0, 50, 100, 150, FILES - 2]
    .map((n) => `import * as m${n} from './src/module${String(n).padStart(3, '0')}';`)
    .join('\n') + `\n\n${MAIN_ALONE}`;

async function projectRoom(relay: RelayProcess, files: Record<string, string>) {
  const room = await createRoom(relay.url, { name: 'Intel bench', template: 'empty' });
  const writer = await connectSynced(relay.wsUrl, room.roomId, room.token);
  writer.doc.transact(() => {
    for (const [path, text] of Object.entries(files)) addFile(writer.doc, path, text);
  });
  const count = Object.keys(files).length;
  for (let tries = 0; tries < 100; tries++) {
    const listed = await fetch(`${relay.url}/api/rooms/${room.roomId}/files`, {
      headers: { authorization: `Bearer ${room.token}` },
    }).then((r) => r.json() as Promise<unknown[]>);
    if (listed.length === count) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  writer.destroy();
  return room;
}

/** Stamps each Ctrl+Space with the keydown's time. */
async function stampCtrlSpace(page: Page): Promise<void> {
  await page.evaluate(() =>
    document.addEventListener(
      'keydown',
      (e) => {
        if (e.code === 'Space' && e.ctrlKey) (window as Stamped).__pressed = e.timeStamp;
      },
      true,
    ),
  );
}

/** Ctrl+Space where the caret is; resolves with the time until the list draws a row. */
async function timeCompletion(page: Page): Promise<number> {
  await page.evaluate(() => delete (window as Stamped).__pressed);
  await page.keyboard.press('Control+Space');
  const shown = await page.waitForFunction(
    () => (document.querySelector('.suggest-widget.visible .monaco-list-row') ? performance.now() : 0),
    undefined,
    { polling: 'raf', timeout: LIST_TIMEOUT_MS },
  );
  const pressed = await page.evaluate(() => (window as Stamped).__pressed!);
  const elapsed = ((await shown.jsonValue()) as number) - pressed;
  await page.keyboard.press('Escape');
  await page.locator('.suggest-widget.visible').waitFor({ state: 'hidden' });
  return elapsed;
}

interface Samples {
  cold: number[];
  warm: number[];
}

/** A fresh page on `link`: its first list, then `WARM_TRIES` more. */
async function onePage(browser: Browser, link: string, into: Samples): Promise<void> {
  const person = await newPerson(browser, 'Reader');
  try {
    await person.page.goto(link);
    await waitForEditor(person.page);
    await person.page.locator('.tab.active[data-path="main.ts"]').waitFor();
    await stampCtrlSpace(person.page);
    await person.page.locator('[data-testid=editor] .view-lines').click();
    await person.page.keyboard.press('Control+End');
    into.cold.push(await timeCompletion(person.page));
    for (let again = 0; again < WARM_TRIES; again++) into.warm.push(await timeCompletion(person.page));
  } finally {
    await person.context.close();
  }
}

async function completionBench(): Promise<void> {
  await ensureClientBuilt();
  const relay = await startRelay();
  const browser = await launchChromium();
  try {
    const big: Record<string, string> = { 'main.ts': MAIN_WITH_IMPORTS };
    for (let i = 0; i < FILES - 1; i++) big[`src/module${String(i).padStart(3, '0')}.ts`] = moduleText(i);
    const alone = await projectRoom(relay, { 'main.ts': MAIN_ALONE });
    const project = await projectRoom(relay, big);
    const base: Samples = { cold: [], warm: [] };
    const wide: Samples = { cold: [], warm: [] };
    // Alternating, so that a slow spell of a shared machine hits both.
    for (let run = 0; run < COLD_TRIES; run++) {
      await onePage(browser, alone.links.edit, base);
      await onePage(browser, project.links.edit, wide);
    }
    for (const samples of [base.cold, base.warm, wide.cold, wide.warm]) samples.sort((a, b) => a - b);
    const row = (what: string, samples: number[], baseline: number[]) => [
      what,
      samples.length,
      ms(percentileSorted(samples, 50)),
      ms(percentileSorted(samples, 95)),
      ms(samples.at(-1) ?? NaN),
      samples === baseline ? '' : ratio(percentileSorted(samples, 50), percentileSorted(baseline, 50)),
    ];
    printTable(
      'Completions in Chromium: Ctrl+Space to the first row of the list (ms)',
      ['measure', 'samples', 'p50', 'p95', 'max', 'p50 vs 1 file'],
      [
        row('first list, 1 file (baseline)', base.cold, base.cold),
        row(`first list, ${FILES} files`, wide.cold, base.cold),
        row('again, 1 file (baseline)', base.warm, base.warm),
        row(`again, ${FILES} files`, wide.warm, base.warm),
      ],
    );
  } finally {
    await browser.close();
    await relay.stop();
    removeDataDir(relay.dataDir);
  }
}

export async function editorBench(): Promise<void> {
  await typingBench();
  await completionBench();
}
