/**
 * `npm run bench` runs every benchmark; `npm run bench -- fanout churn` runs the
 * named ones. Each prints its own table; see bench/README.md for how to read them.
 */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { churn } from './churn.js';
import { clusterBench } from './cluster.js';
import { coldLoad } from './coldLoad.js';
import { fanout } from './fanout.js';
import { killServers } from './lib/servers.js';
import { traceReplay } from './traceReplay.js';
import { engineBench } from './engine.js';
import { replayBench } from './replay.js';
import { roomsBench } from './rooms.js';
import { runsBench } from './runs.js';
import { webrtcBench } from './webrtc.js';
import { workspaceBench } from './workspace.js';
import { previewBench } from './preview.js';
import { editorBench } from './editor.js';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  fanout,
  rooms: roomsBench,
  traceReplay,
  coldLoad,
  churn,
  runs: runsBench,
  engine: engineBench,
  editor: editorBench,
  webrtc: webrtcBench,
  replay: replayBench,
  workspace: workspaceBench,
  preview: previewBench,
  cluster: clusterBench,
};

function pick(names: string[]): string[] {
  if (names.length === 0) return Object.keys(BENCHMARKS);
  const known = new Map(Object.keys(BENCHMARKS).map((name) => [name.toLowerCase(), name]));
  return names.map((name) => {
    const found =
      known.get(name.toLowerCase().replace(/[-_]/g, '')) ?? known.get(`${name.toLowerCase()}replay`);
    if (!found) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    return found;
  });
}

process.on('exit', killServers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killServers();
    process.exit(130);
  });
}

async function main(): Promise<void> {
  const names = pick(process.argv.slice(2).filter((arg) => !arg.startsWith('-')));
  const cpu = cpus();
  console.log(`Tandem benchmarks, ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `${platform()} ${release()}, node ${process.version}`,
  );
  const [load1, load5] = loadavg();
  console.log(
    `load average at start: ${load1!.toFixed(2)} (1 min), ${load5!.toFixed(2)} (5 min)` +
      (load1! > cpu.length / 2 ? ': the machine is busy, expect noisy figures' : ''),
  );
  let failed = 0;
  for (const name of names) {
    const started = performance.now();
    try {
      await BENCHMARKS[name]!();
    } catch (error) {
      failed++;
      console.error(
        `\n${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  process.exit(failed > 0 ? 1 : 0);
}

await main();
