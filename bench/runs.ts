/**
 * Runs: a Python hello from run request to exit, through a real relay and a real
 * runner with its warm pool, beside `docker run --rm --network none` of the same
 * image measured in the same process; then throughput with several clients
 * asking at once; all of it again under gVisor (runsc) where the engine has
 * it. Prints figures, asserts only that every run printed the hello.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRoom, removeDataDir, startRelay, startRunner } from '../relay/test/harness.js';
import { resolveImage } from '../runner/languages.js';
import { timeDockerRun } from './lib/docker.js';
import { count, ms, printTable, ratio } from './lib/format.js';
import { summarize } from './lib/stats.js';

const LATENCY_RUNS = 30;
const DOCKER_RUNS = 15;
const THROUGHPUT_SECONDS = 10;
const THROUGHPUT_CLIENTS = 6;
const RUNNER_CAPACITY = 4;
const HELLO = 'Hello, Tandem!\n';
const execFileAsync = promisify(execFile);

/** Runtimes to measure: Docker's default, and gVisor where the engine has it registered. */
async function runtimes(): Promise<(string | undefined)[]> {
  const { stdout } = await execFileAsync('docker', ['info', '--format', '{{json .Runtimes}}']);
  return [undefined, ...(Object.keys(JSON.parse(stdout) as object).includes('runsc') ? ['runsc'] : [])];
}

export async function runsBench(): Promise<void> {
  for (const runtime of await runtimes()) await measure(runtime);
}

async function measure(runtime: string | undefined): Promise<void> {
  const relay = await startRelay();
  const runner = await startRunner(relay, {
    TANDEM_RUNNER_CAPACITY: String(RUNNER_CAPACITY),
    TANDEM_RUNNER_POOL_SIZE: String(RUNNER_CAPACITY),
    ...(runtime ? { TANDEM_RUNNER_RUNTIME: runtime } : {}),
  });
  const under = runtime ? ` --runtime ${runtime}` : '';
  try {
    const { roomId, token } = await createRoom(relay.url, { template: 'python' });
    const once = async (): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${relay.url}/api/rooms/${roomId}/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python' }),
      });
      const body = (await response.json()) as { stdout?: string; reason?: string; message?: string };
      if (body.stdout !== HELLO) throw new Error(`run failed: ${JSON.stringify(body)}`);
      return performance.now() - started;
    };
    // Let the pool fill, then warm the path once.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await once();
    const tandem: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      tandem.push(await once());
      await new Promise((resolve) => setTimeout(resolve, 150)); // the pool replaces the used container
    }

    const image = resolveImage('python');
    const docker: number[] = [];
    for (let i = 0; i < DOCKER_RUNS; i++)
      docker.push(await timeDockerRun(image, `print("${HELLO.trim()}")`, HELLO, runtime));
    const t = summarize(tandem);
    const d = summarize(docker);
    printTable(
      `Runs${under}: Python hello, request to exit (ms); warm pool ${RUNNER_CAPACITY}, image ${image}`,
      ['path', 'runs', 'p50', 'p95', 'max', 'p50 vs docker run'],
      [
        [`docker run --rm --network none${under}`, DOCKER_RUNS, ms(d.p50), ms(d.p95), ms(d.max), '1.00x'],
        [
          `tandem: HTTP run through relay + runner${under}`,
          LATENCY_RUNS,
          ms(t.p50),
          ms(t.p95),
          ms(t.max),
          ratio(t.p50, d.p50),
        ],
      ],
    );

    let done = 0;
    const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: THROUGHPUT_CLIENTS }, async () => {
        while (performance.now() < deadline) {
          await once();
          done++;
        }
      }),
    );
    printTable(
      `Runs${under}: throughput, ${THROUGHPUT_CLIENTS} clients asking at once for ${THROUGHPUT_SECONDS} s, runner capacity ${RUNNER_CAPACITY}`,
      ['runs completed', 'runs/s'],
      [[count(done), (done / THROUGHPUT_SECONDS).toFixed(1)]],
    );
  } finally {
    await runner.stop();
    await relay.stop();
    removeDataDir(relay.dataDir);
  }
}
