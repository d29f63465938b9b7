/**
 * Helpers for the engine's tests on a real Docker engine: run a program and
 * collect its output, check that the engine still serves a normal run, check
 * that a run's container is gone.
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { expect, vi } from 'vitest';
import { dockerAvailable, dockerRuntimeAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import type { LanguageId } from '../../shared/languages.js';
import { IMAGE_FAMILIES, builtImage } from '../languages.js';
import { LABEL_RUN, isGvisor } from './containerSpec.js';
import { runJob, type RunOptions } from './runJob.js';
import type { ExitInfo, Job, RunHandle, RunLimits } from './types.js';

/** Small limits keep the hostile tests fast on 2 cores. */
export const TEST_LIMITS: RunLimits = {
  timeoutMs: 3_000,
  memoryBytes: 128 * 1024 * 1024,
  pids: 64,
  cpuMillis: 1000,
  outputBytes: 64 * 1024,
  diskBytes: 16 * 1024 * 1024,
};

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Both streams in arrival order, for messages. */
  text: string;
  exit: ExitInfo;
  exits: number;
  runId: string;
}

export interface TestJob {
  language?: LanguageId;
  code?: string;
  files?: Record<string, string>;
  entry?: string;
  stdin?: string;
  env?: Record<string, string>;
  limits?: Partial<RunLimits>;
}

const ENTRY: Partial<Record<LanguageId, string>> = { python: 'main.py', c: 'main.c', cpp: 'main.cpp' };

export function testJob(spec: TestJob): Job {
  const language = spec.language ?? 'python';
  const entry = spec.entry ?? ENTRY[language] ?? 'main';
  return {
    runId: `test-${randomUUID()}`,
    language,
    entry,
    files: spec.files ?? { [entry]: spec.code ?? '' },
    stdin: spec.stdin,
    env: spec.env,
    limits: { ...TEST_LIMITS, ...spec.limits },
  };
}

/**
 * TANDEM_RUNNER_RUNTIME (e.g. runsc, gVisor): the suites run their sandboxes
 * under it, as a runner so configured would (`npm run test:gvisor`).
 */
export const TEST_RUNTIME = process.env.TANDEM_RUNNER_RUNTIME || undefined;
/** gVisor's kernel answers some calls differently (its own namespaces, no OCI seccomp, pids). */
export const UNDER_GVISOR = isGvisor(TEST_RUNTIME);

/**
 * Whether the sandbox suites skip: no Docker engine, or no TEST_RUNTIME in it
 * (under CI=true either is an error instead).
 */
export async function sandboxSkip(): Promise<boolean> {
  if (requireOrSkip('Docker', await dockerAvailable())) return true;
  if (!TEST_RUNTIME) return false;
  return requireOrSkip(
    `the ${TEST_RUNTIME} runtime (scripts/gvisor-up)`,
    await dockerRuntimeAvailable(TEST_RUNTIME),
  );
}

/** Starts a run; `during` may drive the handle (stdin, kill) while it runs. */
export async function run(
  docker: Docker,
  spec: TestJob | Job,
  options: RunOptions = {},
  during?: (handle: RunHandle) => void | Promise<void>,
): Promise<RunResult> {
  const job = 'runId' in spec ? spec : testJob(spec);
  options = { ...(TEST_RUNTIME ? { runtime: TEST_RUNTIME } : {}), ...options };
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let text = '';
  let exits = 0;
  const handle = runJob(
    docker,
    job,
    {
      onOutput(stream, bytes) {
        (stream === 'stdout' ? stdout : stderr).push(Buffer.from(bytes));
        text += Buffer.from(bytes).toString('utf8');
      },
      onExit() {
        exits++;
      },
    },
    options,
  );
  await during?.(handle);
  const exit = await handle.done;
  // A late second onExit would show up here.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return {
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr),
    text,
    exit,
    exits,
    runId: job.runId,
  };
}

/**
 * The run's container (labelled with its run id) is gone. A run ends once its
 * removal was asked for; under load Docker may still list the container for a
 * moment ("removal in progress"), so this waits for it to go.
 */
export async function expectRemoved(docker: Docker, runId: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${runId}`] } });
      expect(left).toEqual([]);
    },
    { timeout: 10_000, interval: 100 },
  );
}

/** After a hostile run: the engine still runs a normal program correctly. */
export async function expectHealthy(docker: Docker, options: RunOptions = {}): Promise<void> {
  const result = await run(docker, { code: 'print("still ok")' }, options);
  expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
  expect(result.stdout.toString()).toBe('still ok\n');
  expect(result.exits).toBe(1);
}

/** Fails with a clear message when an image the tests need was never built. */
export async function requireImages(docker: Docker): Promise<void> {
  const missing: string[] = [];
  for (const family of IMAGE_FAMILIES) {
    try {
      await docker.getImage(builtImage(family)).inspect();
    } catch {
      missing.push(builtImage(family));
    }
  }
  if (missing.length > 0) {
    throw new Error(`sandbox images missing: ${missing.join(', ')}; build them with scripts/build-images`);
  }
}
