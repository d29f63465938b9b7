// The warm pool, reaping leftovers, and the runs that cannot start: each ends
// with exactly one exit and a sentence.
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { LABEL_INSTANCE } from './containerSpec.js';
import { reapLeftovers } from './reap.js';
import { createSandbox } from './sandbox.js';
import { RETRY_MIN_MS, WarmPool } from './WarmPool.js';
import { TEST_LIMITS, expectHealthy, requireImages, run } from './testing.js';
import { resolveImage } from '../languages.js';

const skip = requireOrSkip('Docker', await dockerAvailable());
const docker = new Docker();

async function containersOf(instanceId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_INSTANCE}=${instanceId}`] } });
}

describe.skipIf(skip)('sandbox: warm pool', () => {
  const instanceId = `pool-test-${randomUUID()}`;
  const pool = new WarmPool(docker, { sizes: { python: 2 }, limits: TEST_LIMITS, instanceId });
  beforeAll(async () => {
    await requireImages(docker);
    pool.start();
    await pool.whenFull();
  });
  afterAll(async () => {
    await pool.close();
    expect(await containersOf(instanceId)).toEqual([]);
  });

  it('serves runs from warm containers, each used once and replaced', async () => {
    const before = (await containersOf(instanceId)).map((c) => c.Id);
    expect(before).toHaveLength(2);
    for (let i = 0; i < 4; i++) {
      const result = await run(docker, { code: `print(${i})` }, { pool });
      expect(result.exit).toMatchObject({ reason: 'exited', code: 0 });
      expect(result.stdout.toString()).toBe(`${i}\n`);
    }
    await pool.whenFull();
    const after = (await containersOf(instanceId)).map((c) => c.Id);
    expect(after).toHaveLength(2);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
  });

  it('runs more jobs at once than it holds', async () => {
    await pool.whenFull();
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => run(docker, { code: `print(${i})`, stdin: '' }, { pool })),
    );
    expect(results.map((r) => r.stdout.toString())).toEqual(['0\n', '1\n', '2\n', '3\n']);
  });

  it('a job with other container limits gets a fresh container', async () => {
    await pool.whenFull();
    const result = await run(
      docker,
      { code: 'print("fresh")', limits: { memoryBytes: 64 * 1024 * 1024 } },
      { pool },
    );
    expect(result.stdout.toString()).toBe('fresh\n');
    expect(pool.idleCount('python')).toBe(2);
  });

  it('a timeout and a memory bomb in warm containers, then normal runs', async () => {
    await pool.whenFull();
    expect((await run(docker, { code: 'while True: pass' }, { pool })).exit.reason).toBe('timeout');
    // A long timeout: on a busy machine the bomb must still meet the memory limit first.
    const bomb = await run(
      docker,
      { code: 'x = []\nwhile True: x.append(bytearray(1 << 20))', limits: { timeoutMs: 20_000 } },
      { pool },
    );
    expect(bomb.exit.reason).toBe('memory');
    await expectHealthy(docker, { pool });
  });

  it('replaces a warm container that dies while idle', async () => {
    await pool.whenFull();
    const [victim] = await containersOf(instanceId);
    await docker.getContainer(victim!.Id).kill();
    // The pool drops the dead one (destroying it) and fills up again.
    await vi.waitFor(
      async () => expect((await containersOf(instanceId)).map((c) => c.Id)).not.toContain(victim!.Id),
      { timeout: 20_000, interval: 100 },
    );
    await pool.whenFull();
    const ids = (await containersOf(instanceId)).map((c) => c.Id);
    expect(ids).not.toContain(victim!.Id);
    await expectHealthy(docker, { pool });
  });
});

describe.skipIf(skip)('sandbox: leftovers and failures', () => {
  beforeAll(() => requireImages(docker));

  it("reapLeftovers removes the containers of a dead runner, not its own nor other runners'", async () => {
    // A runner name of its own keeps this test away from other test files' containers.
    const runnerName = `reap-test-${randomUUID()}`;
    const dead = `dead-${randomUUID()}`;
    const alive = `alive-${randomUUID()}`;
    const other = `other-${randomUUID()}`;
    const image = resolveImage('python');
    await createSandbox(docker, 'python', TEST_LIMITS, {
      image,
      runnerName,
      instanceId: dead,
      runId: 'left-1',
    });
    await createSandbox(docker, 'python', TEST_LIMITS, { image, runnerName, instanceId: dead });
    const own = await createSandbox(docker, 'python', TEST_LIMITS, { image, runnerName, instanceId: alive });
    const foreign = await createSandbox(docker, 'python', TEST_LIMITS, {
      image,
      runnerName: `${runnerName}-other`,
      instanceId: other,
    });
    expect(await reapLeftovers(docker, { runnerName, keepInstance: alive })).toBe(2);
    expect(await containersOf(dead)).toEqual([]);
    expect(await containersOf(alive)).toHaveLength(1);
    expect(await containersOf(other)).toHaveLength(1);
    expect(await reapLeftovers(docker, { runnerName, keepInstance: alive })).toBe(0);
    await Promise.all([own, foreign].map((s) => s.container.remove({ force: true, v: true })));
  });

  it('a missing image ends the run with an error, once', async () => {
    const result = await run(docker, { code: 'print(1)' }, { image: 'tandem-missing:nothing' });
    expect(result.exit).toMatchObject({ reason: 'error', code: null });
    expect(result.exit.message).toMatch(/tandem-missing:nothing is not available/);
    expect(result.exits).toBe(1);
  });

  it('an unreachable Docker engine ends the run with an error within 2 s', async () => {
    const nowhere = new Docker({ socketPath: `/tmp/no-docker-${randomUUID()}.sock` });
    const result = await run(nowhere, { code: 'print(1)' });
    expect(result.exit).toMatchObject({ reason: 'error', message: 'the Docker engine is not reachable' });
    expect(result.exit.durationMs).toBeLessThan(2_000);
    expect(result.exits).toBe(1);
  });

  it('an invalid job ends with an error and a sentence', async () => {
    const result = await run(docker, { code: 'print(1)', entry: 'missing.py', files: { 'main.py': 'x' } });
    expect(result.exit).toMatchObject({
      reason: 'error',
      message: 'entry file missing.py is not in the project',
    });
    const wrongExtension = await run(docker, {
      language: 'java',
      files: { 'Main.py': 'x' },
      entry: 'Main.py',
    });
    expect(wrongExtension.exit.message).toMatch(/must end with \.java/);
  });

  it('a pool whose image is missing backs off and serves nothing', async () => {
    const errors: { message: string; retryInMs: number }[] = [];
    const broken = new WarmPool(docker, {
      sizes: { python: 1 },
      limits: TEST_LIMITS,
      imageFor: () => 'tandem-missing:nothing',
      onError: (_language, message, retryInMs) => errors.push({ message, retryInMs }),
    }).start();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
      interval: 50,
    });
    // Each failure doubles the wait before the next attempt.
    expect(errors.slice(0, 2).map((e) => e.retryInMs)).toEqual([RETRY_MIN_MS, 2 * RETRY_MIN_MS]);
    expect(errors[0]!.message).toMatch(/tandem-missing/);
    expect(broken.take('python', TEST_LIMITS, 'tandem-missing:nothing')).toBeUndefined();
    await broken.close();
  });
});
