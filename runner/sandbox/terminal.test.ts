// Terminal runs: the language's interactive program on a pseudo-terminal inside
// the sandbox (a shared REPL). Keystrokes go in as raw bytes; the terminal echoes
// them and the program answers; Ctrl-C interrupts; closing stdin ends the session.
import Docker from 'dockerode';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable, requireOrSkip } from '../../scripts/requireTool.js';
import { runJob, type RunOptions } from './runJob.js';
import { TEST_LIMITS, expectHealthy, requireImages, testJob, type TestJob } from './testing.js';
import type { ExitInfo } from './types.js';
import { WarmPool } from './WarmPool.js';

const skip = requireOrSkip('Docker', await dockerAvailable());
const docker = new Docker();
const LIMITS = { ...TEST_LIMITS, timeoutMs: 20_000 };
const ANSWER_MS = 10_000;

/** A terminal session driven like a person at a keyboard. */
function session(spec: TestJob, options: RunOptions = {}) {
  let text = '';
  const handle = runJob(
    docker,
    { ...testJob({ ...spec, limits: LIMITS }), terminal: true },
    { onOutput: (_stream, bytes) => (text += Buffer.from(bytes).toString('utf8')), onExit: () => undefined },
    options,
  );
  const waitFor = async (what: string | RegExp, from = 0): Promise<void> => {
    const deadline = Date.now() + ANSWER_MS;
    const seen = () => (typeof what === 'string' ? text.includes(what, from) : what.test(text.slice(from)));
    while (!seen()) {
      if (Date.now() > deadline)
        throw new Error(`waited for ${String(what)}; the terminal shows ${JSON.stringify(text)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return {
    get text() {
      return text;
    },
    /** Types `keys` and waits for `answer` to appear after them. */
    async type(keys: string, answer: string | RegExp): Promise<void> {
      const from = text.length;
      handle.writeStdin(keys);
      await waitFor(answer, from);
    },
    waitFor,
    end: (): Promise<ExitInfo> => {
      handle.closeStdin();
      return handle.done;
    },
    done: handle.done,
  };
}

describe.skipIf(skip)('sandbox: terminal runs', () => {
  beforeAll(() => requireImages(docker));

  it('python: the entry runs on a TTY, then the REPL keeps its names; Ctrl-C interrupts; EOF ends it', async () => {
    const term = session({ code: 'import sys\nanswer = 41\nprint("tty:", sys.stdout.isatty())\n' });
    await term.waitFor('>>> ');
    expect(term.text).toContain('tty: True');
    await term.type('answer + 1\r', '42');
    await term.type('while True: pass\r', '... ');
    await term.type('\r', /\r?\n/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await term.type('\x03', 'KeyboardInterrupt');
    await term.type('print("still" + " here")\r', 'still here');
    expect(await term.end()).toMatchObject({ reason: 'exited', code: 0 });
  });

  it('languages without a REPL get a bash shell in /work with the files', async () => {
    const term = session({ language: 'c', code: 'int main(void){return 0;}\n' });
    await term.waitFor(/[$#] $/);
    await term.type('ls; echo "pwd=$(pwd)"\r', 'pwd=/work');
    expect(term.text).toContain('main.c');
    await term.type('exit 3\r', 'exit');
    expect(await term.done).toMatchObject({ reason: 'exited', code: 3 });
  });

  it('a warm container serves a terminal run too', async () => {
    const pool = new WarmPool(docker, { sizes: { python: 1 }, limits: LIMITS }).start();
    try {
      await pool.whenFull();
      const term = session({ code: 'x = 5\n' }, { pool });
      await term.waitFor('>>> ');
      await term.type('x * 2\r', '10');
      expect(await term.end()).toMatchObject({ reason: 'exited' });
    } finally {
      await pool.close();
    }
    await expectHealthy(docker);
  });
});
