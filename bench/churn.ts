/**
 * Churn: 100 cycles in which 20 clients join 10 rooms (two per room), sync,
 * each make an edit, see their room-mate's edit, and leave. Relay memory
 * (`/healthz`) is sampled after warm-up cycles, halfway and at the end, each
 * time once every room has unloaded and after a full GC forced through the
 * relay's inspector (lib/inspector.ts); with no clients left, no room may stay
 * loaded.
 */
import * as Y from 'yjs';
import { connectProvider, destroyProviders, sleep, waitFor, waitReady } from './lib/clients.js';
import { mib, percentChange, printTable } from './lib/format.js';
import { firstFileText } from './lib/project.js';
import { healthz, relayAvailable, startTandem, type Health, type Room, type Server } from './lib/servers.js';
import { collectGarbage, inspectableNodeOptions, inspectorUrl } from './lib/inspector.js';
import { min } from './lib/stats.js';

const CYCLES = 100;
/** Warm-up until the relay's JIT settles: its heap grows over the first ~50 cycles, then stays flat. */
const WARMUP_CYCLES = 10;
/** An extra sample halfway: growth between it and the end is what a leak would show. */
const MIDPOINT = 50;
const ROOMS = 10;
const CLIENTS = 20;
const IDLE_UNLOAD_MS = 500;
const SAMPLES = 5;
const SAMPLE_GAP_MS = 300;

async function cycle(server: Server, rooms: Room[], round: number): Promise<void> {
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const doc = new Y.Doc();
    return {
      doc,
      room: i % ROOMS,
      mark: `[${round}.${i}]`,
      provider: connectProvider(server, rooms[i % ROOMS]!, doc),
    };
  });
  try {
    await Promise.all(clients.map((client) => waitReady(client.provider, server)));
    for (const client of clients) {
      const text = firstFileText(client.doc);
      if (!text) throw new Error('room has no file');
      text.insert(0, client.mark);
    }
    // Each client must see every mark made in its room this cycle.
    await waitFor(
      () =>
        clients.every((client) => {
          const text = firstFileText(client.doc)!.toString();
          return clients.every((other) => other.room !== client.room || text.includes(other.mark));
        }),
      'room-mates to converge',
      10_000,
    );
  } finally {
    await destroyProviders(clients.map((client) => client.provider));
  }
}

/** Forces a GC in the relay when its inspector is reachable, then takes the minimum of a few readings. */
interface Sample {
  heap: number;
  rss: number;
}

async function idleSample(url: string, inspector: string | undefined): Promise<Sample> {
  if (inspector) await collectGarbage(inspector);
  const samples: Health[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    if (i > 0) await sleep(SAMPLE_GAP_MS);
    samples.push(await healthz(url));
  }
  return {
    heap: min(samples.map((sample) => sample.heapUsedBytes)),
    rss: min(samples.map((sample) => sample.rssBytes)),
  };
}

/** Waits until the relay reports no loaded room (or the deadline passes). */
async function waitUnloaded(url: string, timeoutMs: number): Promise<Health> {
  const deadline = performance.now() + timeoutMs;
  let health = await healthz(url);
  while ((health.rooms > 0 || health.connections > 0) && performance.now() < deadline) {
    await sleep(100);
    health = await healthz(url);
  }
  return health;
}

export async function churn(): Promise<void> {
  if (!relayAvailable()) {
    console.log('\nChurn: relay/main.ts not found, skipped');
    return;
  }
  const server = await startTandem({
    TANDEM_ROOM_IDLE_UNLOAD_MS: String(IDLE_UNLOAD_MS),
    NODE_OPTIONS: inspectableNodeOptions(),
  });
  const url = server.process.url;
  // The inspector announces itself on stderr, which may be read after the listening line.
  await waitFor(() => inspectorUrl(server.process.output) !== undefined, 'the relay inspector', 2000).catch(
    () => {},
  );
  const inspector = inspectorUrl(server.process.output);
  try {
    const rooms = await Promise.all(Array.from({ length: ROOMS }, () => server.newRoom('python')));
    let round = 0;
    while (round < WARMUP_CYCLES) await cycle(server, rooms, round++);
    await waitUnloaded(url, IDLE_UNLOAD_MS + 10_000);
    const start = await idleSample(url, inspector);

    let churnMs = 0;
    let atDelay: Health | undefined;
    const samples: Sample[] = [];
    for (const upTo of [MIDPOINT, CYCLES]) {
      const started = performance.now();
      while (round < WARMUP_CYCLES + upTo) await cycle(server, rooms, round++);
      churnMs += performance.now() - started;
      await sleep(IDLE_UNLOAD_MS + 1000);
      atDelay = await healthz(url);
      if (atDelay.rooms !== 0) throw new Error(`${atDelay.rooms} rooms still loaded without clients`);
      await waitUnloaded(url, 10_000);
      samples.push(await idleSample(url, inspector));
    }
    const [mid, end] = samples as [Sample, Sample];

    printTable(
      `Churn: ${CYCLES} cycles of ${CLIENTS} clients over ${ROOMS} rooms after ${WARMUP_CYCLES} warm-up cycles ` +
        `(relay memory when idle, ${inspector ? 'after a forced GC, ' : 'no GC forced, '}min of ${SAMPLES} samples)`,
      ['', 'start MiB', `after ${MIDPOINT}`, `after ${CYCLES}`, 'change', `change ${MIDPOINT}-${CYCLES}`],
      [
        [
          'heap used',
          mib(start.heap),
          mib(mid.heap),
          mib(end.heap),
          percentChange(start.heap, end.heap),
          percentChange(mid.heap, end.heap),
        ],
        [
          'rss',
          mib(start.rss),
          mib(mid.rss),
          mib(end.rss),
          percentChange(start.rss, end.rss),
          percentChange(mid.rss, end.rss),
        ],
      ],
    );
    console.log(
      `${CYCLES} cycles in ${(churnMs / 1000).toFixed(1)} s (${(churnMs / CYCLES).toFixed(0)} ms per cycle); ` +
        `${IDLE_UNLOAD_MS + 1000} ms after the last client left: ${atDelay!.rooms} rooms loaded, ` +
        `${atDelay!.connections} connections`,
    );
  } finally {
    await server.stop();
  }
}
