// Hostile programs that attack the process limits: each ends with the right
// reason within bounded time, leaves no container, and a normal run follows.
import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_LIMITS,
  UNDER_GVISOR,
  expectHealthy,
  expectRemoved,
  requireImages,
  sandboxSkip,
  run,
} from './testing.js';

const skip = await sandboxSkip();
const docker = new Docker();
/** Timeout plus create, kill and removal on a busy 2-core machine. */
const SLACK_MS = 4_000;
/** For runs that must end by another limit first: the full suite loads the machine. */
const ROOMY_TIMEOUT_MS = 20_000;

describe.skipIf(skip)('sandbox: hostile processes', () => {
  beforeAll(() => requireImages(docker));

  it('a fork bomb hits the pids limit and the timeout (or the memory limit first)', async () => {
    const result = await run(docker, {
      code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
    });
    // 64 spinning Pythons may exhaust 128 MiB before 3 s pass on a busy machine: both contain it.
    expect(['timeout', 'memory']).toContain(result.exit.reason);
    expect(result.exit.durationMs).toBeLessThan(TEST_LIMITS.timeoutMs + SLACK_MS);
    expect(result.exits).toBe(1);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('fork fails once the pids limit is reached', async () => {
    const result = await run(docker, {
      code: [
        'import os, time',
        'n = 0',
        'try:',
        '    while True:',
        '        if os.fork() == 0:',
        '            time.sleep(30)',
        '            os._exit(0)',
        '        n += 1',
        'except OSError as e:',
        '    print(n, e.errno, flush=True)',
      ].join('\n'),
      // What is tested is the pids limit: time enough to reach it under a loaded machine.
      limits: { timeoutMs: ROOMY_TIMEOUT_MS },
    });
    const [forked, errno] = result.stdout.toString().trim().split(' ').map(Number);
    if (UNDER_GVISOR && result.exit.reason !== 'exited') {
      // gVisor's sentry lives in the container's cgroups: its memory counts, and
      // a full pids limit stalls it instead of answering EAGAIN. Either way a limit ends it.
      expect(['memory', 'timeout']).toContain(result.exit.reason);
    } else {
      expect(forked, `${result.text} ${JSON.stringify(result.exit)}`).toBeGreaterThan(10);
      expect(forked).toBeLessThan(TEST_LIMITS.pids);
      expect(errno).toBe(11); // EAGAIN
      // The parent exited: the sleeping children die with the container.
      expect(result.exit).toMatchObject({ reason: 'exited', code: 0 });
    }
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('a memory bomb is killed with reason memory', async () => {
    const result = await run(docker, {
      code: 'x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n',
      // The memory limit must be what stops it, not the timeout on a loaded machine.
      limits: { timeoutMs: ROOMY_TIMEOUT_MS },
    });
    expect(result.exit).toMatchObject({ reason: 'memory', code: null, signal: 'SIGKILL' });
    expect(result.exit.message).toMatch(/memory limit/);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('a CPU loop is stopped by the wall-clock timeout', async () => {
    const result = await run(docker, { code: 'while True:\n    pass\n' });
    expect(result.exit).toMatchObject({ reason: 'timeout', code: null, signal: 'SIGKILL' });
    expect(result.exit.durationMs).toBeGreaterThanOrEqual(TEST_LIMITS.timeoutMs);
    expect(result.exit.durationMs).toBeLessThan(TEST_LIMITS.timeoutMs + SLACK_MS);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('a long sleep is stopped by the timeout, output before it kept', async () => {
    const result = await run(docker, {
      code: 'import time\nprint("before", flush=True)\ntime.sleep(3600)\n',
    });
    expect(result.exit.reason).toBe('timeout');
    expect(result.stdout.toString()).toBe('before\n');
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('a double-forked daemon that ignores SIGTERM does not outlive the run', async () => {
    const result = await run(docker, {
      code: [
        'import os, signal, sys, time',
        'if os.fork() == 0:',
        '    os.setsid()',
        '    if os.fork() == 0:',
        '        signal.signal(signal.SIGTERM, signal.SIG_IGN)',
        '        signal.signal(signal.SIGHUP, signal.SIG_IGN)',
        '        while True:',
        '            print("daemon", flush=True)',
        '            time.sleep(0.2)',
        '    os._exit(0)',
        'time.sleep(0.5)',
        'print("parent exits", flush=True)',
      ].join('\n'),
    });
    // The daemon holds stdout open, yet the run ends when the program does.
    expect(result.exit).toMatchObject({ reason: 'exited', code: 0 });
    expect(result.exit.durationMs).toBeLessThan(TEST_LIMITS.timeoutMs);
    expect(result.stdout.toString()).toContain('parent exits\n');
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('kill() stops a run with reason killed', async () => {
    const result = await run(
      docker,
      { code: 'import time\nprint("up", flush=True)\ntime.sleep(60)\n' },
      {},
      (handle) => {
        setTimeout(() => handle.kill(), 800);
      },
    );
    expect(result.exit).toMatchObject({ reason: 'killed', code: null });
    expect(result.exits).toBe(1);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('kill() before the container exists still ends the run once', async () => {
    const result = await run(docker, { code: 'print("never")' }, {}, (handle) => handle.kill());
    expect(result.exit.reason).toBe('killed');
    expect(result.stdout.length).toBe(0);
    expect(result.exits).toBe(1);
    await expectRemoved(docker, result.runId);
  });
});
