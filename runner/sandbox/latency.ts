/**
 * Python hello from runJob to exit: a fresh sandbox, a warm pool, and a plain
 * `docker run --rm --network none` of the same image, measured alternately.
 * Prints figures, asserts nothing (a benchmark, not a test):
 *
 *   node --import tsx runner/sandbox/latency.ts [runs=20]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { resolveImage } from '../languages.js';
import { runJob } from './runJob.js';
import { DEFAULT_LIMITS, type ExitInfo } from './types.js';
import { WarmPool } from './WarmPool.js';

const execFileAsync = promisify(execFile);
const runs = Number(process.argv[2] ?? 20);
const docker = new Docker();
const image = resolveImage('python');
const limits = { ...DEFAULT_LIMITS, timeoutMs: 10_000 };
const code = 'print(1)';

async function engineRun(pool?: WarmPool): Promise<number> {
  let out = '';
  const handle = runJob(
    docker,
    {
      runId: `latency-${Math.random().toString(36).slice(2)}`,
      language: 'python',
      entry: 'main.py',
      files: { 'main.py': code },
      stdin: '',
      limits,
    },
    { onOutput: (_stream, bytes) => (out += Buffer.from(bytes).toString()), onExit: () => undefined },
    { pool },
  );
  // Time to exit as the relay would see it (onExit), not including removal.
  const exit = await new Promise<ExitInfo>((resolve) => {
    void handle.done.then(resolve);
  });
  if (exit.reason !== 'exited' || out !== '1\n') throw new Error(`bad run: ${JSON.stringify(exit)} ${out}`);
  return exit.durationMs;
}

async function dockerRun(): Promise<number> {
  const started = performance.now();
  const { stdout } = await execFileAsync('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    image,
    'python3',
    '-c',
    code,
  ]);
  if (stdout !== '1\n') throw new Error(`bad docker run output ${stdout}`);
  return performance.now() - started;
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${name.padEnd(31)} p50 ${at(0.5).toFixed(0).padStart(5)} ms   p95 ${at(0.95).toFixed(0).padStart(5)} ms   (n=${samples.length})`;
}

const pool = new WarmPool(docker, { sizes: { python: 2 }, limits }).start();
await pool.whenFull();
const fresh: number[] = [];
const warm: number[] = [];
const plain: number[] = [];
await engineRun(); // warm the image cache
for (let i = 0; i < runs; i++) {
  fresh.push(await engineRun());
  await pool.whenFull();
  warm.push(await engineRun(pool));
  plain.push(await dockerRun());
}
await pool.close();
console.log(`Python hello (${image}), runJob call to exit:`);
console.log(summary('runJob, fresh container', fresh));
console.log(summary('runJob, warm pool', warm));
console.log(summary('docker run --rm --network none', plain));
