// Hostile output and files: the output cap holds on every stream, bytes pass
// through undecoded, the disk limits hold everywhere a program can write, and
// nothing one run leaves behind reaches the next.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarmPool } from './WarmPool.js';
import { TEST_LIMITS, expectHealthy, expectRemoved, requireImages, sandboxSkip, run } from './testing.js';

const skip = await sandboxSkip();
const docker = new Docker();
const CAP = TEST_LIMITS.outputBytes;

describe.skipIf(skip)('sandbox: hostile output and files', () => {
  beforeAll(() => requireImages(docker));

  it('a stdout flood with newlines is cut at the output cap', async () => {
    const result = await run(docker, { code: 'while True:\n    print("x" * 79)\n' });
    expect(result.exit).toMatchObject({ reason: 'output-limit', code: null });
    expect(result.stdout.length + result.stderr.length).toBe(CAP);
    expect(result.stdout.subarray(0, 80).toString()).toBe(`${'x'.repeat(79)}\n`);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('a flood without newlines is cut at the output cap', async () => {
    const result = await run(docker, { code: 'import sys\nwhile True:\n    sys.stdout.write("y" * 1000)\n' });
    expect(result.exit.reason).toBe('output-limit');
    expect(result.stdout.length).toBe(CAP);
    expect(result.stdout.every((byte) => byte === 0x79)).toBe(true);
    await expectRemoved(docker, result.runId);
    await expectHealthy(docker);
  });

  it('the cap counts what the program writes to stderr too', async () => {
    const result = await run(docker, {
      code: 'import sys\nsys.stderr.write("e" * 20000)\nwhile True:\n    sys.stdout.write("o" * 500)\n',
    });
    expect(result.exit.reason).toBe('output-limit');
    expect(result.stdout.length).toBe(CAP);
    expect(result.stdout.subarray(0, 20001).toString()).toBe(`${'e'.repeat(20000)}o`);
    await expectHealthy(docker);
  });

  it('invalid UTF-8 passes through byte for byte', async () => {
    const bytes = [0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x98, 0x80];
    const result = await run(docker, {
      code: `import sys\nb = bytes(${JSON.stringify(bytes)})\nsys.stdout.buffer.write(b)\nsys.stdout.flush()\nsys.stderr.buffer.write(b[::-1])\n`,
    });
    expect(result.exit).toMatchObject({ reason: 'exited', code: 0 });
    // The program's stderr joins its stdout, in order (languages.ts).
    expect([...result.stdout]).toEqual([...bytes, ...[...bytes].reverse()]);
    await expectHealthy(docker);
  });

  for (const dir of ['/work', '/tmp', '/dev/shm']) {
    it(`filling ${dir} stops at the disk limit`, async () => {
      const result = await run(docker, {
        code: [
          'import os',
          'n = 0',
          'try:',
          `    with open("${dir}/fill", "wb") as f:`,
          '        while True:',
          '            f.write(b"\\0" * 65536)',
          '            f.flush()',
          '            n += 65536',
          'except OSError as e:',
          '    print(n, e.errno)',
        ].join('\n'),
      });
      expect(result.exit, result.text).toMatchObject({ reason: 'exited', code: 0 });
      const [written, errno] = result.stdout.toString().trim().split(' ').map(Number);
      expect(written).toBeLessThanOrEqual(TEST_LIMITS.diskBytes);
      expect([27, 28]).toContain(errno); // EFBIG (fsize ulimit) or ENOSPC (tmpfs size)
      await expectHealthy(docker);
    });
  }

  it('the root filesystem is read-only', async () => {
    const result = await run(docker, {
      code: [
        'for path in ["/etc/evil", "/usr/bin/evil", "/evil", "/home/evil", "/var/tmp/evil"]:',
        '    try:',
        '        open(path, "w").write("x")',
        '        print("WROTE", path)',
        '    except OSError as e:',
        '        print(path, e.errno)',
      ].join('\n'),
    });
    expect(result.stdout.toString()).not.toContain('WROTE');
    await expectHealthy(docker);
  });

  describe('files left behind', () => {
    const pool = new WarmPool(docker, { sizes: { python: 2 }, limits: TEST_LIMITS });
    afterAll(() => pool.close());

    const leave =
      'import os\nfor d in ["/work", "/tmp", "/dev/shm"]:\n    open(d + "/left-behind", "w").write("x")\nprint("left")\n';
    const look =
      'import os\nprint(sorted(os.listdir("/work")), sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm")))\n';

    it('do not appear in the next run', async () => {
      expect((await run(docker, { code: leave })).stdout.toString()).toBe('left\n');
      const next = await run(docker, { code: look });
      expect(next.stdout.toString()).toBe("['main.py'] [] []\n");
    });

    it('do not appear in the next run from the warm pool', async () => {
      pool.start();
      await pool.whenFull();
      expect((await run(docker, { code: leave }, { pool })).stdout.toString()).toBe('left\n');
      const next = await run(docker, { code: look }, { pool });
      expect(next.stdout.toString()).toBe("['main.py'] [] []\n");
    });
  });
});
