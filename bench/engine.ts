/**
 * The runner's engine alone: Python hello from runJob to exit in a fresh
 * sandbox and from a warm pool, beside a plain `docker run --rm --network none`
 * of the same image, measured alternately. `npm run bench -- engine`.
 */
import Docker from 'dockerode';
import { resolveImage } from '../runner/languages.js';
import { runJob, WarmPool, DEFAULT_LIMITS, type ExitInfo } from '../runner/sandbox/index.js';
import { timeDockerRun } from './lib/docker.js';
import { ms, printTable, ratio } from './lib/format.js';
import { summarize } from './lib/stats.js';

const RUNS = 20;
const CODE = 'print(1)';
const LIMITS = { ...DEFAULT_LIMITS, timeoutMs: 10_000 };

async function engineRun(docker: Docker, pool?: WarmPool): Promise<number> {
  let out = '';
  const handle = runJob(
    docker,
    {
      runId: `bench-${Math.random().toString(36).slice(2)}`,
      language: 'python',
      entry: 'main.py',
      files: { 'main.py': CODE },
      stdin: '',
      limits: LIMITS,
    },
    { onOutput: (_stream, bytes) => (out += Buffer.from(bytes).toString()), onExit: () => undefined },
    pool ? { pool } : {},
  );
  // Time to exit as the relay sees it (onExit), not including the container's removal.
  const exit: ExitInfo = await handle.done;
  if (exit.reason !== 'exited' || out !== '1\n') throw new Error(`bad run: ${JSON.stringify(exit)} ${out}`);
  return exit.durationMs;
}

export async function engineBench(): Promise<void> {
  const docker = new Docker();
  const image = resolveImage('python');
  const pool = new WarmPool(docker, { sizes: { python: 2 }, limits: LIMITS }).start();
  try {
    await pool.whenFull();
    await engineRun(docker); // warm the image cache
    const fresh: number[] = [];
    const warm: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      fresh.push(await engineRun(docker));
      await pool.whenFull();
      warm.push(await engineRun(docker, pool));
      plain.push(await timeDockerRun(image, CODE, '1\n'));
    }
    const p = summarize(plain);
    const row = (name: string, samples: number[]) => {
      const s = summarize(samples);
      return [name, ms(s.p50), ms(s.p95), ratio(s.p50, p.p50)];
    };
    printTable(
      `Engine: Python hello, runJob to exit (${image}), ${RUNS} runs each (ms)`,
      ['path', 'p50', 'p95', 'p50 vs docker run'],
      [
        ['docker run --rm --network none', ms(p.p50), ms(p.p95), '1.00x'],
        row('runJob, fresh container', fresh),
        row('runJob, warm pool', warm),
      ],
    );
  } finally {
    await pool.close();
  }
}
